"""The keyed refresh takes exactly the notes its snapshot saw, and the keyed reader runs a
fixed number of statements whatever the data (PostgreSQL only, like the summaries)."""

import threading
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from rest_framework.test import APIClient

from funnel.metrics import keyed_refresh, selectors
from funnel.metrics.grouping import GroupBy
from funnel.metrics.rollup_refresh import rollups_refresh
from funnel.metrics.window import Window
from funnel.models import KeyedLeadNote
from funnel.services import lead_transition
from funnel.stages import Cause
from leads.models import Lead
from sales.services.owners import lead_reassign
from tests.factories import CampaignFactory, LeadFactory, ManagerFactory, RepFactory
from tests.support import postgres_only

pytestmark = [postgres_only]

WINDOW = Window(date(2025, 1, 1), date(2025, 12, 31))


def _lead_with_moves(owner, created: datetime) -> Lead:
    lead = LeadFactory(owner=owner, created_at=created)
    at = created
    for stage in ("prospect", "lost", "lead"):
        at += timedelta(days=3, hours=5)
        lead_transition(lead_id=lead.pk, to_stage=stage, cause=Cause.MANUAL, at=at)
    return lead


def _keyed_and_live(group_by=GroupBy.OWNER) -> tuple[dict, dict]:
    keyed = selectors.funnel_report(window=WINDOW, group_by=group_by)
    real = selectors.keyed_figures
    selectors.keyed_figures = lambda **_: None
    try:
        live = selectors.funnel_report(window=WINDOW, group_by=group_by)
    finally:
        selectors.keyed_figures = real
    return asdict(keyed), asdict(live)


@pytest.mark.django_db(transaction=True)
def test_a_note_committed_during_the_refresh_survives_it(monkeypatch):
    manager = ManagerFactory()
    first, second = RepFactory(), RepFactory()
    early = _lead_with_moves(first, datetime(2025, 3, 1, 10, tzinfo=UTC))
    late = _lead_with_moves(first, datetime(2025, 4, 1, 10, tzinfo=UTC))
    rollups_refresh()
    lead_reassign(lead_id=early.pk, to_owner=second, actor=manager)
    KeyedLeadNote.objects.update(noted_at=datetime(2025, 1, 1, tzinfo=UTC))  # old: fold

    real_build = keyed_refresh._build
    written = []

    def build_then_someone_reassigns(cursor, tz, grain, periods):
        real_build(cursor, tz, grain, periods)
        if written:
            return

        def reassign():
            try:
                lead_reassign(lead_id=late.pk, to_owner=second, actor=manager)
                written.append(True)
            finally:
                connection.close()

        other = threading.Thread(target=reassign)
        other.start()
        other.join()

    monkeypatch.setattr(keyed_refresh, "_build", build_then_someone_reassigns)
    try:
        assert rollups_refresh().folded
    finally:
        connection.close()
    assert written
    # The early note was folded; the late one describes a change the rebuilt months do
    # not hold (they were read before it committed), so it stays.
    assert list(KeyedLeadNote.objects.values_list("lead_id", "owner_was")) == [(late.pk, first.pk)]
    keyed, live = _keyed_and_live()
    assert keyed == live
    assert [g["key"] for g in live["groups"]] == [str(second.pk)]


