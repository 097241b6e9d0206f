"""A default window is one a client could send back: near 1970 its `since` is clamped to
the first day accepted as input, never a day the same endpoint would refuse."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from funnel.metrics.window import MIN_DATE, PRESET_KEYS, window_for_preset

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(manager):
    client = APIClient()
    client.force_authenticate(manager)
    return client


def test_funnel_metrics_default_since_near_the_earliest_day(client):
    response = client.get("/api/v1/metrics/funnel/", {"until": "1970-01-05"})

    assert response.status_code == 200, response.json()
    window = response.json()["window"]
    assert (window["since"], window["until"]) == ("1970-01-01", "1970-01-05")
    echoed = client.get("/api/v1/metrics/funnel/", window)
    assert echoed.status_code == 200
    assert echoed.json()["window"] == window


def test_campaign_metrics_default_since_follows_until(client):
    response = client.get("/api/v1/metrics/campaigns/", {"until": "1970-01-05"})
    assert response.status_code == 200, response.json()
    assert (response.json()["since"], response.json()["until"]) == ("1970-01-01", "1970-01-05")

    later = client.get("/api/v1/metrics/campaigns/", {"until": "2025-06-15"}).json()
    assert (later["since"], later["until"]) == ("2024-06-01", "2025-06-15")


# Presets that end today (last month and last quarter lie wholly before 1970 then).
@pytest.mark.parametrize(
    "preset", [key for key in PRESET_KEYS if key not in ("last_month", "last_quarter")]
)
def test_no_preset_ending_today_starts_before_the_earliest_day(preset):
    window = window_for_preset(preset, today=date(1970, 1, 20))
    assert window.since >= MIN_DATE
    assert window.since <= window.until
