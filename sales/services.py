from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q

from funnel.roles import SALES
from funnel.stages import Stage
from leads.models import Lead


def active_sales_reps():
    return get_user_model().objects.filter(is_active=True, groups__name=SALES).order_by("pk")


def prospects_assign_owner(*, lead_ids: list[int]) -> dict[int, int]:
    """Give each ownerless prospect among `lead_ids` to the active sales rep with the fewest
    open prospects (round-robin that evens out load), skipping reps at capacity.

    Safe to run twice at once: rows are claimed under a lock and only ownerless ones are
    updated, so no lead is assigned twice. Returns {lead_id: owner_id} for what it did.
    """
    capacity = settings.SALES_REP_CAPACITY
    with transaction.atomic():
        ownerless = list(
            Lead.objects.filter(pk__in=lead_ids, owner__isnull=True, stage=Stage.PROSPECT)
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        if not ownerless:
            return {}
        reps = active_sales_reps().annotate(
            open_prospects=Count("owned_leads", filter=Q(owned_leads__stage=Stage.PROSPECT))
        )
        load = {rep.pk: rep.open_prospects for rep in reps}
        assigned: dict[int, int] = {}
        for lead_id in ownerless:
            open_reps = [pk for pk, n in load.items() if not capacity or n < capacity]
            if not open_reps:
                break
            rep_id = min(open_reps, key=lambda pk: (load[pk], pk))
            assigned[lead_id] = rep_id
            load[rep_id] += 1
        by_rep: dict[int, list[int]] = defaultdict(list)
        for lead_id, rep_id in assigned.items():
            by_rep[rep_id].append(lead_id)
        # One UPDATE per rep, not per lead.
        for rep_id, ids in by_rep.items():
            Lead.objects.filter(pk__in=ids, owner__isnull=True).update(owner_id=rep_id)
    return assigned
