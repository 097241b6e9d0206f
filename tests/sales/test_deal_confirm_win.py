"""Won asks first: the final amount (prefilled with the deal's) and an optional note; the
confirmed amount is what is won, the note stays on the deal's timeline."""

from decimal import Decimal

import pytest
from django.urls import reverse

from sales.models import Activity, Deal
from tests.sales.factories import DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep_client(client, rep):
    client.force_login(rep)
    return client


def test_the_lead_page_asks_amount_and_note_before_winning(rep_client, my_prospect):
    deal = DealFactory(lead=my_prospect, amount=Decimal("2500.00"))
    html = rep_client.get(reverse("leads:detail", args=[my_prospect.pk])).content.decode()
    win_url = reverse("sales:deal_win", args=[deal.pk])
    form = html[html.index(f'action="{win_url}"') :]
    form = form[: form.index("</form>")]
    assert 'name="amount" value="2500.00"' in form
    assert 'name="note"' in form
    assert "Confirm won" in form
    # The button that opens it is not a submit button: one click cannot win a deal.
    assert "<summary" in html[html.rindex("Won…") - 80 : html.rindex("Won…")]


def test_the_board_asks_too(rep_client, my_prospect):
    deal = DealFactory(lead=my_prospect, amount=Decimal("900.00"))
    html = rep_client.get(reverse("sales:board")).content.decode()
    assert f'id="win-amount-{deal.pk}"' in html
    assert f'id="lose-{deal.pk}"' in html and "Confirm lost" in html


def test_the_confirmed_amount_and_note_are_recorded(rep_client, rep, my_prospect):
    deal = DealFactory(lead=my_prospect, amount=Decimal("2500.00"))
    response = rep_client.post(
        reverse("sales:deal_win", args=[deal.pk]),
        {"return_to": "lead", "amount": "2400.00", "note": "Discount for two seats"},
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert (deal.status, deal.amount) == (Deal.Status.WON, Decimal("2400.00"))
    note = Activity.objects.get(deal=deal, kind=Activity.Kind.NOTE)
    assert (note.body, note.created_by) == ("Discount for two seats", rep)


def test_a_bad_amount_wins_nothing(rep_client, my_prospect):
    deal = DealFactory(lead=my_prospect, amount=Decimal("2500.00"))
    response = rep_client.post(
        reverse("sales:deal_win", args=[deal.pk]),
        {"return_to": "board", "amount": "-5"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    deal.refresh_from_db()
    assert (deal.status, deal.amount) == (Deal.Status.OPEN, Decimal("2500.00"))
