"""The pages' htmx actions: each answers with the part it came from, the outcome as a
message, and the right status (400 bad input, 409 state conflict), writing nothing on
refusal."""

from decimal import Decimal

import pytest
from django.urls import reverse

from funnel.stages import Stage
from leads.models import Lead
from sales.models import Activity, Deal, Enrolment, OwnerChange, Quota
from tests.sales.factories import DealFactory, SequenceFactory, TaskFactory, lead_in, prospect

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def rep_client(client, rep):
    client.force_login(rep)
    return client


def test_winning_from_the_board_refreshes_the_board(rep_client, my_prospect):
    deal = DealFactory(lead=my_prospect, title="Big one")
    response = rep_client.post(
        reverse("sales:deal_win", args=[deal.pk]), {"return_to": "board"}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="board"' in html and "Won “Big one”. They are a customer now." in html
    assert 'hx-swap-oob="innerHTML"' in html  # messages, out of band
    assert Lead.objects.get(pk=my_prospect.pk).stage == Stage.CUSTOMER


def test_winning_a_closed_deal_from_the_board_is_a_409_with_the_reason(rep_client, my_prospect):
    deal = DealFactory(lead=my_prospect)
    rep_client.post(reverse("sales:deal_lose", args=[deal.pk]), {"reason": "Budget"}, **HTMX)

    response = rep_client.post(
        reverse("sales:deal_win", args=[deal.pk]), {"return_to": "board"}, **HTMX
    )

    assert response.status_code == 409
    assert "already lost" in response.content.decode()
    assert Deal.objects.get(pk=deal.pk).status == Deal.Status.LOST


@pytest.mark.parametrize(
    "body", [{"title": "X", "amount": "-1"}, {"title": "", "amount": "5"}, {"amount": "1e99"}]
)
def test_a_bad_deal_from_the_board_is_a_400_and_writes_nothing(rep_client, my_prospect, body):
    response = rep_client.post(
        reverse("sales:deal_create", args=[my_prospect.pk]), {"return_to": "board", **body}, **HTMX
    )
    assert response.status_code == 400
    assert "The deal was not opened" in response.content.decode()
    assert not Deal.objects.exists()


def test_moving_a_prospect_to_lost_from_the_board(rep_client, my_prospect):
    response = rep_client.post(
        reverse("sales:lead_move", args=[my_prospect.pk]),
        {"to_stage": "lost", "reason": "Went silent", "return_to": "board"},
        **HTMX,
    )
    assert response.status_code == 200
    lead = Lead.objects.get(pk=my_prospect.pk)
    assert lead.stage == Stage.LOST
    assert lead.stage_changes.last().reason == "Went silent"


def test_an_illegal_move_from_the_board_is_a_409(rep_client, rep):
    customer = lead_in(Stage.CUSTOMER, owner=rep)
    response = rep_client.post(
        reverse("sales:lead_move", args=[customer.pk]), {"to_stage": "lost"}, **HTMX
    )
    assert response.status_code == 409
    assert Lead.objects.get(pk=customer.pk).stage == Stage.CUSTOMER


def test_lead_page_actions_reload_the_page_under_htmx(rep_client, pool_prospect, rep):
    response = rep_client.post(
        reverse("sales:lead_claim", args=[pool_prospect.pk]), {"return_to": "lead"}, **HTMX
    )
    assert response.status_code == 200 and response["HX-Refresh"] == "true"
    assert Lead.objects.get(pk=pool_prospect.pk).owner == rep
    assert OwnerChange.objects.filter(lead=pool_prospect, kind="claimed").exists()


def test_without_javascript_actions_redirect_back(rep_client, my_prospect):
    deal = DealFactory(lead=my_prospect)
    response = rep_client.post(reverse("sales:deal_win", args=[deal.pk]), {"return_to": "lead"})
    assert response.status_code == 302
    assert response["Location"] == reverse("leads:detail", args=[my_prospect.pk])


def test_completing_a_task_refreshes_my_work(rep_client, my_prospect):
    task = TaskFactory(lead=my_prospect, subject="Send the quote")
    response = rep_client.post(
        reverse("sales:task_complete", args=[task.pk]), {"return_to": "my_work"}, **HTMX
    )
    assert response.status_code == 200
    assert 'id="my-work"' in response.content.decode()
    assert Activity.objects.get(pk=task.pk).done_at is not None


def test_logging_an_activity_returns_the_timeline_with_it(rep_client, my_prospect):
    response = rep_client.post(
        reverse("sales:activity_log", args=[my_prospect.pk]),
        {"kind": "meeting", "subject": "On-site visit", "body": "Met the CFO."},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 201
    assert 'id="sales-timeline"' in html and "On-site visit" in html
    assert Activity.objects.get().done_at is not None


def test_a_bad_activity_shows_the_form_errors_and_writes_nothing(rep_client, my_prospect):
    response = rep_client.post(
        reverse("sales:activity_log", args=[my_prospect.pk]),
        {"kind": "fax", "subject": ""},
        **HTMX,
    )
    assert response.status_code == 400
    assert "field-error" in response.content.decode()
    assert not Activity.objects.exists()


def test_enrolling_many_from_my_work(rep_client, rep):
    sequence = SequenceFactory()
    leads = [prospect(owner=rep) for _ in range(3)]
    response = rep_client.post(
        reverse("sales:enrol"),
        {"sequence": sequence.pk, "leads": [p.pk for p in leads], "return_to": "my_work"},
        **HTMX,
    )
    assert response.status_code == 200
    assert Enrolment.objects.filter(sequence=sequence).count() == 3


def test_enrolling_someone_elses_prospect_from_my_work_is_refused(rep_client, their_prospect):
    sequence = SequenceFactory()
    response = rep_client.post(
        reverse("sales:enrol"),
        {"sequence": sequence.pk, "leads": [their_prospect.pk], "return_to": "my_work"},
        **HTMX,
    )
    assert response.status_code == 400
    assert not Enrolment.objects.exists()


def test_a_manager_sets_a_target_from_the_quota_page(client, manager, rep):
    client.force_login(manager)
    response = client.post(
        reverse("sales:quota_set"),
        {"owner": rep.pk, "period": "quarter", "starts_on": "2026-04-01", "target": "30000"},
        **HTMX,
    )
    assert response.status_code == 200
    assert 'id="quotas"' in response.content.decode()
    assert Quota.objects.get(owner=rep).target == Decimal("30000.00")
    bad = client.post(
        reverse("sales:quota_set"),
        {"owner": "team", "period": "month", "starts_on": "2026-04-02", "target": "5"},
        **HTMX,
    )
    assert bad.status_code == 400
    assert Quota.objects.count() == 1


def test_show_older_appends_the_next_page(client, manager, my_prospect):
    for i in range(30):
        Activity.objects.create(lead=my_prospect, kind="note", subject=f"Note {i}")
    client.force_login(manager)
    page = client.get(reverse("leads:detail", args=[my_prospect.pk])).content.decode()
    assert "Show older" in page and "Note 29" in page and "Note 0" not in page
    start = page.index('hx-get="', page.index('id="lead-timeline-more"')) + len('hx-get="')
    url = page[start : page.index('"', start)].replace("&amp;", "&")
    older = client.get(url, **HTMX).content.decode()
    assert "Note 0" in older and "Note 29" not in older
    assert 'hx-swap-oob="true"' in older
