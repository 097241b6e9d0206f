"""A small, lifelike pipeline built with factories and the one writer, for browser tests
and screenshots (history and stage always agree because every move is a real move)."""

import random
from datetime import timedelta

from django.utils import timezone

from funnel.services import lead_transition
from funnel.stages import Cause, Stage
from tests import factories

PEOPLE = [
    ("Ada", "Lovelace", "Analytical Engines", "Head of Research"),
    ("Grace", "Hopper", "Compiler Works", "VP Engineering"),
    ("Alan", "Turing", "Bletchley Labs", "CTO"),
    ("Katherine", "Johnson", "Orbital Maths", "Lead Analyst"),
    ("Linus", "Pauling", "Helix Chemicals", "Procurement Manager"),
    ("Hedy", "Lamarr", "Frequency Hop", "Founder"),
    ("Tim", "Berners-Lee", "Hypertext Co", "Product Director"),
    ("Margaret", "Hamilton", "Apollo Software", "Engineering Manager"),
    ("Edsger", "Dijkstra", "Shortest Path BV", "Architect"),
    ("Barbara", "Liskov", "Substitution Inc", "COO"),
    ("Dennis", "Ritchie", "Unix Systems", "Operations Lead"),
    ("Frances", "Allen", "Optimising Ltd", "Head of IT"),
    ("Claude", "Shannon", "Information Theory", "Data Lead"),
    ("Radia", "Perlman", "Spanning Tree", "Network Director"),
    ("Donald", "Knuth", "Literate Press", "Editor in Chief"),
    ("Annie", "Easley", "Centaur Rockets", "Program Manager"),
    ("John", "McCarthy", "Lisp Machines", "CEO"),
    ("Sophie", "Wilson", "Acorn Chips", "Design Lead"),
    ("Ken", "Thompson", "Regex Tools", "Staff Engineer"),
    ("Jean", "Sammet", "Cobol Partners", "Finance Director"),
    ("Niklaus", "Wirth", "Pascal & Co", "Founder"),
    ("Evelyn", "Boyd", "Granville Labs", "Research Fellow"),
    ("Vint", "Cerf", "Packet Switch", "Chief Evangelist"),
    ("Mary", "Jackson", "Wind Tunnel Ltd", "Head of Testing"),
]

# Paths through the funnel, drawn from the allowed moves.
PATHS = [
    [],
    [],
    [Stage.PROSPECT],
    [Stage.PROSPECT],
    [Stage.PROSPECT, Stage.CUSTOMER],
    [Stage.DISQUALIFIED],
    [Stage.PROSPECT, Stage.LOST],
    [Stage.PROSPECT, Stage.LOST, Stage.PROSPECT],
]
REASONS = {
    Stage.PROSPECT: ["Requested a demo", "Budget confirmed", "Asked for pricing"],
    Stage.CUSTOMER: ["Signed the annual plan", "First order placed"],
    Stage.DISQUALIFIED: ["Student, no buying power", "Competitor"],
    Stage.LOST: ["Chose a competitor", "No budget this year"],
    Stage.LEAD: ["Recycled to nurture"],
}


def pipeline_build(*, reps, manager, count: int = 24, seed: int = 7) -> list:
    """`count` leads over the last ~4 months spread over `reps` (some unassigned), each
    moved along one of PATHS at increasing times. Returns the leads, newest last."""
    rng = random.Random(seed)
    campaigns = [
        factories.CampaignFactory(name=name)
        for name in ("Spring webinar", "Search: CRM", "Partner referrals", "Trade show")
    ]
    now = timezone.now()
    leads = []
    for i in range(count):
        first, last, company, title = PEOPLE[i % len(PEOPLE)]
        created = now - timedelta(days=120 - i * (110 / count), hours=rng.randint(0, 12))
        owner = reps[i % len(reps)] if i % 5 else None
        lead = factories.LeadFactory(
            first_name=first,
            last_name=last,
            company=company,
            title=title,
            email=f"{first}.{last}{i}@example.com".lower(),
            phone=f"+44 20 7946 {rng.randint(1000, 9999)}",
            country=rng.choice(["United Kingdom", "Germany", "France", "Netherlands"]),
            industry=rng.choice(["Software", "Manufacturing", "Finance", "Healthcare"]),
            source_campaign=rng.choice(campaigns),
            score=rng.randint(5, 95),
            owner=owner,
            created_at=created,
        )
        at = created
        for stage in PATHS[i % len(PATHS)]:
            at += timedelta(days=rng.randint(2, 9), hours=rng.randint(1, 8))
            by_rule = stage == Stage.PROSPECT and rng.random() < 0.3
            lead = lead_transition(
                lead_id=lead.pk,
                to_stage=stage,
                cause=Cause.RULE if by_rule else Cause.MANUAL,
                actor=None if by_rule else rng.choice([*reps, manager]),
                reason="Score reached the MQL threshold" if by_rule else rng.choice(REASONS[stage]),
                at=min(at, now - timedelta(minutes=5)),
            )
        leads.append(lead)
    return leads
