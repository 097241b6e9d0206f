"""One formatter for numbers (funnel.formatting): money carries its currency, rates are
percentages, ROI is a signed percentage on the dashboard and on campaign results alike;
people are named by their full name; a move by a rule does not say "rule" twice."""

from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from funnel import formatting
from funnel.dashboard.tables import MONEY, RATE, RATIO, Column, csv_label, display
from funnel.services import lead_transition
from funnel.stages import Cause, Stage
from tests import factories

pytestmark = pytest.mark.django_db


@override_settings(FUNNEL_CURRENCY="EUR")
def test_the_formatter():
    assert formatting.money_text(Decimal("1234.5")) == "1,234.50 EUR"
    assert formatting.percent_text(0.2531) == "25.3 %"
    assert formatting.roi_text(16.58) == "+1,658.0 %"
    assert formatting.roi_text(-0.5) == "-50.0 %"
    assert formatting.money_text(None) == formatting.percent_text(None) == "—"


@override_settings(FUNNEL_CURRENCY="EUR")
def test_dashboard_cells_use_it():
    # Before: ROI "+16.58" here and "1,658.0 %" on campaign results; money "EUR 1,235".
    assert display(16.58, RATIO) == formatting.roi_text(16.58) == "+1,658.0 %"
    assert display(Decimal("1234.5"), MONEY) == "1,234.50 EUR"
    assert display(0.2531, RATE) == "25.3 %"


def test_campaign_results_page_shows_roi_as_on_the_dashboard(client, manager):
    from marketing.templatetags.marketing import register as marketing_filters

    assert marketing_filters.filters["roi"](16.58) == "+1,658.0 %"
    assert marketing_filters.filters["money"](Decimal("10")).endswith(" USD")


def test_quota_page_names_reps_and_explains_team_versus_reps(client, manager):
    from sales.models import Quota
    from tests.sales.factories import QuotaFactory

    rep = factories.RepFactory(username="rep2", first_name="Robin", last_name="Hale")
    QuotaFactory(owner=rep, target=Decimal("196075.00"))
    QuotaFactory(owner=None, target=Decimal("213900.00"))
    assert Quota.objects.count() == 2
    client.force_login(manager)
    html = client.get(reverse("sales:quotas")).content.decode()
    assert "Target for Robin Hale" in html and "Target for rep2" not in html
    assert "Team target 213,900.00 USD" in html
    assert "sum of rep targets 196,075.00 USD" in html
    assert "They differ by 17,825.00 USD" in html


def test_a_rule_move_is_not_named_twice(client, manager):
    lead = factories.LeadFactory()
    lead_transition(lead_id=lead.pk, to_stage=Stage.PROSPECT, cause=Cause.RULE)
    client.force_login(manager)
    html = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    timeline = html[html.index('id="lead-timeline"') :]
    assert "Automatic rule" in timeline
    assert 'title="Cause of the move">rule<' not in timeline


def test_csv_headers_say_the_figures_are_exact():
    # The CSV keeps full precision (a spreadsheet rounds); its header says so.
    assert csv_label(Column("spend", "Spend", MONEY)) == "Spend (USD, exact)"
    assert csv_label(Column("roi", "ROI", RATIO)) == "ROI (fraction, exact)"
    assert csv_label(Column("leads", "Leads")) == "Leads"
