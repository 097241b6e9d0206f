"""The cast and a pair of duplicates (the same person under two addresses)."""

from datetime import UTC, datetime

import pytest

from funnel.services import lead_transition
from funnel.stages import Cause, Stage
from tests import factories

NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def duplicates(rep):
    """(survivor, merged): Ada at work (a prospect, owned by `rep`) and Ada at home."""
    work = factories.LeadFactory(
        email="ada@work.example",
        first_name="Ada",
        last_name="Lovelace",
        company="",
        phone="+44 1",
        owner=rep,
        created_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    lead_transition(
        lead_id=work.pk,
        to_stage=Stage.PROSPECT,
        cause=Cause.MANUAL,
        at=datetime(2026, 4, 1, tzinfo=UTC),
    )
    home = factories.LeadFactory(
        email="ada@home.example",
        first_name="Augusta",
        last_name="Lovelace",
        company="Analytical Engines",
        phone="+44 2",
        owner=rep,
        created_at=datetime(2026, 1, 10, tzinfo=UTC),
    )
    lead_transition(
        lead_id=home.pk,
        to_stage=Stage.DISQUALIFIED,
        cause=Cause.MANUAL,
        at=datetime(2026, 2, 1, tzinfo=UTC),
    )
    work.refresh_from_db()
    home.refresh_from_db()
    return work, home
