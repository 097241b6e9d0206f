"""Edits in the admin are field changes like any other: recorded with who and `web`."""

from django.urls import reverse

from leads.models import LeadChange
from tests.factories import LeadFactory


def test_an_admin_edit_records_each_changed_field(admin_client, admin_user):
    lead = LeadFactory(company="Old", title="")
    url = reverse("admin:leads_lead_change", args=[lead.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update(
        {
            "company": "New",
            "title": "CTO",
            "stage_changes-TOTAL_FORMS": "0",
            "stage_changes-INITIAL_FORMS": "0",
        }
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    rows = LeadChange.objects.filter(lead=lead)
    assert set(rows.values_list("field", "old_value", "new_value", "source")) == {
        ("company", "Old", "New", "web"),
        ("title", "", "CTO", "web"),
    }
    assert {row.actor for row in rows} == {admin_user}
