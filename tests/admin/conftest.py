import pytest

from funnel.services import lead_transition
from funnel.stages import Cause, Stage
from tests.factories import CampaignFactory, LeadFactory, RepFactory

# Each path is reached through the one writer, so rows carry real history.
PATHS = [
    [],
    [Stage.PROSPECT],
    [Stage.PROSPECT, Stage.CUSTOMER],
    [Stage.PROSPECT, Stage.LOST],
    [Stage.DISQUALIFIED],
]


@pytest.fixture
def make_funnel(db):
    """`make_funnel(n)` adds n leads per path (owned, with a source campaign)."""

    def make(per_path: int) -> list:
        rep, campaign = RepFactory(), CampaignFactory()
        leads = []
        for path in PATHS:
            for _ in range(per_path):
                lead = LeadFactory(owner=rep, source_campaign=campaign)
                for stage in path:
                    lead_transition(lead_id=lead.pk, to_stage=stage, cause=Cause.MANUAL, actor=rep)
                leads.append(lead)
        return leads

    return make
