"""Every write of the sales app. Callers use `from sales import services` and the names
below; each lives in the module of its record."""

from sales.services.activities import (
    activity_complete,
    activity_create,
    activity_delete,
    activity_update,
    lead_activity_seen,
    leads_last_activity_rebuild,
    users_who_may_own,
)
from sales.services.deals import (
    deal_create,
    deal_delete,
    deal_lose,
    deal_reopen,
    deal_update,
    deal_win,
    promotion_for_code,
)
from sales.services.owners import (
    active_sales_reps,
    lead_claim,
    lead_reassign,
    open_claims_count,
    prospects_assign_owner,
    prospects_assign_ownerless,
)
from sales.services.quotas import (
    quota_create,
    quota_delete,
    quota_period_clean,
    quota_set,
    quota_update,
)
from sales.services.sequences import (
    enrolment_new,
    enrolment_stop,
    enrolments_advance,
    enrolments_stop_for_lead,
    enrolments_stop_for_leads,
    leads_enrol,
    sequence_create,
    sequence_delete,
    sequence_steps_create_due,
    sequence_update,
)
from sales.services.stale import stale_prospects_recycle

__all__ = [
    "active_sales_reps",
    "activity_complete",
    "activity_create",
    "activity_delete",
    "activity_update",
    "deal_create",
    "deal_delete",
    "deal_lose",
    "deal_reopen",
    "deal_update",
    "deal_win",
    "enrolment_new",
    "enrolment_stop",
    "enrolments_advance",
    "enrolments_stop_for_lead",
    "enrolments_stop_for_leads",
    "lead_activity_seen",
    "lead_claim",
    "lead_reassign",
    "leads_enrol",
    "leads_last_activity_rebuild",
    "open_claims_count",
    "promotion_for_code",
    "prospects_assign_owner",
    "prospects_assign_ownerless",
    "quota_create",
    "quota_delete",
    "quota_period_clean",
    "quota_set",
    "quota_update",
    "sequence_create",
    "sequence_delete",
    "sequence_steps_create_due",
    "sequence_update",
    "stale_prospects_recycle",
    "users_who_may_own",
]
