"""Webhook test data and a helper that runs the dispatcher in the test's process."""

import factory

from integrations.webhooks.delivery import deliveries_dispatch
from integrations.webhooks.models import WebhookEndpoint, WebhookEventType


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    """Built straight into the table: tests of the registration rules go through
    `integrations.webhooks.webhook_endpoint_create` instead."""

    class Meta:
        model = WebhookEndpoint

    url = "https://hooks.example.com/funnel"
    events = factory.LazyFunction(lambda: [value for value, _ in WebhookEventType.subscribable()])


def dispatch_all(budget_seconds: float = 10) -> int:
    """Send everything due now, as a worker's dispatcher task would."""
    made, _ = deliveries_dispatch(budget_seconds=budget_seconds)
    return made
