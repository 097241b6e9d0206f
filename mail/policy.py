"""Who may be written to (docs/architecture.md, "Email: who may be written to").

- Nobody on the suppression list, whatever the kind of mail.
- Marketing mail only to leads with marketing consent.
- Sales mail (a rep's own message, a sequence step) to prospects and customers: a
  business conversation is under way (legitimate interest). To anyone else (a lead
  marketing still nurtures, a lost or disqualified one) it needs marketing consent too.
"""

from collections.abc import Iterable

from funnel.stages import Stage
from mail.models import MailKind, Suppression

SALES_STAGES = {Stage.PROSPECT, Stage.CUSTOMER}


def suppressed_among(emails: Iterable[str]) -> set[str]:
    """The lowered addresses of `emails` on the suppression list (one query)."""
    lowered = {e.lower() for e in emails if e}
    if not lowered:
        return set()
    return set(Suppression.objects.filter(email__in=lowered).values_list("email", flat=True))


def refusal(*, lead, kind: str, suppressed: bool) -> str:
    """Why `lead` may not get mail of `kind`, or "" when it may."""
    if suppressed:
        return "The address is on the suppression list (unsubscribed, bounced or complained)."
    if lead.marketing_consent:
        return ""
    if kind == MailKind.MARKETING:
        return "The lead has not given marketing consent."
    if lead.stage not in SALES_STAGES:
        return "Sales email to someone who is not a prospect or customer needs marketing consent."
    return ""
