from django.urls import path

from leads import views, views_edit
from leads.merging import views as merging
from lists.views_saved import remember_last_view

app_name = "leads"

urlpatterns = [
    path("", remember_last_view(views.lead_list), {"kind": "list"}, name="list"),
    path(
        "prospects/", remember_last_view(views.lead_list), {"kind": "prospects"}, name="prospects"
    ),
    path(
        "customers/", remember_last_view(views.lead_list), {"kind": "customers"}, name="customers"
    ),
    path("new/", views_edit.lead_create_view, name="create"),
    path("<int:pk>/", views.lead_detail, name="detail"),
    path("<int:pk>/edit/", views_edit.lead_edit_view, name="edit"),
    path("<int:pk>/merge/", merging.lead_merge_view, name="merge"),
    path("<int:pk>/transition/", views.lead_transition_view, name="transition"),
]
