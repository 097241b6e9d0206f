"""Stage moves in the admin go through the one writer; history is read-only there."""

from django.urls import reverse

from funnel.models import StageChange
from funnel.stages import Cause, Stage
from leads.models import Lead


def _run_action(client, action: str, leads, url_name="admin:leads_lead_changelist"):
    return client.post(
        reverse(url_name),
        {"action": action, "_selected_action": [lead.pk for lead in leads]},
        follow=True,
    )


def test_move_action_moves_through_the_service_with_history(admin_client, admin_user, make_funnel):
    fresh = make_funnel(1)[0]
    response = _run_action(admin_client, "move_to_prospect", [fresh])
    assert response.status_code == 200
    fresh.refresh_from_db()
    assert fresh.stage == Stage.PROSPECT
    change = StageChange.objects.get(lead=fresh)
    assert (change.from_stage, change.to_stage, change.cause, change.actor) == (
        Stage.LEAD,
        Stage.PROSPECT,
        Cause.MANUAL,
        admin_user,
    )
    assert "Moved 1 to prospect." in response.content.decode()


def test_illegal_move_is_reported_and_changes_nothing(admin_client, make_funnel):
    leads = make_funnel(1)
    fresh, customer = leads[0], leads[2]
    assert customer.__class__.objects.get(pk=customer.pk).stage == Stage.CUSTOMER
    history_before = StageChange.objects.count()
    response = _run_action(admin_client, "move_to_lead", [fresh, customer])
    body = response.content.decode()
    assert "A customer cannot move to lead." in body
    assert "1 already lead." in body
    assert Lead.objects.get(pk=customer.pk).stage == Stage.CUSTOMER
    assert StageChange.objects.count() == history_before


def test_stage_is_read_only_on_the_change_form(admin_client, make_funnel):
    fresh = make_funnel(1)[0]
    url = reverse("admin:leads_lead_change", args=[fresh.pk])
    form = admin_client.get(url).context["adminform"].form
    assert "stage" not in form.fields
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update(
        {
            "email": "  New.Address@Example.COM ",
            "stage": Stage.CUSTOMER,
            "stage_changes-TOTAL_FORMS": "0",
            "stage_changes-INITIAL_FORMS": "0",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    fresh.refresh_from_db()
    assert fresh.email == "new.address@example.com"
    assert fresh.stage == Stage.LEAD
    assert not StageChange.objects.filter(lead=fresh).exists()


def test_history_cannot_be_added_changed_or_deleted(admin_client, make_funnel):
    make_funnel(1)
    change = StageChange.objects.first()
    assert admin_client.get(reverse("admin:funnel_stagechange_add")).status_code == 403
    delete_url = reverse("admin:funnel_stagechange_delete", args=[change.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    page = admin_client.get(reverse("admin:funnel_stagechange_change", args=[change.pk]))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    changed = admin_client.post(
        reverse("admin:funnel_stagechange_change", args=[change.pk]), {"reason": "rewritten"}
    )
    assert changed.status_code == 403
    assert StageChange.objects.get(pk=change.pk).reason == change.reason
