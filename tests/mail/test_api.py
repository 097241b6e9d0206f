"""The email API: scoped, bad input 4xx never 500, each endpoint doing what its page does."""

import pytest

from lists.models import SavedView
from mail.models import CampaignSend, Message, Suppression
from tests import factories
from tests.api.clients import token_client


def test_rep_emails_their_prospect_and_lists_only_what_they_see(prospect, rep, other_rep):
    response = token_client(rep).post(
        f"/api/v1/leads/{prospect.pk}/emails/",
        {"subject": "Hi {{ first_name }}", "body_text": "Hello"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["subject"] == "Hi Ada" and response.json()["status"] == "queued"
    theirs = factories.LeadFactory(owner=other_rep, marketing_consent=True)
    token_client(other_rep).post(
        f"/api/v1/leads/{theirs.pk}/emails/", {"subject": "x", "body_text": "y"}, format="json"
    )
    listed = token_client(rep).get("/api/v1/emails/").json()["results"]
    assert [m["lead"] for m in listed] == [prospect.pk]
    other_id = Message.objects.get(lead=theirs).pk
    assert token_client(rep).get(f"/api/v1/emails/{other_id}/").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"subject": "x", "body_text": "{{ nope }}"}, "body_text"),
        ({"subject": "x", "body_text": "y" * 1_000_001}, "body_text"),
        ({"subject": "", "body_text": "y"}, "subject"),
        ({"subject": "x", "body_text": "y", "kind": "spam"}, "kind"),
        ({"subject": "x", "body_text": "y", "send_after": "tomorrow"}, "send_after"),
        ({"subject": "x", "body_text": "y", "template": 999}, "template"),
        ({"subject": "x", "body_text": "y", "kind": "marketing"}, "to"),
    ],
)
def test_bad_compose_input_is_400_naming_the_field(prospect, rep, body, field):
    response = token_client(rep).post(f"/api/v1/leads/{prospect.pk}/emails/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Message.objects.exists()


def test_other_reps_lead_is_404_and_pool_lead_403(rep, other_rep):
    theirs = factories.LeadFactory(owner=other_rep)
    pool = factories.LeadFactory(owner=None)
    client = token_client(rep)
    body = {"subject": "x", "body_text": "y"}
    assert client.post(f"/api/v1/leads/{theirs.pk}/emails/", body, format="json").status_code == 404
    assert client.post(f"/api/v1/leads/{pool.pk}/emails/", body, format="json").status_code == 403


def test_mark_replied_through_the_api(prospect, rep):
    client = token_client(rep)
    message_id = client.post(
        f"/api/v1/leads/{prospect.pk}/emails/", {"subject": "x", "body_text": "y"}, format="json"
    ).json()["id"]
    response = client.post(f"/api/v1/emails/{message_id}/mark-replied/")
    assert response.status_code == 200 and response.json()["replied_at"]


def test_suppressions_are_for_managers(manager, rep):
    assert token_client(rep).get("/api/v1/email-suppressions/").status_code == 403
    client = token_client(manager)
    assert client.post("/api/v1/email-suppressions/", {"email": "bad"}).status_code == 400
    created = client.post("/api/v1/email-suppressions/", {"email": "X@Y.io"}, format="json")
    assert created.status_code == 201 and created.json()["email"] == "x@y.io"
    again = client.post("/api/v1/email-suppressions/", {"email": "x@y.io"}, format="json")
    assert again.status_code == 200
    assert client.delete(f"/api/v1/email-suppressions/{created.json()['id']}/").status_code == 204
    assert not Suppression.objects.exists()


def test_campaign_send_api_refuses_an_empty_view_and_reports(marketer, rep):
    view = SavedView.objects.create(user=marketer, list_kind="list", name="V", query="search=zz")
    client = token_client(marketer)
    body = {"name": "N", "saved_view": view.pk, "subject": "s", "body_text": "b"}
    empty = client.post("/api/v1/email-sends/", body, format="json")
    assert empty.status_code == 400 and "saved_view" in empty.json()
    factories.LeadFactory(company="zz corp", marketing_consent=True)
    created = client.post("/api/v1/email-sends/", body, format="json")
    assert created.status_code == 201
    detail = client.get(f"/api/v1/email-sends/{created.json()['id']}/").json()
    assert detail["report"]["messages"] == 0
    assert token_client(rep).post("/api/v1/email-sends/", body, format="json").status_code == 403
    missing = client.post("/api/v1/email-sends/", {**body, "saved_view": 999}, format="json")
    assert missing.status_code == 400
    assert CampaignSend.objects.count() == 1


def test_sequence_step_email_and_report(rep, marketer):
    from sales import services as sales

    sequence = sales.sequence_create(
        name="S", owner=rep, steps=[{"kind": "email", "subject": "E", "day_offset": 0}]
    )
    step = sequence.steps.get()
    client = token_client(rep)
    body = {"subject": "Hi {{ first_name }}", "body_text": "x"}
    assert (
        client.put(f"/api/v1/sequence-steps/{step.pk}/email/", body, format="json").status_code
        == 200
    )
    bad = {"subject": "Hi", "body_text": "{{ x }}"}
    assert (
        client.put(f"/api/v1/sequence-steps/{step.pk}/email/", bad, format="json").status_code
        == 400
    )
    assert client.get(f"/api/v1/sequences/{sequence.pk}/email-report/").json() == []
    assert (
        token_client(marketer).get(f"/api/v1/sequences/{sequence.pk}/email-report/").status_code
        == 403
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body_text": "Hi {{ frist_name }}"}, "body_text"),
        ({"body_html": "<p>" + "x" * 1_000_001 + "</p>"}, "body_html"),
        ({"subject": ""}, "subject"),
    ],
)
def test_bad_template_input_is_400_naming_the_field(marketer, body, field):
    from mail.models import EmailTemplate

    data = {"name": "T", "subject": "s", "body_text": "b", **body}
    response = token_client(marketer).post("/api/v1/email-templates/", data, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not EmailTemplate.objects.exists()


def test_a_rep_may_not_write_a_marketing_template(rep):
    data = {"name": "T", "kind": "marketing", "subject": "s", "body_text": "b"}
    response = token_client(rep).post("/api/v1/email-templates/", data, format="json")
    assert response.status_code == 403


def test_template_update_by_owner_rep_and_marketing_only(rep, other_rep, marketer):
    from mail import services

    template = services.template_save(owner=rep, name="T", subject="s", body_text="b")
    url = f"/api/v1/email-templates/{template.pk}/"
    assert token_client(other_rep).patch(url, {"subject": "x"}, format="json").status_code == 403
    bad = token_client(rep).patch(url, {"body_text": "{{ nope }}"}, format="json")
    assert bad.status_code == 400 and "body_text" in bad.json()
    marketing = token_client(rep).patch(url, {"kind": "marketing"}, format="json")
    assert marketing.status_code == 403
    ok = token_client(rep).patch(url, {"body_html": "<p onclick='x'>Hi</p>"}, format="json")
    assert ok.status_code == 200 and ok.json()["body_html"] == "<p>Hi</p>"
    assert token_client(marketer).patch(url, {"name": "M"}, format="json").status_code == 200
    template.refresh_from_db()
    assert template.name == "M" and template.subject == "s" and template.owner == rep
