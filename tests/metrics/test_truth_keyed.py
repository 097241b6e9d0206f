"""Breakdowns, filters and a rep's scope read from the keyed summaries equal (==) the live
path, before and after owners and campaigns change (leads going from the pool to a rep
and back), moves are added (today and back-dated) and leads deleted, before and after
refreshes and folds (funnel/metrics/keyed_refresh.py, keyed_read.py; PostgreSQL only, like
the rollups). A report needing an owner and a campaign at once (an owner filter or
grouping, or a rep's scope, with a campaign or channel filter or grouping) reads the joint
keys (dim 4)."""

import random
from collections import Counter
from dataclasses import asdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.models import F
from django.test import override_settings

from funnel.metrics import selectors
from funnel.metrics.grouping import GroupBy, MetricFilters
from funnel.metrics.keyed_read import keyed_dimension, keyed_figures
from funnel.metrics.keyed_sql import DIM_CAMPAIGN, DIM_JOINT, DIM_OWNER
from funnel.metrics.rollup_refresh import rollups_refresh
from funnel.metrics.selectors import funnel_report
from funnel.metrics.window import Window
from funnel.models import (
    KeyedCohort,
    KeyedDay,
    KeyedDayFlow,
    KeyedDayStageTime,
    KeyedFlow,
    KeyedLeadNote,
    KeyedMonth,
    RollupDirty,
    StageChange,
)
from funnel.services import lead_transition
from funnel.stages import Cause, next_stages
from leads.models import Lead
from leads.selectors import lead_owner_scope, leads_visible_to
from marketing.models import Campaign
from sales.services.owners import lead_reassign
from tests.factories import CampaignFactory, LeadFactory, ManagerFactory, RepFactory
from tests.support import postgres_only

pytestmark = [postgres_only, pytest.mark.django_db]

TZ = "America/New_York"
ZONE = ZoneInfo(TZ)
# Today is in December; August to November are past months, November holds the end of
# daylight saving time (2025-11-02).
NOW = datetime(2025, 12, 10, 15, 30, tzinfo=ZONE)
WINDOWS = [
    Window(date(2025, 8, 1), date(2025, 10, 31)),  # whole months
    Window(date(2025, 8, 17), date(2025, 11, 20)),  # partial edge months
    Window(date(2025, 9, 1), date(2025, 12, 10)),  # to today
    Window(date(2025, 11, 1), date(2025, 11, 30)),  # the month of the time change
    Window(date(2025, 7, 1), date(2026, 1, 31)),  # everything
    Window(date(2025, 11, 11), date(2025, 12, 10)),  # the last 30 days: keyed days, today
    Window(date(2025, 12, 1), date(2025, 12, 9)),  # this month's past days
    Window(date(2025, 10, 3), date(2025, 10, 3)),  # one past day
]
LAST_30_DAYS = WINDOWS[5]
GROUPINGS = [None, GroupBy.MONTH, GroupBy.OWNER, GroupBy.CAMPAIGN, GroupBy.CHANNEL]


def _at(rng: random.Random, after: datetime) -> datetime:
    """A time after `after` and before NOW, sometimes exactly on a local midnight."""
    span = (NOW - after).total_seconds()
    moment = after + timedelta(seconds=rng.uniform(1, max(span, 2) - 1))
    if rng.random() < 0.2:
        moment = datetime.combine(moment.astimezone(ZONE).date(), time.min, tzinfo=ZONE)
        if moment <= after:
            moment = after + timedelta(seconds=1)
    return min(moment, NOW)


def _build(seed: int):
    rng = random.Random(seed)
    campaigns = [
        CampaignFactory(channel=Campaign.Channel.EMAIL),
        CampaignFactory(channel=Campaign.Channel.SOCIAL),
        CampaignFactory(channel=Campaign.Channel.EMAIL),
    ]
    reps = [RepFactory(), RepFactory(), RepFactory()]
    start = datetime(2025, 8, 1, tzinfo=ZONE)
    for _ in range(40):
        created = _at(rng, start)
        lead = LeadFactory(
            created_at=created,
            owner=rng.choice([None, *reps]),
            source_campaign=rng.choice([None, *campaigns]),
        )
        _walk(rng, lead, rng.choice([0, 1, 2, 3, 5]))
    return campaigns, reps


