from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from sales import services
from sales.models import Quota
from sales.periods import Period, period_containing
from sales.selectors import my_quotas_now, quota_board
from tests.factories import RepFactory
from tests.sales.factories import QuotaFactory, prospect, won_deal

pytestmark = pytest.mark.django_db

JUNE = Period("month", date(2026, 6, 1), date(2026, 6, 30))


def test_periods_are_calendar_months_and_quarters():
    assert period_containing("month", date(2024, 2, 10)) == Period(
        "month", date(2024, 2, 1), date(2024, 2, 29)
    )
    assert period_containing("quarter", date(2026, 11, 27)) == Period(
        "quarter", date(2026, 10, 1), date(2026, 12, 31)
    )
    assert JUNE.elapsed_fraction(date(2026, 6, 15)) == 0.5
    assert JUNE.elapsed_fraction(date(2026, 5, 31)) == 0.0
    assert JUNE.elapsed_fraction(date(2026, 7, 1)) == 1.0


def test_an_inverted_or_misaligned_period_is_refused(manager, rep):
    for kwargs in [
        {"starts_on": date(2026, 6, 1), "ends_on": date(2026, 5, 31)},
        {"starts_on": date(2026, 6, 2)},
        {"starts_on": date(2026, 6, 1), "ends_on": date(2026, 6, 29)},
    ]:
        with pytest.raises(ValidationError):
            services.quota_create(
                owner=rep, period="month", target=Decimal("1"), created_by=manager, **kwargs
            )
    assert not Quota.objects.exists()


def won_on(rep, amount: str, day: date):
    lead = prospect(owner=rep, at=None)
    deal = won_deal(lead, amount=amount)
    # Backdate the close as an import would: attainment counts by close date.
    type(deal).objects.filter(pk=deal.pk).update(closed_on=day)
    return deal


def test_attainment_counts_won_deals_closed_in_the_period_for_the_owner(manager, rep, other_rep):
    QuotaFactory(owner=rep, on=JUNE.starts_on, target=Decimal("10000"))
    QuotaFactory(owner=other_rep, on=JUNE.starts_on, target=Decimal("5000"))
    won_on(rep, "3000.00", date(2026, 6, 1))
    won_on(rep, "1000.00", date(2026, 6, 30))
    won_on(rep, "9999.00", date(2026, 7, 1))  # next period
    won_on(other_rep, "5500.00", date(2026, 6, 10))

    result = quota_board(period=JUNE, today=date(2026, 6, 15))

    rows = {row.rep.pk: row.progress for row in result.rows}
    mine = rows[rep.pk]
    assert (mine.won, mine.attainment, mine.gap) == (Decimal("4000.00"), 0.4, Decimal("6000.00"))
    assert mine.expected_to_date == Decimal("5000.00")
    assert mine.pace == 0.8 and mine.on_pace is False
    theirs = rows[other_rep.pk]
    assert (theirs.attainment, theirs.gap, theirs.on_pace) == (1.1, Decimal("0.00"), True)
    # No team quota: the team target is the sum of the reps' targets.
    assert result.team.target == Decimal("15000.00")
    assert result.team.won == Decimal("9500.00")


def test_a_team_quota_counts_every_won_deal_and_reps_without_quota_are_listed(manager, rep):
    no_quota = RepFactory()
    QuotaFactory(owner=None, on=JUNE.starts_on, target=Decimal("2000"))
    won_on(no_quota, "500.00", date(2026, 6, 3))

    result = quota_board(period=JUNE, today=date(2026, 6, 30))

    row = next(row for row in result.rows if row.rep == no_quota)
    assert row.quota is None and row.progress.attainment is None and row.progress.won == 500
    assert (result.team.target, result.team.won, result.team.attainment) == (
        Decimal("2000.00"),
        Decimal("500.00"),
        0.25,
    )


# The first, a middle and the last day of a quarter: on the last month's days a month and
# its quarter end together (the order once put the quarter first every third month).
@pytest.mark.parametrize(
    "today",
    [date(2027, 1, 1), date(2027, 2, 28), date(2027, 3, 1), date(2027, 3, 31), date(2028, 12, 31)],
)
def test_my_quotas_now_shows_month_and_quarter(rep, today):
    QuotaFactory(owner=rep, period="month", on=today)
    QuotaFactory(owner=rep, period="quarter", on=today)
    QuotaFactory(owner=rep, period="month", on=today - timedelta(days=40))

    quotas = my_quotas_now(user=rep, today=today)

    assert [quota.period for quota, _ in quotas] == ["month", "quarter"]


def test_metrics_api_reports_the_figures(api, manager, rep):
    QuotaFactory(owner=rep, target=Decimal("1000"))
    won_deal(prospect(owner=rep), amount="250.00")

    body = api(manager).get("/api/v1/metrics/quotas/").json()

    row = next(r for r in body["reps"] if r["rep"] == rep.pk)
    assert (row["target"], row["won"], row["attainment"], row["gap"]) == (
        "1000.00",
        "250.00",
        0.25,
        "750.00",
    )
    assert body["team"]["target_source"] == "sum_of_rep_quotas"
    assert body["currency"] == "USD" and body["period"]["kind"] == "month"
