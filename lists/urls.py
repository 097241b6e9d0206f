from django.urls import path

from lists import views, views_saved

app_name = "lists"

urlpatterns = [
    path("<str:kind>/", views.bulk_action_start, name="bulk-start"),
    path("actions/<int:pk>/", views.bulk_action_detail, name="bulk-action"),
    path("views/<str:kind>/", views_saved.saved_view_create_view, name="saved-view-create"),
    path("views/<int:pk>/delete/", views_saved.saved_view_delete_view, name="saved-view-delete"),
]
