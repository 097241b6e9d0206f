"""Two reps claim the same lead at the same moment: exactly one wins (PostgreSQL only:
SQLite serialises writers, so the race cannot happen there)."""

import threading

import pytest
from django.db import connection

from leads.models import Lead
from sales import services
from sales.errors import SalesConflict
from sales.models import OwnerChange
from tests.factories import LeadFactory, RepFactory
from tests.support import postgres_only

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def claim_at_once(claims) -> tuple[list, list]:
    barrier = threading.Barrier(len(claims))
    won, refused = [], []

    def work(lead_id, rep):
        try:
            barrier.wait()
            won.append(services.lead_claim(lead_id=lead_id, rep=rep).owner_id)
        except SalesConflict as exc:
            refused.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=claim) for claim in claims]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return won, refused


@pytest.mark.parametrize("attempt", range(3))
def test_two_reps_one_lead_exactly_one_wins(attempt):
    first, second = RepFactory(), RepFactory()
    lead = LeadFactory(owner=None)
    won, refused = claim_at_once([(lead.pk, first), (lead.pk, second)])
    assert len(won) == 1 and refused == ["owned"]
    assert Lead.objects.get(pk=lead.pk).owner_id == won[0]
    assert OwnerChange.objects.filter(lead=lead).count() == 1


def test_one_rep_two_leads_at_the_cap_gets_one(settings):
    settings.FUNNEL_MAX_OPEN_CLAIMS = 1
    rep = RepFactory()
    a, b = LeadFactory(owner=None), LeadFactory(owner=None)
    won, refused = claim_at_once([(a.pk, rep), (b.pk, rep)])
    assert len(won) == 1 and refused == ["claim_cap"]
    assert Lead.objects.filter(owner=rep).count() == 1
