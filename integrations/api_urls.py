from django.urls import path
from rest_framework.routers import SimpleRouter

from integrations.webhooks.api import webhook_router
from leads.api_bulk import LeadBulkUpsertView

router = SimpleRouter()
# Webhooks keep their own router (regex routes for their nested delivery actions).
urlpatterns = router.urls + webhook_router.urls
urlpatterns += [
    # Bulk upsert for integrations (leads/api_bulk.py); the leads viewset's detail route
    # only matches numeric ids, so this path is free.
    path("leads/bulk/", LeadBulkUpsertView.as_view(), name="lead-bulk"),
]
