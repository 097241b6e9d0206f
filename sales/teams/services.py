"""Writes of teams: one service saves a team's name, manager and reps together. A rep is in
one team at most: adding them here takes them out of the team they were in."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from funnel.roles import MANAGERS, is_manager
from sales.services.owners import active_sales_reps
from sales.teams.models import Team, TeamMember


def team_save(
    *,
    actor: AbstractBaseUser,
    name: str,
    manager_id: int | None,
    member_ids: list[int],
    team_id: int | None = None,
) -> Team:
    """Create (no `team_id`) or change a team. Managers only; members are active sales
    reps, the manager a manager."""
    if not is_manager(actor):
        raise PermissionDenied("Only a manager can change teams.")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the team a name."})
    if len(name) > 100:
        raise ValidationError({"name": "Keep the name under 100 characters."})
    members = set(member_ids)
    reps = set(active_sales_reps().filter(pk__in=members).values_list("pk", flat=True))
    if members - reps:
        raise ValidationError({"members": "Team members are active sales reps."})
    users = get_user_model().objects
    if (
        manager_id is not None
        and not users.filter(pk=manager_id, is_active=True, groups__name=MANAGERS).exists()
    ):
        raise ValidationError({"manager": "A team's manager is an active manager."})
    try:
        with transaction.atomic():
            if team_id is None:
                team = Team.objects.create(name=name, manager_id=manager_id)
            else:
                team = Team.objects.select_for_update().get(pk=team_id)
                team.name, team.manager_id = name, manager_id
                team.save(update_fields=["name", "manager"])
            TeamMember.objects.filter(team=team).exclude(user_id__in=members).delete()
            # Moving a rep from another team: their one membership changes team.
            TeamMember.objects.filter(user_id__in=members).exclude(team=team).delete()
            TeamMember.objects.bulk_create(
                [TeamMember(team=team, user_id=user) for user in sorted(members)],
                ignore_conflicts=True,
            )
    except IntegrityError:
        raise ValidationError({"name": f"There is already a team called {name!r}."}) from None
    return team
