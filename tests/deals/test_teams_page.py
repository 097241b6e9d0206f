"""The Teams page: managers list, add and change teams; a refused save is a 400 with the
message and writes nothing; reps and marketing get 403."""

import pytest

from sales.models import Team, TeamMember
from sales.teams.services import team_save

pytestmark = pytest.mark.django_db


def test_managers_add_a_team_with_reps(client, manager, rep, other_rep):
    client.force_login(manager)
    response = client.post(
        "/sales/teams/save/",
        {"name": "East", "manager": manager.pk, "members": [rep.pk, other_rep.pk]},
    )
    assert response.status_code == 302
    team = Team.objects.get(name="East")
    assert set(team.members.all()) == {rep, other_rep} and team.manager == manager
    page = client.get("/sales/teams/").content.decode()
    assert "East" in page and "2 reps" in page


def test_a_team_changes_name_and_reps(client, manager, rep, other_rep):
    team = team_save(actor=manager, name="East", manager_id=None, member_ids=[rep.pk])
    client.force_login(manager)
    client.post("/sales/teams/save/", {"team": team.pk, "name": "North", "members": [other_rep.pk]})
    team.refresh_from_db()
    assert team.name == "North" and list(team.members.all()) == [other_rep]


def test_a_refused_save_is_400_with_the_message_and_writes_nothing(client, manager, marketer):
    client.force_login(manager)
    response = client.post("/sales/teams/save/", {"name": "Mixed", "members": [marketer.pk]})
    assert response.status_code == 400
    assert "Team members are active sales reps." in response.content.decode()
    assert not Team.objects.exists() and not TeamMember.objects.exists()


@pytest.mark.parametrize("who", ["rep", "marketer"])
def test_only_managers_use_the_page(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/sales/teams/").status_code == 403
    assert client.post("/sales/teams/save/", {"name": "X"}).status_code == 403
    assert not Team.objects.exists()


def test_page_queries_do_not_grow_with_teams(client, manager, rep, django_assert_max_num_queries):
    for number in range(5):
        team_save(actor=manager, name=f"T{number}", manager_id=manager.pk, member_ids=[])
    client.force_login(manager)
    client.get("/sales/teams/")
    with django_assert_max_num_queries(12):
        assert client.get("/sales/teams/").status_code == 200
