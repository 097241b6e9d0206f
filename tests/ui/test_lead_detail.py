"""The lead page: details, stage, history as a timeline, and who may see or move it."""

import re

from django.urls import reverse

from funnel.stages import Stage
from tests import factories


def page(client, lead):
    return client.get(reverse("leads:detail", args=[lead.pk]))


def test_shows_details_owner_campaign_score_and_stage(login, rep):
    campaign = factories.CampaignFactory(name="Spring webinar")
    lead = factories.LeadFactory(
        owner=rep,
        first_name="Ada",
        last_name="Lovelace",
        company="Analytical Engines",
        title="Head of Research",
        phone="+44 20 7946 0000",
        source_campaign=campaign,
        score=72,
    )
    html = page(login(rep), lead).content.decode()
    assert "<h1>Ada Lovelace</h1>" in html
    assert "Head of Research at Analytical Engines" in html
    assert f'href="/mail/leads/{lead.pk}/compose/"' in html
    assert f'href="mailto:{lead.email}"' in html  # the address itself stays a link
    assert 'href="tel:+44 20 7946 0000"' in html
    assert "Spring webinar" in html
    assert '<span class="fact-value score">72</span>' in html
    assert rep.username in html
    assert 'id="lead-stage-badge" class="badge badge-lg badge-lead"' in html


def test_timeline_lists_moves_newest_first_with_who_why_and_cause(login, manager, rep, moved):
    rep.first_name, rep.last_name = "Riley", "Stone"
    rep.save()
    lead = factories.LeadFactory(owner=rep)
    moved(lead, Stage.PROSPECT, actor=rep, reason="Asked for a demo")
    moved(lead, Stage.LOST, actor=manager, reason="Went with a competitor")
    html = page(login(rep), lead).content.decode()
    timeline = html[html.index('id="lead-timeline"') :]
    items = re.findall(r'<li class="timeline-item timeline-(\w+)">', timeline)
    assert items == ["stage_change", "stage_change", "created"]
    assert timeline.index("Went with a competitor") < timeline.index("Asked for a demo")
    assert "by Riley Stone" in timeline
    assert '<span class="chip" title="Cause of the move">manual</span>' in timeline


def test_moves_without_a_person_name_their_cause(login, manager):
    from funnel.services import lead_transition
    from funnel.stages import Cause

    lead = factories.LeadFactory()
    lead_transition(lead_id=lead.pk, to_stage=Stage.PROSPECT, cause=Cause.RULE)
    html = page(login(manager), lead).content.decode()
    assert "Automatic rule" in html


def test_move_form_offers_only_the_allowed_next_stages(login, rep, moved):
    lead = factories.LeadFactory(owner=rep)
    html = page(login(rep), lead).content.decode()
    assert re.findall(r'name="to_stage" value="(\w+)"', html) == ["prospect", "disqualified"]
    moved(lead, Stage.PROSPECT)
    html = page(login(rep), lead).content.decode()
    assert re.findall(r'name="to_stage" value="(\w+)"', html) == ["customer", "lost", "lead"]


def test_a_customer_has_no_moves_for_a_rep_and_says_why(login, rep, moved):
    # A manager may move a customer back to prospect (tests/funnel/test_restricted_moves.py);
    # the rep who owns the customer may not.
    lead = moved(factories.LeadFactory(owner=rep), Stage.PROSPECT, Stage.CUSTOMER)
    html = page(login(rep), lead).content.decode()
    assert 'name="to_stage"' not in html
    assert "Customers are the end of the funnel" in html


def test_another_reps_lead_is_404(login, rep, other_rep):
    lead = factories.LeadFactory(owner=other_rep)
    assert page(login(rep), lead).status_code == 404


def test_unknown_lead_is_404(login, manager):
    assert login(manager).get(reverse("leads:detail", args=[999999])).status_code == 404


def test_a_rep_reads_an_unassigned_lead_without_a_move_form(login, rep):
    lead = factories.LeadFactory(owner=None)
    response = page(login(rep), lead)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="to_stage"' not in html
    assert "This lead is unassigned" in html


def test_breadcrumb_and_navigation_follow_the_stage(login, manager, moved):
    lead = moved(factories.LeadFactory(), Stage.PROSPECT)
    html = page(login(manager), lead).content.decode()
    assert '<li><a href="/leads/prospects/">Prospects</a></li>' in html
    assert re.search(r'<a href="/leads/prospects/"[^>]*aria-current="page"', html)


def test_not_found_uses_the_layout(login, rep, other_rep):
    lead = factories.LeadFactory(owner=other_rep)
    html = page(login(rep), lead).content.decode()
    assert "find that page" in html
    assert 'class="skip-link"' in html
