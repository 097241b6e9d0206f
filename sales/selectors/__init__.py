"""Every read of the sales app that crosses relations or aggregates."""

from sales.selectors.quotas import (
    Progress,
    QuotaBoard,
    my_quotas_now,
    quota_board,
    quota_progress,
    quotas_with_won,
)
from sales.selectors.timeline import TimelinePage, lead_timeline
from sales.selectors.visibility import (
    activities_visible_to,
    can_work_sales,
    deals_visible_to,
    enrolments_visible_to,
    leads_filter_repeat,
    owner_changes_visible_to,
    quotas_visible_to,
    repeat_customer_condition,
    sequences_editable_by,
    sequences_visible_to,
)
from sales.selectors.work import MyWork, board, my_work

__all__ = [
    "MyWork",
    "Progress",
    "QuotaBoard",
    "TimelinePage",
    "activities_visible_to",
    "board",
    "can_work_sales",
    "deals_visible_to",
    "enrolments_visible_to",
    "lead_timeline",
    "leads_filter_repeat",
    "my_quotas_now",
    "my_work",
    "owner_changes_visible_to",
    "quota_board",
    "quota_progress",
    "quotas_visible_to",
    "quotas_with_won",
    "repeat_customer_condition",
    "sequences_editable_by",
    "sequences_visible_to",
]
