from django.urls import path

from lists import views

app_name = "lists"

urlpatterns = [
    path("<str:kind>/", views.bulk_action_start, name="bulk-start"),
    path("actions/<int:pk>/", views.bulk_action_detail, name="bulk-action"),
]
