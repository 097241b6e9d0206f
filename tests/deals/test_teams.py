"""Teams: the forecast per team beside its quota (else its reps' quotas), the whole sales
team's quota keeping its meaning, the board and the forecast filtered by team, weekly
snapshots per team with their accuracy, and the teams API. Figures added up by hand."""

from datetime import date
from decimal import Decimal

import pytest

from sales.models import ForecastSnapshot, Quota
from sales.pipeline.board import BoardFilters, deal_board
from sales.pipeline.forecast import forecast, forecast_history, forecast_snapshots_take
from sales.teams.services import team_save
from tests.deals.test_forecast import Q1, _deal
from tests.factories import RepFactory
from tests.sales.factories import QuotaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def third_rep(db):
    return RepFactory()


@pytest.fixture
def teams(manager, rep, other_rep, third_rep):
    """East: rep and other_rep; West: third_rep."""
    east = team_save(actor=manager, name="East", manager_id=manager.pk, member_ids=[rep.pk])
    east = team_save(
        actor=manager,
        name="East",
        manager_id=manager.pk,
        member_ids=[rep.pk, other_rep.pk],
        team_id=east.pk,
    )
    west = team_save(actor=manager, name="West", manager_id=None, member_ids=[third_rep.pk])
    return east, west


@pytest.fixture
def deals(rep, other_rep, third_rep, teams):
    _deal(rep, "1000", "Won")  # closed won today (31 March)
    _deal(rep, "400", "Negotiation")  # commit, 80 %
    _deal(rep, "300", "Proposal")  # best case, 50 %
    _deal(other_rep, "600", "Demo")  # pipeline, 25 %
    _deal(other_rep, "250", "Won")
    _deal(third_rep, "2000", "Won")
    _deal(third_rep, "500", "Negotiation")  # commit, 80 %
    _deal(third_rep, "700", "Negotiation", close=date(2027, 4, 2))  # next quarter
    q = {"period": "quarter", "on": date(2027, 3, 1)}
    QuotaFactory(owner=rep, target=Decimal("4000"), **q)
    QuotaFactory(owner=other_rep, target=Decimal("1000"), **q)
    QuotaFactory(owner=third_rep, target=Decimal("3000"), **q)


def _team(result, name):
    return next(row for row in result.teams if row.label == name)


def test_each_team_adds_up_its_reps_and_falls_back_to_their_quotas(deals, teams):
    result = forecast(period=Q1)
    east, west = _team(result, "East"), _team(result, "West")
    # East: won 1000 + 250; commit + 400; best case + 300; weighted 320 + 150 + 150.
    assert (east.closed_won, east.commit, east.best_case, east.weighted) == (
        Decimal("1250.00"),
        Decimal("1650.00"),
        Decimal("1950.00"),
        Decimal("620.00"),
    )
    assert east.pipeline == Decimal("1300.00")  # 400 + 300 + 600
    assert east.target == Decimal("5000.00")  # 4000 + 1000: no team quota
    assert east.attainment == 0.25
    # West: won 2000, commit 2500, weighted 400; the April deal is another quarter.
    assert (west.closed_won, west.commit, west.weighted, west.target) == (
        Decimal("2000.00"),
        Decimal("2500.00"),
        Decimal("400.00"),
        Decimal("3000.00"),
    )
    assert west.team_id == teams[1].pk and west.owner_id is None


def test_a_team_quota_is_its_target_and_the_whole_team_quota_keeps_its_meaning(
    deals, teams, manager
):
    east, _ = teams
    QuotaFactory(team=east, period="quarter", on=date(2027, 3, 1), target=Decimal("2500"))
    result = forecast(period=Q1)
    assert _team(result, "East").target == Decimal("2500.00")
    assert _team(result, "East").attainment == 0.5
    # No whole-team quota yet: the reps' quotas added up (a team quota is not one).
    assert result.team.target == Decimal("8000.00")
    QuotaFactory(period="quarter", on=date(2027, 3, 1), target=Decimal("10000"))
    result = forecast(period=Q1)
    assert result.team.target == Decimal("10000.00")
    assert result.team.closed_won == Decimal("3250.00")  # every won deal
    assert result.team.attainment == 0.325
    assert Quota.objects.get(owner=None, team=None).is_team


def test_forecast_filtered_by_team(deals, teams, rep, other_rep):
    east, _ = teams
    result = forecast(period=Q1, team_id=east.pk)
    assert {row.owner_id for row in result.rows} == {rep.pk, other_rep.pk}
    assert [row.label for row in result.teams] == ["East"]


