"""Moving a lead from its page: POST → funnel.services.lead_transition (cause manual, the
user as actor). Legal moves redirect (or swap the panel under htmx); anything else is a
clear message and no write."""

from django.urls import reverse

from funnel.models import StageChange
from funnel.stages import Stage
from leads.models import Lead
from tests import factories


def move(client, lead, to_stage, reason="", **extra):
    return client.post(
        reverse("leads:transition", args=[lead.pk]),
        {"to_stage": to_stage, "reason": reason},
        **extra,
    )


def stage_of(lead):
    return Lead.objects.get(pk=lead.pk).stage


def test_a_legal_move_records_history_and_redirects_with_a_message(login, owned_lead, rep):
    client = login(rep)
    response = move(client, owned_lead, "prospect", reason="  Asked for a demo ")
    assert response.status_code == 302
    assert response.url == reverse("leads:detail", args=[owned_lead.pk])
    assert stage_of(owned_lead) == Stage.PROSPECT
    change = StageChange.objects.get(lead=owned_lead)
    assert (change.from_stage, change.to_stage) == ("lead", "prospect")
    assert change.cause == "manual"
    assert change.actor == rep
    assert change.reason == "Asked for a demo"
    html = client.get(response.url).content.decode()
    assert "Moved Ada Lovelace from Lead to Prospect." in html
    assert "flash-success" in html


def test_htmx_move_answers_with_the_panel_and_out_of_band_updates(
    login, owned_lead, rep, htmx_headers
):
    response = move(login(rep), owned_lead, "disqualified", headers=htmx_headers)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="lead-stage-panel"')
    assert "<html" not in html
    assert 'id="lead-stage-badge" class="badge badge-lg badge-disqualified" hx-swap-oob="true"' in (
        html
    )
    assert 'id="lead-timeline" class="timeline" hx-swap-oob="true"' in html
    assert 'id="messages"' in html and 'hx-swap-oob="innerHTML"' in html
    assert "Moved Ada Lovelace from Lead to Disqualified." in html
    # The new panel offers the moves of the new stage.
    assert 'name="to_stage" value="lead"' in html
    assert stage_of(owned_lead) == Stage.DISQUALIFIED


def test_an_illegal_move_is_refused_with_a_message_and_writes_nothing(login, owned_lead, rep):
    response = move(login(rep), owned_lead, "customer", reason="Skipping ahead")
    assert response.status_code == 409
    html = response.content.decode()
    assert "A lead cannot move to customer. Nothing was changed" in html
    assert "flash-error" in html
    # The form keeps what was typed and offers what is legal now.
    assert "Skipping ahead" in html
    assert 'name="to_stage" value="prospect"' in html
    assert stage_of(owned_lead) == Stage.LEAD
    assert not StageChange.objects.filter(lead=owned_lead).exists()


def test_a_stale_form_under_htmx_swaps_in_the_refusal(login, owned_lead, rep, moved, htmx_headers):
    moved(owned_lead, Stage.DISQUALIFIED)
    response = move(login(rep), owned_lead, "prospect", headers=htmx_headers)
    assert response.status_code == 409
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="lead-stage-panel"')
    assert "A disqualified cannot move to prospect." in html
    assert StageChange.objects.filter(lead=owned_lead).count() == 1


def test_an_unknown_stage_is_a_form_error_and_writes_nothing(login, owned_lead, rep):
    for bad in ("", "won", "prospect\x00", "x" * 1000):
        response = move(login(rep), owned_lead, bad)
        assert response.status_code == 400
        assert "field-error" in response.content.decode()
    assert stage_of(owned_lead) == Stage.LEAD
    assert not StageChange.objects.exists()


def test_a_reason_over_500_characters_is_refused(login, owned_lead, rep):
    response = move(login(rep), owned_lead, "prospect", reason="x" * 501)
    assert response.status_code == 400
    assert not StageChange.objects.exists()


def test_moving_to_the_current_stage_changes_nothing(login, owned_lead, rep, moved):
    moved(owned_lead, Stage.PROSPECT)
    client = login(rep)
    response = move(client, owned_lead, "prospect")
    assert response.status_code == 302
    assert StageChange.objects.filter(lead=owned_lead).count() == 1
    assert "is already a prospect; nothing changed." in client.get(response.url).content.decode()


def test_another_reps_lead_is_404_and_untouched(login, other_rep, owned_lead):
    response = move(login(other_rep), owned_lead, "prospect")
    assert response.status_code == 404
    assert stage_of(owned_lead) == Stage.LEAD


def test_a_rep_cannot_move_an_unassigned_lead(login, rep):
    lead = factories.LeadFactory(owner=None)
    assert move(login(rep), lead, "prospect").status_code == 403
    assert stage_of(lead) == Stage.LEAD


def test_managers_and_marketing_may_move_any_lead(login, manager, marketer, owned_lead):
    assert move(login(marketer), owned_lead, "prospect").status_code == 302
    assert move(login(manager), owned_lead, "customer").status_code == 302
    assert stage_of(owned_lead) == Stage.CUSTOMER
    assert [c.actor for c in StageChange.objects.filter(lead=owned_lead)] == [marketer, manager]


def test_get_is_not_allowed_and_anonymous_is_sent_to_login(client, login, owned_lead, rep):
    url = reverse("leads:transition", args=[owned_lead.pk])
    assert login(rep).get(url).status_code == 405
    response = client.post(url, {"to_stage": "prospect"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert stage_of(owned_lead) == Stage.LEAD


def test_the_form_needs_the_csrf_token(owned_lead, rep):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(rep)
    assert move(client, owned_lead, "prospect").status_code == 403
    assert stage_of(owned_lead) == Stage.LEAD