def _walk(rng: random.Random, lead: Lead, steps: int, *, at=None) -> None:
    lead.refresh_from_db()
    stage, moment = lead.stage, max(lead.stage_changed_at or lead.created_at, lead.created_at)
    for _ in range(steps):
        options = next_stages(stage)
        if not options:
            return
        stage = rng.choice(options).value
        moment = at or _at(rng, moment)
        lead_transition(lead_id=lead.pk, to_stage=stage, cause=Cause.MANUAL, at=moment)


def _live(**kwargs):
    real = selectors.keyed_figures
    selectors.keyed_figures = lambda **_: None
    try:
        return selectors.funnel_report(**kwargs)
    finally:
        selectors.keyed_figures = real


def _views(campaigns, reps, manager):
    """(user, group_by, filters) read from the keyed summaries."""
    filters = [
        MetricFilters(),
        MetricFilters(owner_id=reps[0].pk),
        MetricFilters(campaign_id=campaigns[0].pk),
        MetricFilters(channel=Campaign.Channel.EMAIL),
        MetricFilters(owner_id=reps[0].pk, campaign_id=campaigns[0].pk),
        MetricFilters(owner_id=reps[1].pk, channel=Campaign.Channel.EMAIL),
    ]
    for user in (manager, reps[1]):
        for group_by in GROUPINGS:
            for narrowing in filters:
                yield user, group_by, narrowing


