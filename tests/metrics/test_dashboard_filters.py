"""The dashboard's filters live in the URL, bad ones never break the page, sorting and
presets behave, and every table exports as CSV."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.staticfiles import finders

from funnel.dashboard.tables import csv_label
from funnel.metrics.window import default_window, window_for_preset
from funnel.services import lead_transition
from funnel.stages import Cause
from tests.factories import CampaignFactory, LeadFactory


@pytest.fixture
def signed_in(client, manager):
    client.force_login(manager)
    return client


@pytest.mark.django_db
def test_no_parameters_show_the_last_twelve_months(signed_in):
    response = signed_in.get("/dashboard/")
    assert response.context["window"] == default_window()
    assert [p["current"] for p in response.context["presets"]].count(True) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("preset", ["last_30_days", "this_quarter", "last_month", "year_to_date"])
def test_a_preset_sets_the_window(signed_in, preset):
    response = signed_in.get("/dashboard/", {"preset": preset})
    assert response.context["window"] == window_for_preset(preset)


@pytest.mark.django_db
def test_custom_dates_win_over_a_preset_and_stay_in_every_link(signed_in):
    campaign = CampaignFactory()
    params = {
        "preset": "last_30_days",
        "since": "2025-02-03",
        "until": "2025-04-05",
        "campaign": campaign.pk,
        "channel": "email",
    }
    response = signed_in.get("/dashboard/", params)
    window = response.context["window"]
    assert (window.since, window.until) == (date(2025, 2, 3), date(2025, 4, 5))
    for tab in response.context["tabs"]:
        assert "since=2025-02-03" in tab["url"] and f"campaign={campaign.pk}" in tab["url"]
        assert "channel=email" in tab["url"]
    # Preset links replace the dates but keep the other filters.
    for preset in response.context["presets"]:
        assert "since=" not in preset["url"] and f"campaign={campaign.pk}" in preset["url"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"since": "2025-05-01", "until": "2025-01-01"},
        {"since": "0001-01-01"},
        {"since": "not-a-date"},
        {"until": "2025-01-01", "since": "2000-01-01"},
        {"campaign": "999999"},
        {"owner": "abc"},
        {"channel": "fax"},
        {"preset": "forever"},
        {"since": "2025-01-01\x00"},
    ],
)
def test_bad_filters_fall_back_to_the_default_window(signed_in, params):
    response = signed_in.get("/dashboard/", params)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["window"] == default_window()


@pytest.mark.django_db
@pytest.mark.parametrize("by", ["campaign", "channel", "owner"])
def test_breakdown_sorts_by_any_column_both_ways(signed_in, by):
    campaigns = [
        CampaignFactory(name=f"C{n}", channel=ch)
        for n, ch in enumerate(["email", "social", "event"])
    ]
    start = datetime(2025, 3, 1, tzinfo=UTC)
    for n in range(9):
        lead = LeadFactory(created_at=start + timedelta(days=n), source_campaign=campaigns[n % 3])
        if n % 2:
            lead_transition(
                lead_id=lead.pk,
                to_stage="prospect",
                cause=Cause.MANUAL,
                at=lead.created_at + timedelta(days=1),
            )
    window = {"since": "2025-03-01", "until": "2025-03-31", "by": by}
    for sort in ("cohort", "-cohort", "lead_to_prospect", "-lead_to_prospect", "label"):
        (table,) = signed_in.get("/dashboard/breakdown/", {**window, "sort": sort}).context[
            "tables"
        ]
        key = sort.lstrip("-")
        values = [row[key] for row in table.rows if row[key] is not None]
        if key == "label":
            values = [value.lower() for value in values]
        assert values == sorted(values, reverse=sort.startswith("-"))
    # An unknown sort leaves the default order rather than failing.
    assert signed_in.get("/dashboard/breakdown/", {**window, "sort": "nope"}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "names"),
    [
        ("/dashboard/", ["funnel", "cohorts", "velocity", "flow"]),
        ("/dashboard/breakdown/?by=channel", ["breakdown-channel"]),
        ("/dashboard/campaigns/", ["campaigns"]),
        ("/dashboard/quotas/", ["quotas"]),
    ],
)
def test_every_table_exports_as_csv(signed_in, url, names):
    LeadFactory(created_at=datetime(2025, 6, 1, tzinfo=UTC))
    joiner = "&" if "?" in url else "?"
    page = signed_in.get(f"{url}{joiner}since=2025-01-01&until=2025-12-31")
    assert [table.name for table in page.context["tables"]] == names
    for table in page.context["tables"]:
        response = signed_in.get(
            f"{url}{joiner}since=2025-01-01&until=2025-12-31&export={table.name}"
        )
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment;" in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0] == [csv_label(column) for column in table.columns]
        assert len(rows) == 1 + len(table.rows) + (1 if table.footer else 0)
    assert signed_in.get(f"{url}{joiner}export=nothing").status_code == 404


@pytest.mark.django_db
def test_csv_keeps_raw_figures_and_defuses_formulas(signed_in):
    campaign = CampaignFactory(name='=HYPERLINK("http://evil")')
    LeadFactory(created_at=datetime(2025, 6, 1, tzinfo=UTC), source_campaign=campaign)
    response = signed_in.get(
        "/dashboard/breakdown/",
        {
            "since": "2025-01-01",
            "until": "2025-12-31",
            "by": "campaign",
            "export": "breakdown-campaign",
        },
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][0].startswith("'=")
    assert rows[1][1] == "1"  # a count, not "1" formatted with separators
    assert rows[1][4] == "0.0"  # a rate as a fraction, not "0.0%"


@pytest.mark.django_db
def test_charts_use_the_basic_plotly_bundle_installed_from_npm(signed_in):
    found = finders.find("vendor/plotly-basic.min.js")
    assert found and found.endswith("node_modules/plotly.js-basic-dist-min/plotly-basic.min.js")
    response = signed_in.get("/dashboard/")
    html = response.content.decode()
    assert "/static/vendor/plotly-basic.min.js" in html
    assert "cdn" not in html.lower()
    assert {chart["id"] for chart in response.context["charts"]} == {
        "chart-funnel",
        "chart-cohorts",
        "chart-velocity",
    }
    funnel = next(c for c in response.context["charts"] if c["id"] == "chart-funnel")
    assert funnel["spec"]["data"][0]["type"] == "bar"
    assert funnel["spec"]["data"][0]["orientation"] == "h"


# The basic bundle draws these trace types only; any other draws nothing in the browser.
BASIC_TRACE_TYPES = {"bar", "scatter", "pie"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/",
        "/dashboard/breakdown/",
        "/dashboard/campaigns/",
        "/dashboard/quotas/",
    ],
)
def test_every_chart_uses_a_trace_type_the_basic_bundle_has(signed_in, url):
    response = signed_in.get(url)
    assert response.status_code == 200
    types = {
        trace.get("type", "scatter")
        for chart in response.context.get("charts") or []
        for trace in chart["spec"]["data"]
    }
    assert types <= BASIC_TRACE_TYPES
