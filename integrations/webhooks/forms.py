from django import forms

from integrations.webhooks.models import WebhookDelivery, WebhookEventType


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(
        label="Endpoint URL",
        max_length=2000,
        assume_scheme="https",
        help_text="Funnel POSTs signed JSON here. It must be reachable on the public internet "
        "(unless local receivers are allowed, as in `make run`).",
    )
    description = forms.CharField(
        max_length=200,
        required=False,
        help_text="What receives these events, e.g. “Data warehouse sync”.",
    )
    events = forms.MultipleChoiceField(
        choices=WebhookEventType.subscribable(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event."},
    )
    is_active = forms.BooleanField(
        label="Active",
        required=False,
        initial=True,
        help_text="Inactive endpoints receive no new events; queued ones wait until reactivated.",
    )


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "All"), *WebhookDelivery.Status.choices], required=False
    )