def test_a_rep_sees_their_own_row_and_their_team(api, deals, teams, rep):
    body = api(rep).get("/api/v1/metrics/forecast/", {"on": "2027-03-31"}).json()
    assert [row["owner"] for row in body["reps"]] == [rep.pk]
    assert [row["label"] for row in body["teams"]] == ["East"]
    # Filters are the managers': a rep's team parameter changes nothing.
    other = api(rep).get("/api/v1/metrics/forecast/", {"on": "2027-03-31", "team": teams[1].pk})
    assert other.json()["reps"] == body["reps"]


def test_forecast_api_per_team_with_history(api, deals, teams, manager):
    east, _ = teams
    forecast_snapshots_take(on=date(2027, 3, 31))
    body = (
        api(manager).get("/api/v1/metrics/forecast/", {"on": "2027-03-31", "team": east.pk}).json()
    )
    assert body["currency"] == "USD"
    [team] = body["teams"]
    assert (team["team"], team["closed_won"], team["target"]) == (east.pk, "1250.00", "5000.00")
    [line] = body["history"]
    assert (line["taken_on"], line["commit"], line["actual_closed_won"]) == (
        "2027-03-29",
        "1650.00",
        "1250.00",
    )


def test_snapshots_per_team_and_their_accuracy(deals, teams, rep):
    east, _ = teams
    written = forecast_snapshots_take(on=date(2027, 3, 31))
    assert written == 12  # (3 reps + 2 teams + whole team) x (month, quarter)
    assert forecast_snapshots_take(on=date(2027, 3, 30)) == 0  # same week
    snap = ForecastSnapshot.objects.get(
        taken_on=date(2027, 3, 29), period="quarter", starts_on=Q1.starts_on, team=east
    )
    assert (snap.owner_id, snap.commit, snap.weighted) == (
        None,
        Decimal("1650.00"),
        Decimal("620.00"),
    )
    # Later a deal closes: East's commit of 1650 against 1250 + 400 won = 1650 exactly.
    from sales.models import Deal
    from sales.pipeline.services import deal_move

    deal = Deal.objects.get(owner=rep, amount=Decimal("400"))
    deal_move(deal_id=deal.pk, to_stage="Won", actor=rep, cause="manual")
    current = forecast(period=Q1)
    [line] = forecast_history(period=Q1, owner_id=None, team_id=east.pk, current=current)
    assert line.actual == Decimal("1650.00")
    assert line.commit_accuracy == 1.0
    # Weighted: 1250 + 620 = 1870 vs 1650: 1 - 220 / 1650.
    assert line.expected_accuracy == pytest.approx(1 - 220 / 1650)


def test_board_filtered_by_team(deals, teams, manager, third_rep):
    _, west = teams
    board = deal_board(user=manager, filters=BoardFilters(team_id=west.pk), on=date(2027, 3, 31))
    owners = {card.owner_id for column in board.columns for card in column.cards}
    assert owners == {third_rep.pk}
    assert sum(column.count for column in board.columns) == 3
    assert [team.name for team in board.teams] == ["East", "West"]


def test_a_rep_board_ignores_the_team_filter(deals, teams, rep):
    _, west = teams
    board = deal_board(user=rep, filters=BoardFilters(team_id=west.pk), on=date(2027, 3, 31))
    owners = {card.owner_id for column in board.columns for card in column.cards}
    assert owners == {rep.pk}
    assert board.teams == []


def test_teams_api_lists_teams_with_members(api, teams, rep, other_rep, marketer):
    _, west = teams
    body = api(rep).get("/api/v1/teams/").json()
    rows = body["results"] if isinstance(body, dict) else body
    rows = sorted(rows, key=lambda t: t["name"])
    assert [(t["name"], [m["id"] for m in t["members"]]) for t in rows] == [
        ("East", sorted([rep.pk, other_rep.pk], key=lambda pk: pk)),
        ("West", [west.members.get().pk]),
    ]
    assert api(marketer).get("/api/v1/teams/").status_code == 403


def test_teams_api_query_count_does_not_grow(api, manager, django_assert_num_queries):
    for number in range(6):
        team_save(actor=manager, name=f"T{number}", manager_id=manager.pk, member_ids=[])
    client = api(manager)
    client.get("/api/v1/teams/")  # warm the token and session caches
    # Token, role, teams with their managers, members (one prefetch).
    with django_assert_num_queries(4):
        client.get("/api/v1/teams/")


