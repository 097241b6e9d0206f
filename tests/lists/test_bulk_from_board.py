"""Bulk actions from the sales board: the lead lists' bar and service (lists/), acting on
the ticked cards of any column; refusals reported lead by lead, deletes confirmed first,
and the way back leads to the board."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from funnel.stages import Stage
from leads.models import Lead
from lists.models import BulkAction
from sales.models import Deal
from tests.sales.factories import DealFactory, lead_in, prospect

pytestmark = pytest.mark.django_db


def board_boxes(html: str) -> dict[str, list[int]]:
    """Ticked-card boxes by column key, as the board renders them."""
    boxes: dict[str, list[int]] = {}
    for key, body in re.findall(r'<section id="column-(\w+)"(.*?)</section>', html, re.S):
        boxes[key] = [
            int(v)
            for v in re.findall(
                r'class="bulk-pick" name="lead" value="(\d+)" form="bulk-form"', body
            )
        ]
    return boxes


def test_every_card_has_a_box_that_joins_the_bulk_form(login, rep):
    fresh = prospect(owner=rep)
    negotiating = DealFactory(lead=prospect(owner=rep)).lead
    repeat = lead_in(Stage.CUSTOMER, owner=rep)
    DealFactory(lead=repeat)
    closed = timezone.now() - timedelta(days=2)
    won = DealFactory(
        lead=lead_in(Stage.CUSTOMER, owner=rep),
        status=Deal.Status.WON,
        closed_at=closed,
        closed_on=closed.date(),
    )
    lost = lead_in(Stage.LOST, owner=rep)

    html = login(rep).get(reverse("sales:board")).content.decode()

    assert board_boxes(html) == {
        "no_deal": [fresh.pk],
        "open_deal": [negotiating.pk],
        "repeat": [repeat.pk],
        "won": [won.lead_id],
        "lost": [lost.pk],
    }
    form = re.search(r'<form id="bulk-form"[^>]*>', html).group(0)
    assert f'action="{reverse("lists:bulk-start", args=["list"])}"' in form
    assert '<input type="hidden" name="origin" value="board">' in html
    # A column per stage in the phone's switcher, with its count; "all in column" boxes.
    assert re.findall(r'data-column="(\w+)" aria-controls="column-\w+" aria-pressed', html) == [
        "no_deal",
        "open_deal",
        "repeat",
        "won",
        "lost",
    ]
    assert "Select all in Prospects" in html
    # A rep's bar offers no manager actions; there is no filter to match on the board.
    assert 'value="assign"' not in html and 'value="delete"' not in html
    assert 'name="all_matching"' not in html


def test_moving_cards_from_several_columns_reports_each_refusal(bulk, rep):
    quiet = prospect(owner=rep)
    negotiating = DealFactory(lead=prospect(owner=rep)).lead
    customer = lead_in(Stage.CUSTOMER, owner=rep, first_name="Cy", last_name="Stomer")

    response = bulk(
        rep,
        action="move",
        to_stage="lost",
        reason="Went silent",
        origin="board",
        leads=[quiet, negotiating, customer],
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "2 changed" in body and "1 refused" in body
    assert "Cy Stomer" in body
    assert response["HX-Trigger"] == "leads-changed"  # the board fetches itself again
    stages = dict(Lead.objects.values_list("pk", "stage"))
    assert (stages[quiet.pk], stages[negotiating.pk], stages[customer.pk]) == (
        Stage.LOST,
        Stage.LOST,
        Stage.CUSTOMER,
    )
    action = BulkAction.objects.get()
    assert (action.list_kind, action.succeeded, action.refused) == ("list", 2, 1)


def test_a_rep_cannot_reach_another_reps_card_by_its_id(bulk, rep, other_rep):
    mine = prospect(owner=rep)
    theirs = prospect(owner=other_rep)
    response = bulk(rep, action="move", to_stage="lost", origin="board", leads=[mine, theirs])
    assert response.status_code == 200
    assert Lead.objects.get(pk=mine.pk).stage == Stage.LOST
    assert Lead.objects.get(pk=theirs.pk).stage == Stage.PROSPECT
    assert BulkAction.objects.get().total == 1


def test_a_rep_may_not_assign_from_the_board(bulk, rep, other_rep):
    card = prospect(owner=rep)
    response = bulk(rep, action="assign", owner=other_rep.pk, origin="board", leads=[card])
    assert response.status_code == 400
    assert Lead.objects.get(pk=card.pk).owner_id == rep.pk


def test_delete_from_the_board_asks_first_and_cancels_back_to_the_board(bulk, manager):
    cards = [prospect(owner=manager), prospect(owner=manager)]

    asked = bulk(manager, action="delete", origin="board", leads=cards).content.decode()

    assert "Delete 2 leads?" in asked
    assert f'href="{reverse("sales:board")}">Cancel' in asked
    assert '<input type="hidden" name="origin" value="board">' in asked
    assert Lead.objects.count() == 2

    done = bulk(manager, action="delete", confirm="on", origin="board", leads=cards)
    assert done.status_code == 200
    assert not Lead.objects.exists()


def test_without_javascript_a_refusal_page_links_back_to_the_board(bulk, rep):
    response = bulk(rep, action="move", origin="board", leads=[prospect(owner=rep)], htmx=False)
    assert response.status_code == 400
    assert f'<a href="{reverse("sales:board")}">Back to the list</a>' in response.content.decode()


def test_a_large_selection_runs_as_a_task_with_progress(bulk, rep, settings):
    settings.FUNNEL_BULK_SYNC_LIMIT = 1
    cards = [prospect(owner=rep), prospect(owner=rep)]
    response = bulk(rep, action="move", to_stage="lost", origin="board", leads=cards)
    assert response.status_code == 200
    action = BulkAction.objects.get()
    assert action.status == BulkAction.Status.QUEUED
    assert f'hx-get="{reverse("lists:bulk-action", args=[action.pk])}"' in response.content.decode()


def test_export_from_the_board_downloads_the_ticked_cards(bulk, rep):
    cards = [prospect(owner=rep), prospect(owner=rep)]
    response = bulk(rep, action="export", origin="board", leads=cards)
    assert response.status_code == 204
    url = response["HX-Redirect"]
    assert url.startswith(reverse("marketing:leads-export"))
    assert sorted(int(v) for v in re.findall(r"id=(\d+)", url)) == sorted(c.pk for c in cards)