def _compare(campaigns, reps, manager) -> Counter:
    """Every view equal to the live path; the keyed reads per dimension."""
    keyed_reads = Counter()
    real = selectors.keyed_figures

    def counted(**kwargs):
        result = real(**kwargs)
        if result is not None:
            keyed_reads[kwargs["dim"]] += 1
        return result

    for window in WINDOWS:
        for user, group_by, filters in _views(campaigns, reps, manager):
            kwargs = {
                "window": window,
                "group_by": group_by,
                "filters": filters,
                "leads": leads_visible_to(user),
                "owner_scope": lead_owner_scope(user),
            }
            selectors.keyed_figures = counted
            try:
                keyed = selectors.funnel_report(**kwargs)
            finally:
                selectors.keyed_figures = real
            case = f"{window} {group_by} {filters} as {user.username}"
            assert asdict(keyed) == asdict(_live(**kwargs)), case
    return keyed_reads


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_keyed_figures_equal_the_live_ones_through_changes_refreshes_and_folds(seed):
    rng = random.Random(seed)
    with override_settings(TIME_ZONE=TZ), time_machine.travel(NOW, tick=False):
        campaigns, reps = _build(seed)
        manager = ManagerFactory()
        assert rollups_refresh().full
        first = StageChange.objects.earliest("at").at.astimezone(ZONE).month
        assert sorted(KeyedMonth.objects.values_list("month", flat=True)) == [
            date(2025, month, 1) for month in range(first, 12)
        ]
        first_day = StageChange.objects.earliest("at").at.astimezone(ZONE).date()
        assert sorted(KeyedDay.objects.values_list("day", flat=True)) == [
            first_day + timedelta(days=n) for n in range((NOW.date() - first_day).days)
        ]
        # The last 30 days come from the summaries: day rows, today live.
        assert _reads_keyed(LAST_30_DAYS)
        # Every view above reads one dimension (owner and campaign at once: the joint
        # one), so all of them come from the summaries (unless mostly read live).
        assert set(_compare(campaigns, reps, manager)) == {DIM_OWNER, DIM_CAMPAIGN, DIM_JOINT}

        # Owners and a campaign change: through the one writer, and set-based.
        leads = list(Lead.objects.order_by("pk"))
        for lead in rng.sample(leads, 5):
            lead_reassign(lead_id=lead.pk, to_owner=rng.choice([None, *reps]), actor=manager)
        moved = [lead.pk for lead in rng.sample(leads, 6)]
        Lead.objects.filter(pk__in=moved).update(owner=reps[2])
        Lead.objects.filter(pk=leads[0].pk).update(source_campaign=campaigns[1])
        Lead.objects.filter(pk=leads[1].pk).update(source_campaign=None)
        # The viewing rep takes a lead from the pool and gives one of theirs back.
        taken, given = _pool_swap(reps[1], manager)
        assert KeyedLeadNote.objects.exists()
        assert _compare(campaigns, reps, manager)[DIM_JOINT]

        # A refresh that builds no month keeps the young notes: readers still correct.
        result = rollups_refresh()
        assert (result.keyed_months, result.keyed_days, result.folded) == (0, 0, False)
        assert KeyedLeadNote.objects.exists()
        _compare(campaigns, reps, manager)

        # Moves today and back-dated into September, a lead reassigned twice, one deleted.
        for lead in rng.sample(leads[2:], 4):
            _walk(rng, lead, 1, at=NOW)
        for lead in rng.sample(leads[2:], 3):
            _walk(rng, lead, 1, at=datetime(2025, 9, 30, 23, 59, 59, tzinfo=ZONE))
        # And into a past day of this month (a kept day, now pending: read live).
        for lead in rng.sample(leads[2:], 2):
            _walk(rng, lead, 1, at=datetime(2025, 12, 3, 0, 0, tzinfo=ZONE))
        twice = leads[2]
        for owner in (reps[0], reps[1]):
            lead_reassign(lead_id=twice.pk, to_owner=owner, actor=manager)
        Lead.objects.filter(pk=leads[3].pk).delete()
        # And back: the taken lead returns to the pool, the given one to the rep, with
        # another campaign.
        lead_reassign(lead_id=taken, to_owner=None, actor=manager)
        lead_reassign(lead_id=given, to_owner=reps[1], actor=manager)
        Lead.objects.filter(pk=taken).update(source_campaign=campaigns[2])
        # (Back-dated moves may leave every window mostly pending: then read live.)
        _compare(campaigns, reps, manager)

        # September is rebuilt, so every month and day a noted lead moved in is too, notes
        # folded.
        result = rollups_refresh()
        assert result.folded and result.keyed_months >= 1 and result.keyed_days >= 1
        assert not KeyedLeadNote.objects.exists()
        _compare(campaigns, reps, manager)

        # From the pool to the rep after the fold, and a lead of another rep to the pool.
        _pool_swap(reps[1], manager)
        other = Lead.objects.filter(owner=reps[0]).order_by("pk").first()
        lead_reassign(lead_id=other.pk, to_owner=None, actor=manager)
        assert _compare(campaigns, reps, manager)[DIM_JOINT]

        # Old notes are folded even when no month is rebuilt.
        for lead in rng.sample(leads[4:], 4):
            lead_reassign(lead_id=lead.pk, to_owner=rng.choice([None, *reps]), actor=manager)
        assert not rollups_refresh().folded
        KeyedLeadNote.objects.update(noted_at=datetime(2025, 1, 1, tzinfo=ZONE))
        assert rollups_refresh().folded
        assert not KeyedLeadNote.objects.exists()
        _compare(campaigns, reps, manager)

    # The next day: yesterday (NOW's day) is built, once; the last 30 days still equal.
    with override_settings(TIME_ZONE=TZ), time_machine.travel(NOW + timedelta(days=1)):
        lead_reassign(lead_id=leads[5].pk, to_owner=reps[0], actor=manager)
        result = rollups_refresh()
        assert result.keyed_days >= 1 and result.folded  # and the noted lead's periods
        assert KeyedDay.objects.filter(day=NOW.date()).exists()
        assert rollups_refresh().keyed_days == 0
        # Moves today, after the build: read live beside yesterday's day rows.
        for lead in rng.sample(leads[4:], 3):
            _walk(rng, lead, 1, at=NOW + timedelta(days=1))
        lead_reassign(lead_id=leads[6].pk, to_owner=None, actor=manager)
        assert _reads_keyed(Window(date(2025, 11, 12), date(2025, 12, 11)))
        _compare(campaigns, reps, manager)

    # A month later: December is built (and a noted lead's months, folded), once.
    with override_settings(TIME_ZONE=TZ), time_machine.travel(NOW + timedelta(days=31)):
        result = rollups_refresh()
        assert result.keyed_months >= 1
        assert KeyedMonth.objects.filter(month=date(2025, 12, 1)).exists()
        assert KeyedDay.objects.filter(day=date(2026, 1, 9)).exists()
        result = rollups_refresh()
        assert (result.keyed_months, result.keyed_days) == (0, 0)


