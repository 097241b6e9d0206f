"""Manager dashboards, under /dashboard/ (included from funnel/urls.py)."""

from django.urls import path

from funnel.dashboard import views

urlpatterns = [
    path("", views.overview, name="dashboard"),
    path("breakdown/", views.breakdown, name="dashboard-breakdown"),
    path("campaigns/", views.campaigns, name="dashboard-campaigns"),
    path("quotas/", views.quotas, name="dashboard-quotas"),
    path("forecast/", views.forecast, name="dashboard-forecast"),
]
