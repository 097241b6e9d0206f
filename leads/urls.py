from django.urls import path

from leads import views
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
    path("<int:pk>/", views.lead_detail, name="detail"),
    path("<int:pk>/transition/", views.lead_transition_view, name="transition"),
]
