from django.urls import path
from rest_framework.routers import SimpleRouter

from leads import api
from leads.merging.api import LeadMergeView

# path()-style routes: the viewsets' `int` converter types `{id}` in the schema.
router = SimpleRouter(use_regex_path=False)
router.register("leads", api.LeadViewSet, basename="lead")
router.register("prospects", api.ProspectViewSet, basename="prospect")
router.register("customers", api.CustomerViewSet, basename="customer")
urlpatterns = [
    path("leads/<int:pk>/merge/", LeadMergeView.as_view(), name="lead-merge"),
    *router.urls,
]