def _leads(count: int) -> list[Lead]:
    reps = [RepFactory(), RepFactory()]
    campaigns = [CampaignFactory(), CampaignFactory(channel="social")]
    leads = []
    for n in range(count):
        lead = _lead_with_moves(
            reps[n % 2], datetime(2025, 1, 3, tzinfo=UTC) + timedelta(days=9 * n)
        )
        Lead.objects.filter(pk=lead.pk).update(source_campaign=campaigns[n % 2])
        leads.append(lead)
    return leads


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize(
    "group_by",
    [
        "owner",
        "campaign",
        "channel",
        "month-as-rep",
        "channel-as-rep",
        "owner-of-a-campaign",  # narrow: every duration in the moves' statement
        "month-of-an-owner",
    ],
)
def test_keyed_reads_run_a_fixed_number_of_statements(
    manager, django_assert_max_num_queries, count, group_by
):
    leads = _leads(count)
    rollups_refresh(full=True)
    # Pending work of every kind: a noted lead, a dirty cohort day, a back-dated move.
    lead_reassign(lead_id=leads[0].pk, to_owner=None, actor=manager)
    lead_transition(
        lead_id=leads[1].pk,
        to_stage="prospect",
        cause=Cause.MANUAL,
        at=datetime(2025, 6, 2, tzinfo=UTC),
    )
    client = APIClient()
    if group_by.endswith("-as-rep"):
        # A rep by channel: the pool's keyed rows and the rep's own leads, read live.
        client.force_authenticate(leads[1].owner)
        params = {"group_by": group_by.removesuffix("-as-rep")}
    elif group_by == "owner-of-a-campaign":
        client.force_authenticate(manager)
        campaign = Lead.objects.values_list("source_campaign", flat=True).get(pk=leads[1].pk)
        params = {"group_by": "owner", "campaign": campaign}
    elif group_by == "month-of-an-owner":
        client.force_authenticate(manager)
        params = {"group_by": "month", "owner": leads[1].owner_id, "channel": "social"}
    else:
        client.force_authenticate(manager)
        params = {"group_by": group_by}
    calls = []
    real = selectors.keyed_figures
    selectors.keyed_figures = lambda **kwargs: calls.append(1) or real(**kwargs)
    try:
        # role check, snapshot, state with pending days and built months, cohort, flow
        # with moves per bucket, corrections, durations, group labels
        with django_assert_max_num_queries(8):
            response = client.get(
                "/api/v1/metrics/funnel/",
                {"since": WINDOW.since.isoformat(), "until": WINDOW.until.isoformat(), **params},
            )
    finally:
        selectors.keyed_figures = real
    assert response.status_code == 200
    assert calls  # read from the keyed summaries


@pytest.mark.django_db
def test_keyed_moves_are_written_in_key_order():
    """A narrow report reads a run of pages per period: the build writes its rows in
    (dimension, key) order, a month's whole rows (bucket -1) first, as a run of their own."""
    _leads(12)
    with connection.cursor() as cursor:
        # Empty heaps: free space an earlier test's vacuum left would take rows wherever the
        # free space map says, whatever order they are written in.
        cursor.execute(
            "TRUNCATE funnel_keyed_stage_time, funnel_keyed_flow, funnel_keyed_day_stage_time"
        )
    rollups_refresh(full=True)
    for table, period, whole in (
        ("funnel_keyed_stage_time", "month", "bucket < 0"),
        ("funnel_keyed_flow", "month", "FALSE"),
        ("funnel_keyed_day_stage_time", "day", "bucket < 0"),
    ):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {whole}, {period}, dim, key FROM {table} ORDER BY ctid")
            written = cursor.fetchall()
        assert len({dim for _, _, dim, _ in written}) == 3
        # One build of every period: whole rows first, each run by dimension, key, period.
        assert written == sorted(written, key=lambda row: (not row[0], row[2], row[3], row[1]))
        assert any(row[0] for row in written) == (table == "funnel_keyed_stage_time")


@pytest.mark.django_db
def test_a_whole_month_row_holds_exactly_its_buckets(manager):
    """Each month's whole row (bucket -1) per key and stage left: the moves and the sorted
    durations of its bucket rows, after a full build and after a fold rebuilt a month."""
    leads = _leads(12)
    rollups_refresh(full=True)
    lead_reassign(lead_id=leads[0].pk, to_owner=None, actor=manager)
    KeyedLeadNote.objects.update(noted_at=datetime(2025, 1, 1, tzinfo=UTC))
    for refresh in (lambda: None, rollups_refresh):
        refresh()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*), count(*) FILTER (WHERE w.moves IS DISTINCT FROM b.moves "
                "OR w.durations IS DISTINCT FROM b.durations) "
                "FROM (SELECT * FROM funnel_keyed_stage_time WHERE bucket < 0) AS w "
                "FULL JOIN (SELECT month, dim, key, from_code, sum(moves) AS moves, "
                "string_agg(durations, ''::bytea ORDER BY bucket) AS durations "
                "FROM funnel_keyed_stage_time WHERE bucket >= 0 GROUP BY 1, 2, 3, 4) AS b "
                "USING (month, dim, key, from_code)"
            )
            rows, differing = cursor.fetchone()
        assert rows and not differing
    assert not KeyedLeadNote.objects.exists()
