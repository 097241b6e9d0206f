"""Deals and activities without an owner answer `owner_username: null`, and the schema
says it may be null."""

import pytest

from tests.api.clients import token_client
from tests.sales.factories import ActivityFactory, DealFactory
from tests.schema.conformance import schema_errors

pytestmark = pytest.mark.django_db


def test_an_unowned_deal_conforms(manager):
    deal = DealFactory(owner=None)

    response = token_client(manager).get(f"/api/v1/deals/{deal.pk}/")

    assert response.json()["owner_username"] is None
    assert schema_errors("/api/v1/deals/{id}/", "get", response) == []


def test_an_unowned_activity_conforms(manager):
    activity = ActivityFactory(owner=None)

    response = token_client(manager).get(f"/api/v1/activities/{activity.pk}/")

    assert response.json()["owner_username"] is None
    assert schema_errors("/api/v1/activities/{id}/", "get", response) == []
