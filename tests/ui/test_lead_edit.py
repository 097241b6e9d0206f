"""Edit a lead in the web UI: for those who may change it, only what the person changed
is written, each change lands in field history (source web), and a save over someone
else's newer one shows both values instead of overwriting."""

from django.urls import reverse

from leads import services
from leads.merge_policy import WriteOrigin
from leads.models import ChangeSource, LeadChange
from tests import factories


def url(lead):
    return reverse("leads:edit", args=[lead.pk])


def opened(client, lead) -> dict:
    """The form's fields as the page rendered them (what a browser would send back)."""
    form = client.get(url(lead)).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["marketing_consent"] = "on" if data.pop("marketing_consent", False) else ""
    if not data["marketing_consent"]:
        del data["marketing_consent"]
    return data


def test_only_those_who_may_change_the_lead_get_the_form(login, rep, other_rep):
    lead = factories.LeadFactory(owner=rep)
    pool = factories.LeadFactory(owner=None)
    assert login(rep).get(url(lead)).status_code == 200
    assert login(rep).get(url(pool)).status_code == 403  # visible, not theirs
    assert login(other_rep).get(url(lead)).status_code == 404  # not visible
    detail = login(rep).get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert f'id="lead-edit" href="/leads/{lead.pk}/edit/"' in detail
    pool_page = login(rep).get(reverse("leads:detail", args=[pool.pk])).content.decode()
    assert 'id="lead-edit"' not in pool_page


def test_a_typo_fixed_is_saved_with_history_from_the_web(login, rep):
    lead = factories.LeadFactory(owner=rep, first_name="Graec", company="Navy")
    client = login(rep)
    data = {**opened(client, lead), "first_name": "Grace"}
    response = client.post(url(lead), data)
    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.first_name, lead.company) == ("Grace", "Navy")
    (change,) = LeadChange.objects.filter(lead=lead)
    assert (change.field, change.old_value, change.new_value) == ("first_name", "Graec", "Grace")
    assert (change.source, change.actor) == ("web", rep)


def test_a_save_over_someone_elses_newer_one_shows_both_and_writes_nothing(login, rep, manager):
    lead = factories.LeadFactory(owner=rep, first_name="Grace", company="Navy")
    client = login(rep)
    data = {**opened(client, lead), "company": "US Navy"}
    # Meanwhile a manager corrects the same lead through the API.
    services.lead_update(
        lead=lead,
        data={"company": "Harvard"},
        origin=WriteOrigin(source=ChangeSource.API, actor=manager),
    )
    response = client.post(url(lead), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert '<td class="theirs">Harvard</td><td class="yours">US Navy</td>' in html
    lead.refresh_from_db()
    assert lead.company == "Harvard"
    # The form now carries the current version: saving again is a deliberate choice.
    form = response.context["form"]
    assert form["version"].value() == services.lead_version(lead)
    again = client.post(url(lead), {**data, "version": form["version"].value()})
    assert again.status_code == 302
    lead.refresh_from_db()
    assert lead.company == "US Navy"


def test_an_address_another_lead_has_is_refused_with_a_link(login, manager):
    lead = factories.LeadFactory()
    other = factories.LeadFactory(email="taken@example.com", first_name="Ada", last_name="L")
    client = login(manager)
    response = client.post(url(lead), {**opened(client, lead), "email": "Taken@example.com"})
    assert response.status_code == 400
    assert f'<a href="/leads/{other.pk}/">Ada L</a>' in response.content.decode()
    assert not LeadChange.objects.exists()


def test_edits_of_different_fields_both_stand(login, rep, manager):
    lead = factories.LeadFactory(owner=rep, first_name="Grace", company="Navy", title="")
    client = login(rep)
    data = {**opened(client, lead), "title": "Rear Admiral"}
    services.lead_update(
        lead=lead,
        data={"company": "Harvard"},
        origin=WriteOrigin(source=ChangeSource.API, actor=manager),
    )
    response = client.post(url(lead), data)
    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.company, lead.title) == ("Harvard", "Rear Admiral")
    web = LeadChange.objects.filter(lead=lead, source="web")
    assert list(web.values_list("field", "new_value")) == [("title", "Rear Admiral")]
