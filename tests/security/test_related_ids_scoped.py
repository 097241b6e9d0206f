"""An id in a request body that the caller may not see answers exactly like an id that
does not exist (docs/api.md): a rep cannot probe for another rep's deals or leads.

Two halves: every writable related field of every API serializer is looked up among the
caller's records (or is team reference data, listed below with the reason); and for each
caller-scoped field, the answer to a hidden id and to an unknown one are the same."""

import json

import pytest
from django.urls import get_resolver
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from sales.serializers import EditableLeadField, VisibleDealField
from tests.api.clients import token_client
from tests.sales.factories import ActivityFactory, DealFactory, SequenceFactory, prospect

PROJECT_APPS = ("funnel.", "leads.", "marketing.", "sales.", "integrations.")
SCOPED_FIELDS = (EditableLeadField, VisibleDealField)
# Ids everyone with access to the endpoint may see, so there is no existence to leak.
REFERENCE_FIELDS = {
    # Campaign names and ids show on every lead each role can see; no campaign is hidden.
    ("LeadSerializer", "source_campaign"): "campaigns are reference data",
    # Owners are the team: active reps and managers, listed on the quota board to all.
    ("CampaignSerializer", "owner"): "active users (marketing and managers only)",
    ("DealCreateSerializer", "owner"): "the team",
    ("DealUpdateSerializer", "owner"): "the team",
    ("ActivityWriteSerializer", "owner"): "the team",
    ("ActivityUpdateSerializer", "owner"): "the team",
    ("QuotaSerializer", "owner"): "the team (managers write quotas)",
    ("QuotaSerializer", "team"): "teams are readable by every sales user (managers write)",
    ("ReassignSerializer", "owner"): "the team",
    # Only serialises touches; the ids a client sends go through TouchInSerializer and
    # marketing.api._touches_resolve, for marketing and managers, who see every lead.
    ("TouchSerializer", "lead"): "output only",
    ("TouchSerializer", "campaign"): "output only",
}


def _project_serializers():
    # Loading the URLconf imports every API module, and so every serializer.
    assert get_resolver().url_patterns
    pending, seen = [serializers.Serializer], set()
    while pending:
        for subclass in pending.pop().__subclasses__():
            if subclass not in seen:
                seen.add(subclass)
                pending.append(subclass)
    return sorted(
        (cls for cls in seen if cls.__module__.startswith(PROJECT_APPS)),
        key=lambda cls: cls.__qualname__,
    )


def _writable_related_fields(serializer_class, request):
    for name, field in serializer_class(context={"request": request}).fields.items():
        if field.read_only:
            continue
        if isinstance(field, serializers.ManyRelatedField):
            field = field.child_relation
        if isinstance(field, serializers.RelatedField):
            yield name, field


@pytest.mark.django_db
def test_every_writable_related_field_is_scoped_to_the_caller_or_reference_data(rep):
    request = Request(APIRequestFactory().post("/"))
    request.user = rep
    found, unscoped = set(), []
    for serializer_class in _project_serializers():
        for name, field in _writable_related_fields(serializer_class, request):
            found.add((serializer_class.__name__, name))
            key = (serializer_class.__name__, name)
            if not isinstance(field, SCOPED_FIELDS) and key not in REFERENCE_FIELDS:
                unscoped.append(key)

    assert unscoped == []
    # The walk really sees the scoped fields (and the allowlist names no stale field).
    assert ("ActivityWriteSerializer", "deal") in found
    assert ("DealCreateSerializer", "lead") in found
    assert set(REFERENCE_FIELDS) <= found


UNKNOWN = 2**40


def _same_answer(client, method, url, hidden_body, unknown_body, hidden_id):
    hidden = getattr(client, method)(url, hidden_body, format="json")
    unknown = getattr(client, method)(url, unknown_body, format="json")
    assert hidden.status_code == unknown.status_code == 400, hidden.content
    # The messages may echo the id sent; apart from it they must match word for word.
    assert json.loads(hidden.content.decode().replace(str(hidden_id), "ID")) == json.loads(
        unknown.content.decode().replace(str(UNKNOWN), "ID")
    )


@pytest.fixture
def world(rep, other_rep):
    mine = prospect(owner=rep)
    theirs = prospect(owner=other_rep)
    return {
        "mine": mine,
        "theirs": theirs,
        "their_deal": DealFactory(lead=theirs),
        "my_activity": ActivityFactory(lead=mine),
        "sequence": SequenceFactory(),
    }


@pytest.mark.django_db
def test_an_activity_naming_a_hidden_deal_reads_as_an_unknown_deal(rep, world):
    base = {"lead": world["mine"].pk, "kind": "note", "subject": "Hi"}
    deal = world["their_deal"].pk
    _same_answer(
        token_client(rep),
        "post",
        "/api/v1/activities/",
        {**base, "deal": deal},
        {**base, "deal": UNKNOWN},
        deal,
    )


@pytest.mark.django_db
def test_moving_an_activity_to_a_hidden_deal_reads_as_an_unknown_deal(rep, world):
    deal = world["their_deal"].pk
    _same_answer(
        token_client(rep),
        "patch",
        f"/api/v1/activities/{world['my_activity'].pk}/",
        {"deal": deal},
        {"deal": UNKNOWN},
        deal,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/activities/", {"kind": "note", "subject": "Hi"}),
        ("/api/v1/deals/", {"title": "Big", "amount": "10.00"}),
    ],
)
def test_a_hidden_lead_reads_as_an_unknown_lead(rep, world, url, body):
    lead = world["theirs"].pk
    _same_answer(
        token_client(rep), "post", url, {**body, "lead": lead}, {**body, "lead": UNKNOWN}, lead
    )


@pytest.mark.django_db
def test_enrolling_a_hidden_lead_reads_as_an_unknown_lead(rep, world):
    lead = world["theirs"].pk
    _same_answer(
        token_client(rep),
        "post",
        f"/api/v1/sequences/{world['sequence'].pk}/enrol/",
        {"leads": [lead]},
        {"leads": [UNKNOWN]},
        lead,
    )
