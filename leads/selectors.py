"""Who may see and change which leads: THE visibility rule, for every page and endpoint.

Managers (and superusers) see and edit everything. Marketing sees and edits every lead.
A sales rep sees the leads they own plus unassigned ones, and edits only their own.
Anyone else sees nothing. Callers scope their querysets with these functions instead of
re-implementing the rule; a lead outside `leads_visible_to` must answer 404, a visible
one outside `leads_editable_by` 403.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from funnel.roles import is_manager, is_marketer, is_sales_rep
from leads.models import Lead


def leads_visible_to(
    user: AbstractBaseUser, *, queryset: QuerySet[Lead] | None = None
) -> QuerySet[Lead]:
    """The leads `user` may see, as a filter on `queryset` (default: every lead).

    Pass a narrower queryset (`Prospect.objects.all()`, a filtered list) to scope it; the
    result stays lazy, so callers add filters, joins and pagination on top.
    """
    leads = Lead.objects.all() if queryset is None else queryset
    if is_manager(user) or is_marketer(user):
        return leads
    if is_sales_rep(user):
        # Unassigned leads are visible so reps can see the pool they will be given.
        return leads.filter(Q(owner=user) | Q(owner__isnull=True))
    return leads.none()


def lead_owner_scope(user: AbstractBaseUser) -> tuple[int | None, ...] | None:
    """`leads_visible_to` as owners: None for every lead, else the owners whose leads
    `user` sees (None: unassigned), so the keyed metric summaries can serve a rep."""
    if is_manager(user) or is_marketer(user):
        return None
    if is_sales_rep(user):
        return (user.pk, None)
    return ()


def leads_editable_by(
    user: AbstractBaseUser, *, queryset: QuerySet[Lead] | None = None
) -> QuerySet[Lead]:
    """The leads `user` may change (fields and stage moves), a subset of the visible ones."""
    leads = Lead.objects.all() if queryset is None else queryset
    if is_manager(user) or is_marketer(user):
        return leads
    if is_sales_rep(user):
        return leads.filter(owner=user)
    return leads.none()


def lead_is_editable_by(user: AbstractBaseUser, *, lead: Lead) -> bool:
    """`leads_editable_by` for one lead already in hand, without a query.

    Must agree with `leads_editable_by`; tests/api/test_leads_selectors.py checks both
    over the whole cast of users.
    """
    if is_manager(user) or is_marketer(user):
        return True
    return is_sales_rep(user) and lead.owner_id == user.pk


def lead_is_deletable_by(user: AbstractBaseUser, *, lead: Lead) -> bool:
    """Deleting a lead erases its history (and every funnel figure it counted in), so only
    managers may do it."""
    return is_manager(user)


def leads_creatable_by(user: AbstractBaseUser) -> bool:
    """Anyone with a role may add leads; a user with none could not even see them."""
    return is_manager(user) or is_marketer(user) or is_sales_rep(user)
