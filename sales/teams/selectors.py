"""Reads of teams: who is in one, which team a rep is in, and the teams a user may read."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, QuerySet

from sales.selectors.visibility import can_work_sales
from sales.teams.models import Team, TeamMember


def team_member_ids(team_id: int) -> list[int]:
    """The reps of a team (an unknown team has none). One query."""
    return list(TeamMember.objects.filter(team_id=team_id).values_list("user_id", flat=True))


def teams_visible_to(user: AbstractBaseUser) -> QuerySet[Team]:
    """Sales staff read every team (names and members, as the board's filter offers
    them); marketing none. Members come in one prefetch query, whatever the count."""
    if not can_work_sales(user):
        return Team.objects.none()
    return Team.objects.select_related("manager").prefetch_related(
        Prefetch("members", queryset=get_user_model().objects.order_by("first_name", "username"))
    )
