from django.urls import path

from marketing import exports, views, views_imports, views_scoring

app_name = "marketing"

urlpatterns = [
    path("", views.campaign_list, name="campaign-list"),
    path("campaigns/new/", views.campaign_create, name="campaign-create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign-detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign-edit"),
    path(
        "campaigns/<int:pk>/regenerate-key/",
        views.campaign_regenerate_key,
        name="campaign-regenerate-key",
    ),
    path("campaigns/<int:pk>/spend/", views.spend_add, name="spend-add"),
    path("campaigns/<int:pk>/spend/upload/", views.spend_upload, name="spend-upload"),
    path(
        "campaigns/<int:pk>/spend/<int:spend_pk>/delete/",
        views.spend_delete,
        name="spend-delete",
    ),
    path("results/", views.results, name="results"),
    path("scoring/", views_scoring.scoring_rules, name="scoring"),
    path("imports/", views_imports.import_list, name="import-list"),
    path("imports/<int:pk>/", views_imports.import_detail, name="import-detail"),
    path("imports/<int:pk>/progress/", views_imports.import_progress, name="import-progress"),
    path("imports/<int:pk>/report/", views_imports.import_report, name="import-report"),
    path("imports/<int:pk>/delete/", views_imports.import_delete, name="import-delete"),
    path("imports/<int:pk>/undo/", views_imports.import_undo, name="import-undo"),
    path("leads/export.csv", exports.leads_export, name="leads-export"),
    path("thanks/", views.capture_thanks, name="capture-thanks"),
]
