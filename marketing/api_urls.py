from django.urls import path
from rest_framework.routers import SimpleRouter

from marketing import api

router = SimpleRouter(use_regex_path=False)
router.register("campaigns", api.CampaignViewSet, basename="campaign")
router.register("touches", api.TouchViewSet, basename="touch")

urlpatterns = [
    path("campaigns/<int:pk>/spend/", api.CampaignSpendView.as_view(), name="campaign-spend"),
    path(
        "campaigns/<int:pk>/spend/<int:spend_pk>/",
        api.SpendDetailView.as_view(),
        name="campaign-spend-detail",
    ),
    path("capture/", api.CaptureView.as_view(), name="capture"),
    path("metrics/campaigns/", api.CampaignMetricsView.as_view(), name="metrics-campaigns"),
    path("leads/<int:pk>/score/", api.LeadScoreView.as_view(), name="lead-score"),
    *router.urls,
]