def _reads_keyed(window: Window) -> bool:
    """Does a manager's report by owner of `window` come from the summaries?"""
    figures = keyed_figures(
        window=window, group_by=GroupBy.OWNER, dim=DIM_OWNER, filters=MetricFilters()
    )
    return figures is not None


def _pool_swap(rep, manager) -> tuple[int, int]:
    """`rep` takes the oldest pool lead with moves and gives their oldest one to the pool."""
    moved = Lead.objects.filter(stage_changes__isnull=False).order_by("pk")
    taken = moved.filter(owner=None).first().pk
    given = moved.filter(owner=rep).first().pk
    lead_reassign(lead_id=taken, to_owner=rep, actor=manager)
    lead_reassign(lead_id=given, to_owner=None, actor=manager)
    return taken, given


def test_reports_needing_owner_and_campaign_read_the_joint_dimension():
    rep, campaign = (7, None), MetricFilters(campaign_id=3)
    channel = MetricFilters(channel=Campaign.Channel.EMAIL)
    owner = MetricFilters(owner_id=7)
    joint = [
        (GroupBy.CAMPAIGN, MetricFilters(), rep),
        (GroupBy.CHANNEL, channel, rep),
        (GroupBy.MONTH, campaign, rep),
        (None, channel, rep),
        (GroupBy.CHANNEL, owner, rep),
        (GroupBy.OWNER, campaign, rep),
        (GroupBy.OWNER, channel, None),
        (GroupBy.CAMPAIGN, owner, None),
        (GroupBy.MONTH, MetricFilters(owner_id=7, channel=Campaign.Channel.EMAIL), None),
        (GroupBy.CAMPAIGN, MetricFilters(), (7,)),
    ]
    for group_by, filters, scope in joint:
        assert keyed_dimension(group_by=group_by, filters=filters, owner_scope=scope) == 4
    assert keyed_dimension(group_by=GroupBy.CHANNEL, filters=MetricFilters(), owner_scope=None) == 2
    assert keyed_dimension(group_by=GroupBy.MONTH, filters=MetricFilters(), owner_scope=rep) == 1
    assert (
        keyed_dimension(group_by=GroupBy.MONTH, filters=MetricFilters(), owner_scope=None) is None
    )


