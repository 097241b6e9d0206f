"""Fixtures of the list tests: logged-in clients, stage walks, and posting a bulk action."""

import pytest
from django.test import Client
from django.urls import reverse

from funnel.services import lead_transition
from funnel.stages import Cause


@pytest.fixture
def login(db):
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def moved(manager):
    """`moved(lead, *stages)` walks `lead` through `stages` with the one writer."""

    def walk(lead, *stages):
        for stage in stages:
            lead = lead_transition(
                lead_id=lead.pk, to_stage=stage, cause=Cause.MANUAL, actor=manager
            )
        return lead

    return walk


@pytest.fixture
def bulk(login):
    """`bulk(user, action=..., leads=[...], **fields)` posts the bar as htmx does."""

    def post(user, *, kind: str = "list", leads=(), htmx: bool = True, **fields):
        data = {"lead": [lead.pk for lead in leads], "query": "", **fields}
        headers = {"HX-Request": "true"} if htmx else {}
        return login(user).post(reverse("lists:bulk-start", args=[kind]), data, headers=headers)

    return post
