from django.urls import path
from rest_framework.routers import SimpleRouter

from funnel.api import FunnelMetricsView

router = SimpleRouter()
urlpatterns = [
    path("metrics/funnel/", FunnelMetricsView.as_view(), name="metrics-funnel"),
    *router.urls,
]
