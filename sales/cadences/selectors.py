"""Reads for the sequence pages: the list with its counts, one sequence with its steps."""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from sales.models import Enrolment, Sequence, SequenceStep
from sales.selectors import sequences_editable_by, sequences_visible_to


def _count(queryset: QuerySet) -> Coalesce:
    # A subquery per count: two joined counts would multiply each other's rows.
    counted = queryset.order_by().values("sequence_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def sequence_list_for(user) -> QuerySet[Sequence]:
    """Every sequence the user sees, with its step count and running enrolments (one query)."""
    steps = SequenceStep.objects.filter(sequence_id=OuterRef("pk"))
    running = Enrolment.objects.filter(sequence_id=OuterRef("pk"), status=Enrolment.Status.ACTIVE)
    editable = sequences_editable_by(user).filter(pk=OuterRef("pk")).values("pk")[:1]
    return (
        sequences_visible_to(user)
        .select_related("owner")
        .annotate(
            steps_count=_count(steps),
            running=_count(running),
            editable=Coalesce(Subquery(editable, output_field=IntegerField()), 0),
        )
        .order_by("-is_active", "name", "pk")
    )


def sequence_for_page(user, pk: int) -> Sequence:
    """One visible sequence with its steps and their emails; DoesNotExist when not visible."""
    return (
        sequences_visible_to(user)
        .select_related("owner")
        .prefetch_related("steps__email")
        .get(pk=pk)
    )