def test_a_rep_moves_between_teams(manager, teams, rep):
    east, west = teams
    team_save(actor=manager, name="West", manager_id=None, member_ids=[rep.pk], team_id=west.pk)
    assert list(east.members.all()) != [] and rep not in east.members.all()
    assert rep in west.members.all()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": " "}, "name"),
        ({"name": "East"}, "name"),  # taken
        ({"member_ids": [-1]}, "members"),
    ],
)
def test_bad_team_input_is_refused_and_writes_nothing(manager, teams, changes, field):
    from django.core.exceptions import ValidationError

    from sales.models import Team

    before = Team.objects.count()
    args = {"actor": manager, "name": "North", "manager_id": None, "member_ids": [], **changes}
    with pytest.raises(ValidationError) as refused:
        team_save(**args)
    assert field in refused.value.message_dict
    assert Team.objects.count() == before


def test_team_quotas_through_the_api(api, manager, teams, rep):
    east, _ = teams
    body = {"team": east.pk, "owner": None, "period": "quarter", "starts_on": "2027-01-01"}
    created = api(manager).post("/api/v1/quotas/", {**body, "target": "2500.00"}, format="json")
    assert created.status_code == 201, created.json()
    assert (created.json()["team"], created.json()["is_team"]) == (east.pk, False)
    again = api(manager).post("/api/v1/quotas/", {**body, "target": "10.00"}, format="json")
    assert again.status_code == 409 and "East" in again.json()["detail"]
    both = api(manager).post(
        "/api/v1/quotas/", {**body, "owner": rep.pk, "target": "10.00"}, format="json"
    )
    assert both.status_code == 400 and "team" in both.json()
    assert Quota.objects.count() == 1
    # The whole team's quota for the same quarter is another quota.
    whole = api(manager).post(
        "/api/v1/quotas/", {**body, "team": None, "target": "9000.00"}, format="json"
    )
    assert whole.status_code == 201 and whole.json()["is_team"] is True
    mine = api(rep).get("/api/v1/quotas/").json()["results"]
    assert {q["target"] for q in mine} == {"2500.00", "9000.00"}  # their team's and the whole's


def test_dashboard_forecast_per_team(client, manager, deals, teams, rep, other_rep):
    east, _ = teams
    client.force_login(manager)
    page = client.get(f"/dashboard/forecast/?until=2027-03-31&team={east.pk}")
    assert page.status_code == 200
    text = page.content.decode()
    assert "How the forecast moved: East" in text
    assert "Forecast by team, Q1 2027" in text
    export = client.get(f"/dashboard/forecast/?until=2027-03-31&team={east.pk}&export=forecast")
    names = {line.split(",")[0] for line in export.content.decode().splitlines()[1:]}
    assert names == {
        rep.get_full_name() or rep.username,
        other_rep.get_full_name() or other_rep.username,
        "Whole team",
    }


def test_the_quota_page_shows_each_team_and_sets_its_target(client, manager, teams, deals):
    east, _ = teams
    client.force_login(manager)
    q1 = {"period": "quarter", "starts_on": "2027-01-01"}
    response = client.post(
        "/sales/quotas/set/", {"owner": "team", "team": east.pk, "target": "5000", **q1}
    )
    assert response.status_code == 302
    quota = Quota.objects.get(team=east)
    assert (quota.owner_id, quota.target, quota.starts_on) == (
        None,
        Decimal("5000.00"),
        Q1.starts_on,
    )
    # The whole sales team's quota is still its own row, untouched.
    assert not Quota.objects.filter(team__isnull=True, owner__isnull=True).exists()

    page = client.get("/sales/quotas/", {"period": "quarter", "on": "2027-03-01"})
    rows = {row.team.name: row for row in page.context["board"].teams}
    # East: rep 1,000 + other_rep 250 won in Q1; West: third_rep 2,000.
    assert rows["East"].progress.won == Decimal("1250.00")
    assert rows["East"].progress.target == Decimal("5000.00")
    assert rows["East"].progress.attainment == Decimal("0.25")
    assert (rows["East"].reps, rows["West"].reps) == (2, 1)
    assert rows["West"].progress.won == Decimal("2000.00")
    assert rows["West"].progress.target is None
    assert b"Target for team East" in page.content


def test_a_quota_for_a_rep_and_a_team_at_once_is_refused(client, manager, rep, teams):
    east, _ = teams
    client.force_login(manager)
    response = client.post(
        "/sales/quotas/set/",
        {
            "owner": rep.pk,
            "team": east.pk,
            "target": "10",
            "period": "month",
            "starts_on": "2027-03-01",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert not Quota.objects.exists()
