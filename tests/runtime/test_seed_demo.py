"""`manage.py seed_demo`: the demo users, campaigns and a year of leads whose stage
histories came through the one writer; a second run adds nothing."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db.models import Count, F, Max, Min
from django.utils import timezone

from funnel.management.commands.funnel_rebuild_milestones import milestones_drift
from funnel.models import StageChange
from funnel.roles import MANAGERS, MARKETING, SALES
from funnel.stages import Stage
from leads.models import Lead
from marketing.models import Campaign

pytestmark = pytest.mark.django_db


def _counts():
    return (
        get_user_model().objects.count(),
        Campaign.objects.count(),
        Lead.objects.count(),
        StageChange.objects.count(),
    )


def test_seed_demo_builds_a_consistent_year_and_is_idempotent():
    call_command("seed_demo", stdout=StringIO())
    first = _counts()
    output = StringIO()
    call_command("seed_demo", stdout=output)
    assert _counts() == first
    assert "leads: 0 created" in output.getvalue()

    users = {user.username: user for user in get_user_model().objects.prefetch_related("groups")}
    roles = {name: {g.name for g in user.groups.all()} for name, user in users.items()}
    assert roles["manager"] == {MANAGERS}
    assert roles["marketer"] == {MARKETING}
    assert roles["rep1"] == roles["rep2"] == {SALES}
    assert users["admin"].is_superuser
    for username in ("admin", "manager", "marketer", "rep1", "rep2"):
        assert authenticate(username=username, password="funnel-demo") is not None

    campaigns = Campaign.objects.all()
    assert campaigns.count() >= 5
    assert len({c.channel for c in campaigns}) >= 5
    assert len({c.budget for c in campaigns}) >= 5

    leads = Lead.objects.all()
    assert 450 <= leads.count() <= 550
    span = leads.aggregate(first=Min("created_at"), last=Max("created_at"))
    now = timezone.now()
    assert span["first"] >= now - timedelta(days=366)
    assert span["first"] <= now - timedelta(days=300)
    assert span["last"] >= now - timedelta(days=31)
    assert leads.filter(source_campaign__isnull=False).count() > leads.count() // 2

    # Every stage is represented, and so are the moves back: recycled, re-engaged, reopened.
    by_stage = dict(leads.values_list("stage").annotate(n=Count("pk")))
    assert set(by_stage) == set(Stage)
    moves = set(StageChange.objects.values_list("from_stage", "to_stage").distinct())
    assert {
        (Stage.PROSPECT, Stage.LEAD),
        (Stage.LOST, Stage.LEAD),
        (Stage.DISQUALIFIED, Stage.LEAD),
        (Stage.LOST, Stage.PROSPECT),
    } <= moves

    # History and stage agree, and prospects and beyond have a rep as owner.
    assert milestones_drift()["counts"]["leads"] == 0
    owned = leads.filter(stage__in=[Stage.PROSPECT, Stage.CUSTOMER, Stage.LOST])
    assert set(owned.values_list("owner__username", flat=True)) == {"rep1", "rep2"}
    assert not StageChange.objects.filter(at__gt=now).exists()
    assert not StageChange.objects.filter(at__lt=F("lead__created_at")).exists()


def test_seed_demo_writes_a_few_emails_once_for_the_outbox():
    from mail.models import EmailTemplate, Message

    call_command("seed_demo", stdout=StringIO())
    messages = list(Message.objects.select_related("lead", "sender"))
    assert len(messages) == 4
    for message in messages:
        # A rep's own prospect, from that rep, merge fields filled.
        assert message.lead.stage == Stage.PROSPECT
        assert message.sender == message.lead.owner
        assert message.to_email == message.lead.email
        assert "{{" not in message.subject + message.body_text
        assert message.lead.company in message.subject
    assert EmailTemplate.objects.count() == 2

    call_command("seed_demo", stdout=StringIO())
    assert Message.objects.count() == 4
    assert EmailTemplate.objects.count() == 2


def test_seed_demo_puts_each_rep_in_a_team_with_a_target():
    from sales.models import Quota
    from sales.teams.models import Team

    call_command("seed_demo", stdout=StringIO())
    teams = {team.name: [m.username for m in team.members.all()] for team in Team.objects.all()}
    assert teams == {"North": ["rep1"], "South": ["rep2"]}
    assert Quota.objects.filter(team__isnull=False).count() == 2
    call_command("seed_demo", stdout=StringIO())
    assert Team.objects.count() == 2