def test_joint_views_count_the_joint_keyed_rows():
    """Not a tautology: one wrong joint row makes a joint view differ from the live path,
    and spoiling them all changes every joint view (only those: the manager's by channel,
    dim 2, stays)."""
    with override_settings(TIME_ZONE=TZ), time_machine.travel(NOW, tick=False):
        campaigns, reps = _build(4)
        manager = ManagerFactory()
        rollups_refresh()
        narrowed = MetricFilters(owner_id=reps[0].pk, channel=Campaign.Channel.EMAIL)
        views = {
            "rep by channel": (reps[1], GroupBy.CHANNEL, MetricFilters()),
            "owner by campaign": (manager, GroupBy.CAMPAIGN, MetricFilters(owner_id=reps[0].pk)),
            "by owner, campaign": (
                manager,
                GroupBy.OWNER,
                MetricFilters(campaign_id=campaigns[0].pk),
            ),
            "by month, owner and channel": (manager, GroupBy.MONTH, narrowed),
            "manager by channel": (manager, GroupBy.CHANNEL, MetricFilters()),
        }
        kwargs = {
            name: {
                "window": WINDOWS[0],
                "group_by": group_by,
                "filters": filters,
                "leads": leads_visible_to(who),
                "owner_scope": lead_owner_scope(who),
            }
            for name, (who, group_by, filters) in views.items()
        }
        before = {name: asdict(selectors.funnel_report(**kw)) for name, kw in kwargs.items()}
        for name, kw in kwargs.items():
            assert before[name] == asdict(_live(**kw)), name

        # One cohort row, then one flow row, of an owned lead's pair: that owner's figures
        # by campaign differ from the live ones.
        owned = {"key__gte": campaigns[0].pk << 32, "key__lt": (campaigns[-1].pk + 1) << 32}
        for model, column, within in (
            (KeyedCohort, "cohort", {"day__gte": WINDOWS[0].since, "day__lte": WINDOWS[0].until}),
            (KeyedFlow, "moves", {"month__gte": WINDOWS[0].since, "month__lt": date(2025, 11, 1)}),
        ):
            row = (
                model.objects.filter(dim=DIM_JOINT, **owned, **within)
                .exclude(key__in=[c.pk << 32 for c in campaigns])
                .first()
            )
            view = {
                **kwargs["owner by campaign"],
                "filters": MetricFilters(owner_id=row.key & 0xFFFFFFFF),
            }
            one = model.objects.filter(pk=row.pk)
            one.update(**{column: F(column) + 1})
            assert asdict(selectors.funnel_report(**view)) != asdict(_live(**view)), model
            one.update(**{column: F(column) - 1})

        # A narrow report takes every duration from the stage-time rows: one campaign's
        # all set to 100 days change its owners' percentiles, not its flow.
        narrow = {**kwargs["by owner, campaign"], "window": WINDOWS[4]}
        unspoilt = asdict(selectors.funnel_report(**narrow))["totals"]
        assert unspoilt == asdict(_live(**narrow))["totals"]
        assert sum(t["moves"] for t in unspoilt["time_in_stage"].values())
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE funnel_keyed_stage_time SET durations = "
                "decode(repeat('4059000000000000', moves), 'hex') "
                "WHERE dim = %s AND key >= %s AND key < %s",
                [DIM_JOINT, campaigns[0].pk << 32, (campaigns[0].pk + 1) << 32],
            )
        spoilt = asdict(selectors.funnel_report(**narrow))["totals"]
        assert spoilt["flow"] == unspoilt["flow"]
        assert spoilt["time_in_stage"] != unspoilt["time_in_stage"]

        KeyedFlow.objects.filter(dim=DIM_JOINT).update(moves=F("moves") + 100)
        KeyedCohort.objects.filter(dim=DIM_JOINT).update(cohort=F("cohort") + 100)
        after = {name: asdict(selectors.funnel_report(**kw)) for name, kw in kwargs.items()}
    for name in views:
        if name == "manager by channel":
            assert after[name] == before[name]
        else:
            assert after[name] != before[name], name


def test_the_trigger_notes_the_key_the_months_counted():
    manager = ManagerFactory()
    first, second = RepFactory(), RepFactory()
    campaign = CampaignFactory()
    lead = LeadFactory(owner=first, source_campaign=campaign)
    rollups_refresh()
    Lead.objects.filter(pk=lead.pk).update(score=7)  # neither owner nor campaign
    assert not KeyedLeadNote.objects.exists()
    lead_reassign(lead_id=lead.pk, to_owner=second, actor=manager)
    lead_reassign(lead_id=lead.pk, to_owner=None, actor=manager)
    Lead.objects.filter(pk=lead.pk).update(source_campaign=None)
    notes = list(KeyedLeadNote.objects.order_by("id").values_list("owner_was", "campaign_was"))
    # Append-only; the oldest holds what the built months counted.
    assert notes == [(first.pk, campaign.pk), (second.pk, campaign.pk), (0, campaign.pk)]


