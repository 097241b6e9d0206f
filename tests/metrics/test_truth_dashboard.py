"""Every figure in the dashboard pages' context (the report and the tables built from it)
equals the independent computation over random histories, for the date filters in the
URL and each breakdown."""

from dataclasses import asdict

import pytest
from django.test import override_settings

from tests.factories import ManagerFactory
from tests.metrics.histories import assert_figures_equal, build, scenario_for
from tests.metrics.oracle import expected_report


def figures_dict(figures) -> dict:
    return {
        "cohort": figures.cohort,
        "reached": figures.reached,
        "rates": figures.rates,
        "flow": figures.flow,
        "time_in_stage": {stage: asdict(time) for stage, time in figures.time_in_stage.items()},
    }


def _table_matches(table, expected_groups: dict, expected_totals: dict, columns: dict) -> None:
    """Each table row (by group key) and the footer show the oracle's figures."""
    assert [row["key"] for row in table.rows] == list(expected_groups) or sorted(
        row["key"] for row in table.rows
    ) == sorted(expected_groups)
    for row in [*table.rows, table.footer]:
        expected = expected_totals if row["key"] is None else expected_groups[row["key"]]
        for column, path in columns.items():
            value = expected
            for part in path:
                value = value[part]
            assert_figures_equal({"v": row[column]}, {"v": value}, f"{table.name}.{column}")


COHORT_COLUMNS = {
    "cohort": ("cohort",),
    "prospects": ("reached", "prospect"),
    "customers": ("reached", "customer"),
    "lead_to_prospect": ("rates", "lead_to_prospect"),
    "lead_to_customer": ("rates", "lead_to_customer"),
    "prospect_to_customer": ("rates", "prospect_to_customer"),
}
VELOCITY_COLUMNS = {
    f"{stage}_{name}": ("time_in_stage", stage, field)
    for stage in ("lead", "prospect")
    for name, field in (("moves", "moves"), ("median", "median_days"), ("p90", "p90_days"))
}
FLOW_COLUMNS = {f"into_{s}": ("flow", s) for s in ("lead", "prospect", "customer", "lost")}
BREAKDOWN_COLUMNS = {
    **COHORT_COLUMNS,
    "won": ("flow", "customer"),
    "lead_median": ("time_in_stage", "lead", "median_days"),
    "prospect_median": ("time_in_stage", "prospect", "median_days"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(100, 110))
def test_every_page_figure_matches_history(client, seed):
    scenario = scenario_for(seed)
    with override_settings(TIME_ZONE=scenario.tz):
        built = build(scenario)
        client.force_login(ManagerFactory())
        for since, until in scenario.windows:
            dates = {"since": since.isoformat(), "until": until.isoformat()}
            response = client.get("/dashboard/", dates)
            assert response.status_code == 200
            expected = expected_report(
                since=since, until=until, tz=scenario.tz, group_by="month", filters={}
            )
            report = response.context["report"]
            assert (report.since, report.until) == (since, until)
            assert_figures_equal(figures_dict(report.totals), expected["totals"], "totals")
            assert [g.key for g in report.groups] == list(expected["groups"])
            for group in report.groups:
                assert_figures_equal(
                    figures_dict(group.figures), expected["groups"][group.key], group.key
                )
            funnel, cohorts, velocity, flow = response.context["tables"]
            _table_matches(cohorts, expected["groups"], expected["totals"], COHORT_COLUMNS)
            _table_matches(velocity, expected["groups"], expected["totals"], VELOCITY_COLUMNS)
            _table_matches(flow, expected["groups"], expected["totals"], FLOW_COLUMNS)
            counts = {row["label"]: row["count"] for row in funnel.rows}
            totals = expected["totals"]
            assert counts == {
                "Leads": totals["cohort"],
                "Prospects": totals["reached"]["prospect"],
                "Customers": totals["reached"]["customer"],
                "Disqualified": totals["reached"]["disqualified"],
                "Lost": totals["reached"]["lost"],
                "Back to lead": totals["reached"]["lead"],
            }

            for by in ("campaign", "channel", "owner"):
                narrowing = {"channel": built.campaigns[1].channel} if by == "owner" else {}
                response = client.get("/dashboard/breakdown/", {**dates, "by": by, **narrowing})
                assert response.status_code == 200
                expected = expected_report(
                    since=since, until=until, tz=scenario.tz, group_by=by, filters=narrowing
                )
                (table,) = response.context["tables"]
                _table_matches(table, expected["groups"], expected["totals"], BREAKDOWN_COLUMNS)
