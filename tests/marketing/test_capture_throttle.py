"""Capture is throttled per client address, whoever is logged in."""

import pytest
from django.test import Client

from leads.models import Lead
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def test_capture_is_limited_per_address(settings):
    settings.FUNNEL_THROTTLE_RATES = {**settings.FUNNEL_THROTTLE_RATES, "capture": "3/min"}
    campaign = CampaignFactory()
    client = Client(REMOTE_ADDR="203.0.113.7")

    codes = [
        client.post(
            "/api/v1/capture/", {"key": campaign.capture_key, "email": f"p{i}@example.com"}
        ).status_code
        for i in range(5)
    ]

    assert codes == [303, 303, 303, 429, 429]
    assert Lead.objects.count() == 3
    other = Client(REMOTE_ADDR="203.0.113.8").post(
        "/api/v1/capture/", {"key": campaign.capture_key, "email": "other@example.com"}
    )
    assert other.status_code == 303


def test_wrong_keys_count_against_the_limit_too(settings):
    settings.FUNNEL_THROTTLE_RATES = {**settings.FUNNEL_THROTTLE_RATES, "capture": "2/min"}
    client = Client(REMOTE_ADDR="203.0.113.9")
    codes = [
        client.post("/api/v1/capture/", {"key": "guess", "email": "a@example.com"}).status_code
        for _ in range(3)
    ]
    assert codes == [404, 404, 429]