def test_full_rebuild_forgets_every_note():
    manager = ManagerFactory()
    lead = LeadFactory(owner=RepFactory())
    rollups_refresh()
    lead_reassign(lead_id=lead.pk, to_owner=None, actor=manager)
    assert KeyedLeadNote.objects.count() == 1
    assert rollups_refresh(full=True).folded
    assert not KeyedLeadNote.objects.exists()


def test_lead_triggers_are_ours():
    """The day rollups' lead trigger watches milestones only (as migration 0005 made it);
    the keyed note has a statement trigger of its own (migration 0013) whose function
    compares owner and campaign between the transition tables."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
            "WHERE tgname IN ('funnel_rollup_leads_upd', 'funnel_keyed_leads_upd')"
        )
        definitions = dict(cursor.fetchall())
        cursor.execute("SELECT pg_get_functiondef('funnel_keyed_leads_noted'::regproc)")
        noted = cursor.fetchone()[0]
    assert "owner_id" not in definitions["funnel_rollup_leads_upd"]
    assert "FOR EACH STATEMENT" in definitions["funnel_keyed_leads_upd"]
    assert "owner_id IS DISTINCT FROM" in noted
    assert "source_campaign_id IS DISTINCT FROM" in noted


def test_one_set_based_update_notes_each_changed_lead_once_and_nothing_else():
    """The statement trigger writes a note per lead whose owner or campaign the statement
    changed, with the values before it; rows updated otherwise, or set to what they were,
    write nothing."""
    first, second = RepFactory(), RepFactory()
    campaign = CampaignFactory()
    moved = LeadFactory(owner=first)
    recampaigned = LeadFactory(owner=None, source_campaign=None)
    unchanged = LeadFactory(owner=second)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE leads_lead SET owner_id = CASE WHEN id = %s THEN %s ELSE owner_id END, "
            "source_campaign_id = CASE WHEN id = %s THEN %s ELSE source_campaign_id END, "
            "score = score + 1 WHERE id = ANY(%s)",
            [
                moved.pk,
                second.pk,
                recampaigned.pk,
                campaign.pk,
                [moved.pk, recampaigned.pk, unchanged.pk],
            ],
        )
        cursor.execute("UPDATE leads_lead SET score = score + 1")
    notes = {n.lead_id: (n.owner_was, n.campaign_was) for n in KeyedLeadNote.objects.all()}
    assert notes == {
        moved.pk: (first.pk, moved.source_campaign_id or 0),
        recampaigned.pk: (0, 0),
    }
    assert KeyedLeadNote.objects.count() == 2


def test_an_owner_change_notes_the_lead_once_and_its_cohort_day_until_the_refresh():
    """One row per reassigned lead (no dirty day for the day rollups, whose figures do not
    depend on the owner); the keyed reader reads its creation day live until the refresh
    rebuilds that day's keyed cohort and clears the note's `cohort_pending`."""
    manager = ManagerFactory()
    first, second = RepFactory(), RepFactory()
    lead = LeadFactory(owner=first, created_at=datetime(2026, 11, 3, 15, tzinfo=ZoneInfo("UTC")))
    with time_machine.travel(datetime(2026, 12, 5, 9, tzinfo=ZoneInfo("UTC")), tick=False):
        _reassigned_cohort_day(lead, manager, first, second)


def _reassigned_cohort_day(lead, manager, first, second):
    rollups_refresh()
    lead_reassign(lead_id=lead.pk, to_owner=second, actor=manager)
    assert not RollupDirty.objects.exists()
    assert list(KeyedLeadNote.objects.values_list("cohort_pending", flat=True)) == [True]
    window = Window(date(2026, 11, 1), date(2026, 11, 30))
    by_owner = funnel_report(window=window, group_by=GroupBy.OWNER)
    assert {g.key: g.figures.cohort for g in by_owner.groups} == {str(second.pk): 1}
    rollups_refresh()
    assert list(KeyedLeadNote.objects.values_list("cohort_pending", flat=True)) == [False]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT key, cohort FROM funnel_keyed_cohort WHERE dim = 1 AND day = '2026-11-03'"
        )
        assert cursor.fetchall() == [(second.pk, 1)]
    again = funnel_report(window=window, group_by=GroupBy.OWNER)
    assert {g.key: g.figures.cohort for g in again.groups} == {str(second.pk): 1}


@pytest.mark.parametrize("corrupt", ["flow", "stage_time"])
def test_the_last_30_days_count_the_keyed_day_rows(corrupt):
    """Not a tautology: spoiling the day rows of the last 30 days changes the figures."""
    with override_settings(TIME_ZONE=TZ), time_machine.travel(NOW, tick=False):
        _campaigns, reps = _build(5)
        rollups_refresh()
        views = [
            {"window": LAST_30_DAYS, "group_by": group_by, **scope}
            for group_by in (GroupBy.OWNER, GroupBy.CHANNEL)
            for scope in (
                {},
                {"leads": leads_visible_to(reps[1]), "owner_scope": lead_owner_scope(reps[1])},
            )
        ]
        assert all(asdict(funnel_report(**view)) == asdict(_live(**view)) for view in views)
        days = KeyedDayFlow.objects.filter(day__gte=LAST_30_DAYS.since)
        assert days.exists()
        if corrupt == "flow":
            days.update(moves=F("moves") + 1)
        else:  # the times in stage of the window's kept days go missing
            KeyedDayStageTime.objects.filter(day__gte=LAST_30_DAYS.since).delete()
        differ = [view for view in views if asdict(funnel_report(**view)) != asdict(_live(**view))]
    assert len(differ) == len(views)


@pytest.mark.parametrize(
    ("deleted", "seed", "noted_as", "dim"),
    [("campaign", 4, "campaign_was", DIM_CAMPAIGN), ("owner", 5, "owner_was", DIM_OWNER)],
)
def test_a_deleted_campaign_or_owner_equals_the_live_path_before_and_after_the_fold(
    deleted, seed, noted_as, dim
):
    """Deleting a campaign or a user sets their leads' campaign or owner to none (SET_NULL:
    one statement, a note per lead). Until the fold, keyed rows still count those moves
    under the gone id and the reader moves them to none; after it the rows are rebuilt.
    Every view, by channel included (a gone campaign has no channel label), equals live.
    A report reading a channel's keyed rows by their keys spelled out (every user, and
    none) does not read a gone owner's rows, and must not take the noted moves out of
    them either."""
    with override_settings(TIME_ZONE=TZ), time_machine.travel(NOW, tick=False):
        campaigns, reps = _build(seed)
        manager = ManagerFactory()
        rollups_refresh()
        gone = campaigns[2] if deleted == "campaign" else reps[2]
        gone_id = gone.pk
        column = "source_campaign_id" if deleted == "campaign" else "owner_id"
        had = Lead.objects.filter(**{column: gone_id}).count()
        assert had
        gone.delete()
        assert KeyedLeadNote.objects.filter(**{noted_as: gone_id}).count() == had
        reads = _compare(campaigns, reps[:2], manager)
        assert reads[dim] and reads[DIM_JOINT]
        KeyedLeadNote.objects.update(noted_at=datetime(2025, 1, 1, tzinfo=ZONE))
        assert rollups_refresh().folded
        assert not KeyedLeadNote.objects.exists()
        _compare(campaigns, reps[:2], manager)
