"""Webhook reads for the pages and the API. Each is a fixed number of queries."""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from integrations.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


def webhook_endpoints_for_listing() -> QuerySet[WebhookEndpoint]:
    """Endpoints with their backlog (open deliveries) and their latest delivery's status
    and time: one query, whatever the number of endpoints. The backlog counts only open
    rows (a partial index); delivered history is never counted."""
    backlog = (
        WebhookDelivery.objects.filter(
            endpoint=OuterRef("pk"), status__in=WebhookDelivery.OPEN_STATUSES
        )
        .order_by()
        .values("endpoint")
        .annotate(n=Count("id"))
        .values("n")
    )
    latest = WebhookDelivery.objects.filter(endpoint=OuterRef("pk")).order_by("-id")
    return (
        WebhookEndpoint.objects.annotate(
            backlog=Coalesce(Subquery(backlog, output_field=IntegerField()), Value(0)),
            last_delivery_status=Subquery(latest.values("status")[:1]),
            last_delivery_at=Subquery(latest.values("created_at")[:1]),
        )
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


def webhook_deliveries_for_endpoint(
    *, endpoint_id: int, status: str | None = None
) -> QuerySet[WebhookDelivery]:
    """An endpoint's delivery log, newest first, with each delivery's event joined."""
    deliveries = WebhookDelivery.objects.filter(endpoint_id=endpoint_id).select_related("event")
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries.order_by("-id")


def webhook_delivery_attempts(*, delivery_id: int) -> QuerySet[WebhookAttempt]:
    return WebhookAttempt.objects.filter(delivery_id=delivery_id).order_by("-id")
