"""Who sees which sales records. Like `leads.selectors` for leads, these are THE rule:
every page and endpoint scopes its queryset with them, so a record outside them is a 404.

Managers (and superusers) see everything. A sales rep sees the deals and activities they
own or that sit on a lead they own (the lead's history stays with the lead when it is
reassigned), their enrolments, every sequence (shared playbooks), their own, their team's and
the whole team's quotas. Marketing sees none of these: they are the reps' work.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from funnel.roles import is_manager, is_sales_rep
from leads.models import Lead
from sales.models import Activity, Deal, Enrolment, OwnerChange, Quota, Sequence


def can_work_sales(user: AbstractBaseUser) -> bool:
    """Managers and sales reps use the sales pages and endpoints; nobody else does."""
    return is_manager(user) or is_sales_rep(user)


def _own_or_on_own_lead(user: AbstractBaseUser) -> Q:
    return Q(owner=user) | Q(lead__owner=user)


def deals_visible_to(user: AbstractBaseUser, *, queryset: QuerySet[Deal] | None = None):
    deals = Deal.objects.all() if queryset is None else queryset
    if is_manager(user):
        return deals
    if is_sales_rep(user):
        return deals.filter(_own_or_on_own_lead(user))
    return deals.none()


def activities_visible_to(
    user: AbstractBaseUser, *, queryset: QuerySet[Activity] | None = None
) -> QuerySet[Activity]:
    activities = Activity.objects.all() if queryset is None else queryset
    if is_manager(user):
        return activities
    if is_sales_rep(user):
        return activities.filter(_own_or_on_own_lead(user))
    return activities.none()


def enrolments_visible_to(
    user: AbstractBaseUser, *, queryset: QuerySet[Enrolment] | None = None
) -> QuerySet[Enrolment]:
    enrolments = Enrolment.objects.all() if queryset is None else queryset
    if is_manager(user):
        return enrolments
    if is_sales_rep(user):
        return enrolments.filter(lead__owner=user)
    return enrolments.none()


def sequences_visible_to(user: AbstractBaseUser) -> QuerySet[Sequence]:
    return Sequence.objects.all() if can_work_sales(user) else Sequence.objects.none()


def sequences_editable_by(user: AbstractBaseUser) -> QuerySet[Sequence]:
    """A sequence is changed by its author or a manager; other reps only use it."""
    if is_manager(user):
        return Sequence.objects.all()
    if is_sales_rep(user):
        return Sequence.objects.filter(owner=user)
    return Sequence.objects.none()


def quotas_visible_to(user: AbstractBaseUser) -> QuerySet[Quota]:
    if is_manager(user):
        return Quota.objects.all()
    if is_sales_rep(user):
        return Quota.objects.filter(
            Q(owner=user)
            | Q(owner__isnull=True, team__isnull=True)
            | Q(team__memberships__user=user)
        )
    return Quota.objects.none()


def owner_changes_visible_to(user: AbstractBaseUser) -> QuerySet[OwnerChange]:
    if is_manager(user):
        return OwnerChange.objects.all()
    if is_sales_rep(user):
        return OwnerChange.objects.filter(lead__owner=user)
    return OwnerChange.objects.none()


def repeat_customer_condition(*, repeat: bool = True, lead_ref: str = "pk") -> Q:
    """Leads with two or more won deals (repeat, loyal customers), or not: an EXISTS with
    OFFSET 1 on the (lead, status) index, cheap per row of a paginated list. `lead_ref`
    names the lead id in the outer query ("pk" on leads, "lead_id" on deals)."""
    second_win = Deal.objects.filter(lead_id=OuterRef(lead_ref), status=Deal.Status.WON).order_by(
        "pk"
    )[1:2]
    return Q(Exists(second_win)) if repeat else ~Q(Exists(second_win))


def leads_filter_repeat(queryset: QuerySet[Lead], *, repeat: bool) -> QuerySet[Lead]:
    """For lead lists (`customers/?repeat=true`): only repeat customers, or only the rest."""
    return queryset.filter(repeat_customer_condition(repeat=repeat))
