"""Recompute each lead's derived stage columns from its StageChange history.

History is the source of truth; `stage`, `stage_changed_at`, `became_prospect_at` and
`became_customer_at` are copies the one writer keeps in step. This command finds leads
whose copies disagree with history (set-based: one query for the counts, one for the
examples) and, with --fix, rewrites them in one UPDATE. It is the repair path for drift
(a restore, a manual SQL edit); it never writes history.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count, F, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from funnel.models import StageChange
from funnel.stages import Stage
from leads.models import Lead

# Lead column -> what history says it should be, as an expression over the lead's rows.
DERIVED_FIELDS = (
    "stage",
    "stage_changed_at",
    "became_prospect_at",
    "became_customer_at",
    "became_disqualified_at",
    "became_lost_at",
    "returned_to_lead_at",
)
EXAMPLES = 10


def _history_of_lead() -> QuerySet[StageChange]:
    return StageChange.objects.filter(lead=OuterRef("pk"))


def _first_move_into(stage: Stage) -> Subquery:
    first = (
        _history_of_lead()
        .filter(to_stage=stage)
        .order_by()
        .values("lead")
        .annotate(first_at=Min("at"))
        .values("first_at")
    )
    return Subquery(first[:1])


def expected_values() -> dict[str, object]:
    # The lead's own chain gives its stage; moves that came with a merged duplicate
    # (`merged_from`) count only for the milestones (leads.merging).
    latest = _history_of_lead().filter(merged_from__isnull=True).order_by("-at", "-id")
    return {
        # No history: the lead is where every lead starts.
        "stage": Coalesce(Subquery(latest.values("to_stage")[:1]), Value(Stage.LEAD.value)),
        "stage_changed_at": Subquery(latest.values("at")[:1]),
        "became_prospect_at": _first_move_into(Stage.PROSPECT),
        "became_customer_at": _first_move_into(Stage.CUSTOMER),
        "became_disqualified_at": _first_move_into(Stage.DISQUALIFIED),
        "became_lost_at": _first_move_into(Stage.LOST),
        "returned_to_lead_at": _first_move_into(Stage.LEAD),
    }


def _differs(name: str) -> Q:
    # NULL-safe "is distinct from": plain inequality is unknown when either side is NULL.
    actual, expected = name, f"expected_{name}"
    return (
        Q(**{f"{actual}__isnull": True}, **{f"{expected}__isnull": False})
        | Q(**{f"{actual}__isnull": False}, **{f"{expected}__isnull": True})
        | (~Q(**{actual: F(expected)}) & Q(**{f"{actual}__isnull": False}))
    )


def leads_with_drift() -> QuerySet[Lead]:
    annotated = Lead.objects.annotate(
        **{f"expected_{name}": expression for name, expression in expected_values().items()}
    )
    drift = Q()
    for name in DERIVED_FIELDS:
        drift |= _differs(name)
    return annotated.filter(drift)


def milestones_drift() -> dict[str, object]:
    """How many leads disagree with history, per column, and a few examples."""
    annotated = leads_with_drift()
    counts = annotated.aggregate(
        leads=Count("pk"), **{name: Count("pk", filter=_differs(name)) for name in DERIVED_FIELDS}
    )
    fields = ["pk", "email", *DERIVED_FIELDS, *(f"expected_{name}" for name in DERIVED_FIELDS)]
    examples = list(annotated.order_by("pk").values(*fields)[:EXAMPLES])
    return {"counts": counts, "examples": examples}


def milestones_rebuild() -> int:
    """Rewrite the derived columns of every drifting lead from history; returns rows fixed."""
    with transaction.atomic():
        ids = list(leads_with_drift().select_for_update().values_list("pk", flat=True))
        if not ids:
            return 0
        return Lead.objects.filter(pk__in=ids).update(**expected_values())


class Command(BaseCommand):
    help = (
        "Check stage, stage_changed_at and the milestone dates of every lead against its "
        "stage history; --fix rewrites the ones that drifted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="repair the drift found")

    def handle(self, *args, fix: bool = False, **options):
        drift = milestones_drift()
        counts = drift["counts"]
        if not counts["leads"]:
            self.stdout.write(self.style.SUCCESS("No drift: every lead agrees with its history."))
            return
        per_field = ", ".join(f"{name} {counts[name]}" for name in DERIVED_FIELDS)
        self.stdout.write(self.style.WARNING(f"{counts['leads']} leads drifted ({per_field})."))
        for row in drift["examples"]:
            wrong = [
                f"{name} {row[name]!s} (history: {row[f'expected_{name}']!s})"
                for name in DERIVED_FIELDS
                if row[name] != row[f"expected_{name}"]
            ]
            self.stdout.write(f"  lead {row['pk']} <{row['email']}>: " + "; ".join(wrong))
        if fix:
            fixed = milestones_rebuild()
            self.stdout.write(self.style.SUCCESS(f"Fixed {fixed} leads from history."))
        else:
            self.stdout.write("Run with --fix to rewrite them from history.")
