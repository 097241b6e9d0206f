"""Fixtures of the web UI tests: logged-in clients for the fixed cast of users."""

import pytest
from django.test import Client

from funnel.services import lead_transition
from funnel.stages import Cause, Stage
from tests import factories


@pytest.fixture
def login(db):
    """`login(user)` gives a client signed in as `user`."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def htmx_headers():
    return {"HX-Request": "true", "HX-Current-URL": "http://testserver/"}


@pytest.fixture
def owned_lead(rep):
    return factories.LeadFactory(owner=rep, first_name="Ada", last_name="Lovelace")


@pytest.fixture
def moved(manager):
    """`moved(lead, *stages)` walks `lead` through `stages` with the one writer."""

    def walk(lead, *stages: Stage, actor=manager, reason: str = ""):
        for stage in stages:
            lead = lead_transition(
                lead_id=lead.pk, to_stage=stage, cause=Cause.MANUAL, actor=actor, reason=reason
            )
        return lead

    return walk
