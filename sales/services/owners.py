"""Who owns a lead: automatic assignment of new prospects, a manager's reassignment and a
rep's claim of an unassigned prospect. Every change of owner leaves an `OwnerChange`."""

from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from funnel.roles import SALES
from funnel.stages import Stage
from leads.history import lead_changes_record
from leads.merge_policy import WriteOrigin
from leads.models import ChangeSource, Lead
from sales.errors import SalesConflict
from sales.models import Activity, Deal, OwnerChange


def active_sales_reps():
    return get_user_model().objects.filter(is_active=True, groups__name=SALES).order_by("pk")


def prospects_assign_owner(*, lead_ids: list[int]) -> dict[int, int]:
    """Give each ownerless prospect among `lead_ids` to the active sales rep with the fewest
    open prospects (round-robin that evens out load), skipping reps at capacity.

    Safe to run twice at once: rows are locked in id order (so two runs cannot deadlock)
    and re-read after the wait, so no lead is assigned twice. The lock waits rather than
    skipping: a row held for a moment by someone else (a mover's batch, a score write)
    would otherwise stay ownerless until the sweep. Returns {lead_id: owner_id} for
    what it did.
    """
    capacity = settings.SALES_REP_CAPACITY
    with transaction.atomic():
        ownerless = list(
            Lead.objects.filter(pk__in=lead_ids, owner__isnull=True, stage=Stage.PROSPECT)
            .order_by("pk")
            .select_for_update(of=("self",))
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
        now = timezone.now()
        OwnerChange.objects.bulk_create(
            OwnerChange(lead_id=lead_id, to_owner_id=rep_id, kind=OwnerChange.Kind.ASSIGNED, at=now)
            for lead_id, rep_id in assigned.items()
        )
    return assigned


def prospects_assign_ownerless(*, limit: int = 1000) -> dict[int, int]:
    """The sweep behind automatic assignment: prospects left without an owner since their
    latest move to prospect (the task queued by the move was lost, failed or never
    published) get one. A prospect a manager put back in the pool, or a rep released, has
    an owner change after that move and stays in the pool."""
    decided = OwnerChange.objects.filter(
        lead_id=OuterRef("pk"), at__gte=OuterRef("stage_changed_at")
    )
    lead_ids = list(
        Lead.objects.filter(stage=Stage.PROSPECT, owner__isnull=True)
        .exclude(Exists(decided))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return prospects_assign_owner(lead_ids=lead_ids) if lead_ids else {}


def lead_reassign(
    *,
    lead_id: int,
    to_owner: AbstractBaseUser | None,
    actor: AbstractBaseUser,
    reason: str = "",
    origin: WriteOrigin | None = None,
) -> Lead:
    """A manager gives a lead to another rep (or back to the pool with `to_owner=None`).

    The lead's open deals and open tasks held by the previous owner go with it, so the new
    owner's pages show the work in flight; won and lost deals keep their owner, whose quota
    they counted for. Reassigning to the current owner does nothing. The change lands in
    the lead's field history too, from `origin` (default: the API, by `actor`).
    """
    if to_owner is not None and not active_sales_reps().filter(pk=to_owner.pk).exists():
        raise ValidationError({"owner": "Leads can only be given to an active sales rep."})
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead_id)
        to_id = to_owner.pk if to_owner is not None else None
        if lead.owner_id == to_id:
            return lead
        from_id = lead.owner_id
        lead.owner_id = to_id
        lead.save(update_fields=["owner", "updated_at"])
        Deal.objects.filter(lead_id=lead.pk, status=Deal.Status.OPEN, owner_id=from_id).update(
            owner_id=to_id
        )
        Activity.objects.filter(lead_id=lead.pk, done_at__isnull=True, owner_id=from_id).update(
            owner_id=to_id
        )
        OwnerChange.objects.create(
            lead=lead,
            from_owner_id=from_id,
            to_owner_id=to_id,
            changed_by=actor,
            kind=OwnerChange.Kind.REASSIGNED,
            reason=reason.strip()[:500],
        )
        lead_changes_record(
            changes=[(lead.pk, {"owner": (from_id, to_id)})],
            origin=origin or WriteOrigin(source=ChangeSource.API, actor=actor),
            at=lead.updated_at,
        )
    return lead


# Stages a rep may claim an unassigned lead in, and in which a claim stays "open" (counts
# against FUNNEL_MAX_OPEN_CLAIMS): the lead is still in play, not won, lost or dropped.
CLAIMABLE_STAGES = (Stage.LEAD, Stage.PROSPECT)


def open_claims_count(*, rep: AbstractBaseUser) -> int:
    """Leads `rep` claimed, still owns and that are still in play (lead or prospect)."""
    return (
        Lead.objects.filter(
            owner=rep,
            stage__in=CLAIMABLE_STAGES,
            owner_changes__kind=OwnerChange.Kind.CLAIMED,
            owner_changes__to_owner=rep,
        )
        .distinct()
        .count()
    )


def lead_claim(*, lead_id: int, rep: AbstractBaseUser, origin: WriteOrigin | None = None) -> Lead:
    """A sales rep takes an unassigned lead or prospect. Claiming one's own lead does
    nothing; a lead someone else got first, one that is out of play (customer, lost,
    disqualified), or a claim over the rep's cap of open claims is a conflict.

    Two reps claiming one lead at once: the lead's row lock makes exactly one win. One rep
    claiming two at once: the rep's row is locked first, so the cap holds."""
    if not active_sales_reps().filter(pk=rep.pk).exists():
        raise ValidationError("Only an active sales rep can claim a lead.")
    cap = settings.FUNNEL_MAX_OPEN_CLAIMS
    with transaction.atomic():
        # Lock order: the rep, then the lead (as every claim does): no deadlock.
        list(get_user_model().objects.select_for_update().filter(pk=rep.pk).values_list("pk"))
        lead = Lead.objects.select_for_update().get(pk=lead_id)
        if lead.owner_id == rep.pk:
            return lead
        if lead.owner_id is not None:
            raise SalesConflict("Another rep owns this lead already.", code="owned")
        if lead.stage not in CLAIMABLE_STAGES:
            raise SalesConflict(
                "Only leads and prospects can be claimed; this one is a "
                f"{Stage(lead.stage).label.lower()}.",
                code="not_open",
            )
        if cap and open_claims_count(rep=rep) >= cap:
            raise SalesConflict(
                f"You have {cap} open claims already, the most allowed: work or hand back "
                "some before claiming more.",
                code="claim_cap",
            )
        lead.owner = rep
        lead.save(update_fields=["owner", "updated_at"])
        OwnerChange.objects.create(
            lead=lead, to_owner=rep, changed_by=rep, kind=OwnerChange.Kind.CLAIMED
        )
        lead_changes_record(
            changes=[(lead.pk, {"owner": (None, rep.pk)})],
            origin=origin or WriteOrigin(source=ChangeSource.API, actor=rep),
            at=lead.updated_at,
        )
    return lead
