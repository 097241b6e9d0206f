"""Automatic assignment waits for a prospect another transaction holds for a moment
instead of skipping it: a skipped prospect would stay in the pool until the sweep
(PostgreSQL only: SQLite has no row locks to skip)."""

import threading

import pytest
from django.db import connection, transaction

from funnel.stages import Stage
from leads.models import Lead
from sales import services
from sales.models import OwnerChange
from tests.factories import LeadFactory, RepFactory
from tests.support import postgres_only

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def test_a_prospect_locked_elsewhere_is_assigned_once_the_lock_is_released():
    rep = RepFactory()
    held, free = (
        LeadFactory(owner=None, stage=Stage.PROSPECT),
        LeadFactory(owner=None, stage=Stage.PROSPECT),
    )
    locked, release = threading.Event(), threading.Event()

    def hold_lock():
        try:
            with transaction.atomic():
                list(Lead.objects.select_for_update().filter(pk=held.pk))
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    assert locked.wait(timeout=30)
    result: dict = {}
    assigner = threading.Thread(
        target=lambda: (
            result.update(services.prospects_assign_owner(lead_ids=[held.pk, free.pk])),
            connection.close(),
        )
    )
    assigner.start()
    assigner.join(timeout=1)
    assert assigner.is_alive(), "assignment should wait for the held row, not skip it"
    release.set()
    holder.join(timeout=30)
    assigner.join(timeout=30)

    assert result == {held.pk: rep.pk, free.pk: rep.pk}
    assert set(Lead.objects.values_list("owner", flat=True)) == {rep.pk}
    assert OwnerChange.objects.filter(lead__in=[held, free]).count() == 2
