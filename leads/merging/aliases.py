"""Merged-away addresses resolve to their survivor: every writer that takes an email
(bulk upsert, capture, the CSV import, create) asks here first, so a merged duplicate
does not come back with the next form submission or file."""

from __future__ import annotations

from collections.abc import Iterable

from leads.models import Lead, LeadEmailAlias


def emails_resolve(*, emails: Iterable[str]) -> dict[str, str]:
    """{merged-away address: the survivor's address now} for those of `emails` (normalised)
    that are aliases; one query, none when no alias exists at all in the batch."""
    wanted = set(emails)
    if not wanted:
        return {}
    rows = LeadEmailAlias.objects.filter(email__in=wanted).values_list("email", "lead__email")
    return dict(rows)


def email_resolve(*, email: str) -> str:
    return emails_resolve(emails=[email]).get(email, email)


def lead_by_email(*, email: str) -> Lead | None:
    """The lead that has `email` (normalised), as its own address or a merged-away one."""
    lead = Lead.objects.filter(email=email).first()
    if lead is not None:
        return lead
    alias = LeadEmailAlias.objects.filter(email=email).select_related("lead").first()
    return alias.lead if alias else None
