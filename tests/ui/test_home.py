"""Home: the pipeline of what the user may see, counted per stage, and the latest moves."""

import re

from django.urls import reverse

from funnel.stages import Stage
from tests import factories


def tile_counts(html: str) -> dict[str, int]:
    found = re.findall(
        r'class="stat-tile stat-(\w+)[^"]*".*?<span class="stat-value">([\d,]+)</span>',
        html,
        flags=re.S,
    )
    return {stage: int(value.replace(",", "")) for stage, value in found}


def test_counts_every_stage_of_everything_for_a_manager(login, manager, rep, moved):
    factories.LeadFactory.create_batch(3)
    moved(factories.LeadFactory(owner=rep), Stage.PROSPECT)
    moved(factories.LeadFactory(), Stage.PROSPECT, Stage.CUSTOMER)
    moved(factories.LeadFactory(), Stage.DISQUALIFIED)
    html = login(manager).get(reverse("home")).content.decode()
    assert tile_counts(html) == {
        "lead": 3,
        "prospect": 1,
        "customer": 1,
        "disqualified": 1,
        "lost": 0,
    }
    assert "All leads: 6 in total." in html


def test_a_rep_counts_only_own_and_unassigned_leads(login, rep, other_rep, moved):
    moved(factories.LeadFactory(owner=rep), Stage.PROSPECT)
    factories.LeadFactory(owner=None)
    moved(factories.LeadFactory(owner=other_rep), Stage.PROSPECT)
    factories.LeadFactory.create_batch(2, owner=other_rep)
    html = login(rep).get(reverse("home")).content.decode()
    assert tile_counts(html) == {
        "lead": 1,
        "prospect": 1,
        "customer": 0,
        "disqualified": 0,
        "lost": 0,
    }
    assert "Your leads and unassigned leads: 2 in total." in html


def test_tiles_link_to_the_stage_lists(login, manager):
    html = login(manager).get(reverse("home")).content.decode()
    assert f'href="{reverse("leads:prospects")}"' in html
    assert f'href="{reverse("leads:customers")}"' in html
    assert f'href="{reverse("leads:list")}?stage=lost"' in html


def test_recent_moves_link_to_the_lead_and_stay_scoped(login, rep, other_rep, moved):
    mine = factories.LeadFactory(owner=rep, first_name="Mine", last_name="Lead")
    theirs = factories.LeadFactory(owner=other_rep, first_name="Theirs", last_name="Lead")
    moved(mine, Stage.PROSPECT, actor=rep)
    moved(theirs, Stage.DISQUALIFIED)
    html = login(rep).get(reverse("home")).content.decode()
    assert f'href="{reverse("leads:detail", args=[mine.pk])}"' in html
    assert "Mine Lead" in html
    assert "Theirs" not in html
    assert reverse("leads:detail", args=[theirs.pk]) not in html


def test_recent_moves_are_newest_first_and_capped(login, manager, moved):
    leads = factories.LeadFactory.create_batch(14)
    for lead in leads:
        moved(lead, Stage.PROSPECT)
    html = login(manager).get(reverse("home")).content.decode()
    shown = re.findall(r'class="move-lead" href="/leads/(\d+)/"', html)
    assert [int(pk) for pk in shown] == [lead.pk for lead in reversed(leads)][:12]


def test_empty_funnel_says_so(login, rep):
    html = login(rep).get(reverse("home")).content.decode()
    assert "No stage moves yet" in html
    assert tile_counts(html)["lead"] == 0
