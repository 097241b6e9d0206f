from django.urls import path
from rest_framework.routers import SimpleRouter

from sales import api, api_leads, api_metrics

router = SimpleRouter()
router.register("deals", api.DealViewSet, basename="deal")
router.register("activities", api.ActivityViewSet, basename="activity")
router.register("sequences", api.SequenceViewSet, basename="sequence")
router.register("enrolments", api.EnrolmentViewSet, basename="enrolment")
router.register("quotas", api.QuotaViewSet, basename="quota")

urlpatterns = [
    path("leads/<int:pk>/timeline/", api_leads.LeadTimelineView.as_view(), name="lead-timeline"),
    path("leads/<int:pk>/owner/", api_leads.LeadReassignView.as_view(), name="lead-reassign"),
    path("leads/<int:pk>/claim/", api_leads.LeadClaimView.as_view(), name="lead-claim"),
    path("metrics/quotas/", api_metrics.QuotaMetricsView.as_view(), name="metrics-quotas"),
    *router.urls,
]
