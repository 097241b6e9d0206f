from django.urls import path

from leads import views

app_name = "leads"

urlpatterns = [
    path("", views.lead_list, {"kind": "list"}, name="list"),
    path("prospects/", views.lead_list, {"kind": "prospects"}, name="prospects"),
    path("customers/", views.lead_list, {"kind": "customers"}, name="customers"),
    path("<int:pk>/", views.lead_detail, name="detail"),
    path("<int:pk>/transition/", views.lead_transition_view, name="transition"),
]
