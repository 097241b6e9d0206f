import pytest

from funnel.models import StageChange
from funnel.stages import Cause, Stage
from tests.api.clients import token_client
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def move(client, lead, body, **kwargs):
    return client.post(f"/api/v1/leads/{lead.pk}/transition/", body, format="json", **kwargs)


def test_allowed_move_returns_200_with_the_moved_lead_and_records_history(marketer):
    lead = LeadFactory()

    response = move(token_client(marketer), lead, {"to": "prospect", "reason": "Asked for a demo"})

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["stage"]) == (lead.pk, "prospect")
    assert body["stage_changed_at"] is not None and body["became_prospect_at"] is not None
    lead.refresh_from_db()
    assert lead.stage == Stage.PROSPECT
    change = StageChange.objects.get(lead=lead)
    assert (change.from_stage, change.to_stage, change.cause) == ("lead", "prospect", Cause.API)
    assert (change.actor, change.reason) == (marketer, "Asked for a demo")


def test_reason_is_optional(marketer):
    lead = LeadFactory()

    assert move(token_client(marketer), lead, {"to": "disqualified"}).status_code == 200
    assert StageChange.objects.get(lead=lead).reason == ""


def test_move_to_the_current_stage_is_200_and_writes_nothing(marketer):
    lead = LeadFactory()

    response = move(token_client(marketer), lead, {"to": "lead"})

    assert response.status_code == 200
    assert response.json()["stage"] == "lead"
    assert not StageChange.objects.exists()


def test_illegal_move_is_409_naming_both_stages_and_writes_nothing(marketer):
    lead = LeadFactory()

    response = move(token_client(marketer), lead, {"to": "customer"})

    assert response.status_code == 409
    assert response.json() == {
        "detail": "A lead cannot move to customer.",
        "from_stage": "lead",
        "to_stage": "customer",
    }
    lead.refresh_from_db()
    assert (lead.stage, lead.stage_changed_at) == (Stage.LEAD, None)
    assert not StageChange.objects.exists()


@pytest.mark.parametrize("to", ["bogus", "", "LEAD", 3, None, ["prospect"], {"a": 1}])
def test_unknown_stage_is_400_on_to_and_writes_nothing(marketer, to):
    lead = LeadFactory()

    response = move(token_client(marketer), lead, {"to": to})

    assert response.status_code == 400
    assert list(response.json()) == ["to"]
    lead.refresh_from_db()
    assert lead.stage == Stage.LEAD
    assert not StageChange.objects.exists()


def test_unknown_stage_message_lists_the_stages(marketer):
    response = move(token_client(marketer), LeadFactory(), {"to": "bogus"})

    assert response.json() == {
        "to": [
            'Unknown stage "bogus"; expected one of: lead, prospect, customer, disqualified, lost.'
        ]
    }


def test_missing_to_is_400(marketer):
    response = move(token_client(marketer), LeadFactory(), {"reason": "why not"})

    assert response.status_code == 400
    assert response.json() == {"to": ["This field is required."]}


def test_overlong_reason_is_400_and_writes_nothing(marketer):
    lead = LeadFactory()

    response = move(token_client(marketer), lead, {"to": "prospect", "reason": "x" * 501})

    assert response.status_code == 400
    assert list(response.json()) == ["reason"]
    assert not StageChange.objects.exists()


def test_unknown_lead_is_404(marketer):
    response = move(token_client(marketer), LeadFactory.build(pk=987654), {"to": "prospect"})

    assert response.status_code == 404
    assert response.json() == {"detail": "No Lead matches the given query."}
    assert not StageChange.objects.exists()


def test_stage_filters_in_the_query_string_do_not_hide_the_lead(marketer):
    lead = LeadFactory()

    response = token_client(marketer).post(
        f"/api/v1/leads/{lead.pk}/transition/?stage=customer", {"to": "prospect"}, format="json"
    )

    assert response.status_code == 200


def test_get_is_not_allowed(marketer):
    response = token_client(marketer).get(f"/api/v1/leads/{LeadFactory().pk}/transition/")

    assert response.status_code == 405
