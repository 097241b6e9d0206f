"""A day outside what a period can be built around (year 1, year 9999) is a field error on
every way in, never a 500 from `date` arithmetic (issue 10)."""

from datetime import date
from decimal import Decimal

import pytest

from sales.models import Quota
from sales.periods import FIRST_DAY, LAST_DAY, period_containing
from tests.sales.factories import QuotaFactory

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = ["0001-01-01", "9999-12-31", "1969-12-31", "9999-01-01"]


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_quota_page_says_the_day_is_out_of_range(client, manager, day):
    client.force_login(manager)

    response = client.get("/sales/quotas/", {"on": day, "period": "quarter"})

    assert response.status_code == 400
    assert f"Pick a date between {FIRST_DAY} and {LAST_DAY}." in response.content.decode()


@pytest.mark.parametrize("day", [FIRST_DAY, LAST_DAY])
def test_quota_page_shows_the_first_and_last_allowed_days(client, manager, day):
    client.force_login(manager)

    for kind in ("month", "quarter"):
        response = client.get("/sales/quotas/", {"on": day.isoformat(), "period": kind})

        assert response.status_code == 200
        assert response.context["period"] == period_containing(kind, day)


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_quota_metrics_api_refuses_the_day(api, manager, day):
    response = api(manager).get("/api/v1/metrics/quotas/", {"on": day})

    assert response.status_code == 400
    assert "on" in response.json()


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_quota_list_filter_refuses_the_day(api, manager, day):
    response = api(manager).get("/api/v1/quotas/", {"on": day})

    assert response.status_code == 400
    assert "on" in response.json()


@pytest.mark.parametrize(
    ("period", "starts_on", "field"),
    [
        ("month", "0001-01-01", "starts_on"),
        ("quarter", "0001-01-01", "starts_on"),
        ("month", "9999-12-01", "starts_on"),
        ("quarter", "9999-10-01", "starts_on"),
    ],
)
def test_quota_create_refuses_the_day(api, manager, rep, period, starts_on, field):
    response = api(manager).post(
        "/api/v1/quotas/",
        {"owner": rep.pk, "period": period, "starts_on": starts_on, "target": "100.00"},
        format="json",
    )

    assert response.status_code == 400
    assert field in response.json()
    assert not Quota.objects.exists()


def test_quota_set_on_the_page_refuses_the_day(client, manager, rep):
    client.force_login(manager)

    response = client.post(
        "/sales/quotas/set/",
        {"owner": rep.pk, "period": "month", "starts_on": "0001-01-01", "target": "100"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 400
    assert not Quota.objects.exists()


def test_a_quota_in_the_last_allowed_period_links_to_the_next_one(client, manager, rep):
    QuotaFactory(owner=rep, period="quarter", on=date(9998, 12, 31), target=Decimal("5"))
    client.force_login(manager)

    response = client.get("/sales/quotas/", {"on": "9998-12-31", "period": "quarter"})

    assert response.status_code == 200
    assert response.context["next"].starts_on == date(9999, 1, 1)
    assert response.context["board"].rows[0].quota.target == Decimal("5.00")
