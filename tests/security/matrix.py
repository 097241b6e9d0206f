"""The authorization matrix: for every API operation, what each role gets.

One row per operation of the OpenAPI schema ("METHOD /api/v1/path/"), checked both ways by
tests/security/test_authorization_matrix.py: an operation missing here, or a row for an
operation that no longer exists, fails the suite. To add an endpoint, add its row: the
statuses per role, the record its path points at (by default one that rep A owns or works
on, so rep B must get 404), a valid body for writes, and for lists who may see which rows.

Roles, in the order of `s(...)`: anonymous, API key read, API key read-write, marketer,
rep A, rep B, manager. API keys act as managers (integrations/api_keys/services.py); a read-only
key is refused every write (403).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone

from leads.models import Lead
from tests.factories import PASSWORD
from tests.security.world import ROLES, World

PUBLIC_IP_HOOK = "https://93.184.216.34/funnel-hook"  # an IP literal: no DNS in tests


def s(anonymous, key_read, key_write, marketer, rep_a, rep_b, manager) -> dict[str, int]:
    return dict(
        zip(ROLES, (anonymous, key_read, key_write, marketer, rep_a, rep_b, manager), strict=True)
    )


@dataclass(frozen=True)
class Row:
    statuses: dict[str, int]
    params: Callable[[World], dict[str, Any]] = lambda w: {}
    body: Callable[[World], Any] | None = None
    # List operations: the ids each role may see (None: everything in the table).
    visible: Callable[[World, str], set[int]] | None = None
    # The operation's purpose is to change stage or owner (moves, wins, assignment): the
    # mass-assignment probe leaves it out.
    moves_funnel: bool = False
    query: dict[str, str] = field(default_factory=dict)


# --- Who sees what (independent of the selectors under test) ---------------------------


def lead_ids(w: World, role: str, *, stage: str | None = None) -> set[int]:
    leads = [lead for group in w.leads.values() for lead in group]
    if role in ("rep_a", "rep_b"):
        leads = [lead for lead in leads if lead.owner_id in (None, w.user(role).pk)]
    ids = {lead.pk for lead in leads}
    # Leads made by the world's other records (none today) stay out of the comparison.
    return set(
        Lead.objects.filter(pk__in=ids, **({"stage": stage} if stage else {})).values_list(
            "pk", flat=True
        )
    )


def side_ids(w: World, role: str, pick: Callable) -> set[int]:
    sides = {"rep_a": [w.sales.a], "rep_b": [w.sales.b]}.get(role, [w.sales.a, w.sales.b])
    return {pick(side) for side in sides}


def quota_ids(w: World, role: str) -> set[int]:
    return side_ids(w, role, lambda side: side.quota.pk) | {w.sales.team_quota.pk}


def sequence_ids(w: World, role: str) -> set[int]:
    # Cadences are shared by the sales team.
    return {side.sequence.pk for side in (w.sales.a, w.sales.b)} | {
        side.enrolment.sequence_id for side in (w.sales.a, w.sales.b)
    }


def activity_ids(w: World, role: str) -> set[int]:
    return side_ids(w, role, lambda side: side.activity.pk) | side_ids(
        w, role, lambda side: side.task.pk
    )


# --- Presets ---------------------------------------------------------------------------

READ_ALL = s(401, 200, 200, 200, 200, 200, 200)
READ_AS_OWNER = s(401, 200, 200, 200, 200, 404, 200)  # rep A's record
WRITE_AS_OWNER = s(401, 403, 200, 200, 200, 404, 200)
SALES_READ = s(401, 200, 200, 403, 200, 200, 200)
SALES_READ_AS_OWNER = s(401, 200, 200, 403, 200, 404, 200)
SALES_WRITE_AS_OWNER = s(401, 403, 200, 403, 200, 404, 200)
MARKETING_READ = s(401, 200, 200, 200, 403, 403, 200)
MARKETING_WRITE = s(401, 403, 200, 200, 403, 403, 200)
MANAGERS_READ = s(401, 200, 200, 403, 403, 403, 200)
MANAGERS_WRITE = s(401, 403, 200, 403, 403, 403, 200)


def created(statuses: dict[str, int]) -> dict[str, int]:
    return {role: 201 if code == 200 else code for role, code in statuses.items()}


def deleted(statuses: dict[str, int]) -> dict[str, int]:
    return {role: 204 if code == 200 else code for role, code in statuses.items()}


def a_rate(w: World) -> int:
    """A euro rate nothing depends on (so a manager may delete it)."""
    from datetime import date
    from decimal import Decimal

    from currencies.models import ExchangeRate

    rate, _ = ExchangeRate.objects.get_or_create(
        currency="EUR", day=date(2026, 1, 2), defaults={"rate": Decimal("1.1")}
    )
    return rate.pk


def a_team(w: World) -> int:
    """A team with rep A in it."""
    from sales.models import Team, TeamMember

    team, _ = Team.objects.get_or_create(name="East")
    TeamMember.objects.get_or_create(user=w.user("rep_a"), defaults={"team": team})
    return team.pk


# --- Email records, made on first use (mail app) ---------------------------------------


def emails(w: World) -> dict[str, int]:
    """One message to rep A's lead and one to rep B's, an email step on rep A's cadence, a
    sales template, a manual suppression, a saved view shared with the managers and a
    campaign send to it; the same ids on every call."""
    from django.contrib.auth.models import Group

    from lists.models import SavedView
    from mail.models import CampaignSend, EmailTemplate, Message, Suppression
    from sales.models import SequenceStep

    def message(lead) -> int:
        row, _ = Message.objects.get_or_create(
            lead=lead,
            defaults={
                "kind": "sales",
                "to_email": lead.email,
                "to_domain": lead.email.rpartition("@")[2],
                "from_email": "team@example.com",
                "subject": "Hello",
                "body_text": "Hi",
                "status": Message.Status.SENT,
                "sent_at": timezone.now(),
            },
        )
        return row.pk

    view, _ = SavedView.objects.get_or_create(
        user=w.sales.marketer,
        list_kind="list",
        name="Everyone",
        defaults={"query": "", "shared_with": Group.objects.get(name="managers")},
    )
    send, _ = CampaignSend.objects.get_or_create(
        name="Spring news",
        defaults={"saved_view": view, "subject": "News", "body_text": "Hi"},
    )
    step, _ = SequenceStep.objects.get_or_create(
        sequence=w.sales.a.sequence,
        position=99,
        defaults={"kind": "email", "day_offset": 9, "subject": "Checking in"},
    )
    template, _ = EmailTemplate.objects.get_or_create(
        name="Intro",
        defaults={
            "subject": "Hi",
            "body_text": "Hello {{ first_name }}",
            "owner": w.sales.a.rep,
        },
    )
    suppression, _ = Suppression.objects.get_or_create(
        email="gone@example.com", defaults={"reason": Suppression.Reason.MANUAL}
    )
    return {
        "message_a": message(w.sales.a.lead),
        "message_b": message(w.sales.b.lead),
        "view": view.pk,
        "send": send.pk,
        "step": step.pk,
        "template": template.pk,
        "suppression": suppression.pk,
    }


def email_ids(w: World, role: str) -> set[int]:
    ids = emails(w)
    mine = {"rep_a": {ids["message_a"]}, "rep_b": {ids["message_b"]}}
    return mine.get(role, {ids["message_a"], ids["message_b"]})


def a_lead(w: World) -> dict:
    return {"id": w.sales.a.lead.pk}


def today(days: int = 0) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


MATRIX: dict[str, Row] = {
    # --- Auth ------------------------------------------------------------------------
    "POST /api/v1/auth/token/": Row(
        # Public; a read-only key is refused any POST before the view runs.
        s(200, 403, 200, 200, 200, 200, 200),
        body=lambda w: {"username": w.sales.marketer.username, "password": PASSWORD},
    ),
    # --- Leads -----------------------------------------------------------------------
    "GET /api/v1/leads/": Row(READ_ALL, visible=lead_ids),
    "POST /api/v1/leads/": Row(
        created(s(401, 403, 200, 200, 200, 200, 200)), body=lambda w: {"email": "new@example.com"}
    ),
    "GET /api/v1/leads/{id}/": Row(READ_AS_OWNER, params=a_lead),
    "PUT /api/v1/leads/{id}/": Row(
        WRITE_AS_OWNER,
        params=a_lead,
        body=lambda w: {"email": w.sales.a.lead.email, "company": "Renamed"},
    ),
    "PATCH /api/v1/leads/{id}/": Row(
        WRITE_AS_OWNER, params=a_lead, body=lambda w: {"company": "Renamed"}
    ),
    "DELETE /api/v1/leads/{id}/": Row(
        # Erasure is for managers only; rep A sees the lead but may not delete it.
        s(401, 403, 204, 403, 403, 404, 204),
        params=lambda w: {"id": w.leads["rep_a"][1].pk},
    ),
    "GET /api/v1/leads/{id}/history/": Row(READ_AS_OWNER, params=a_lead),
    "GET /api/v1/leads/{id}/changes/": Row(READ_AS_OWNER, params=a_lead),
    "GET /api/v1/leads/{id}/timeline/": Row(READ_AS_OWNER, params=a_lead),
    "POST /api/v1/leads/{id}/merge/": Row(
        # Whoever may change both leads; rep B cannot see rep A's survivor.
        s(401, 403, 200, 200, 200, 404, 200),
        # The customer survives: the stages present stay the same.
        params=lambda w: {"id": w.leads["rep_a"][2].pk},
        body=lambda w: {"merged": w.leads["rep_a"][1].pk},
    ),
    # Anyone who sees the lead may see why it scores what it does.
    "GET /api/v1/leads/{id}/score/": Row(READ_AS_OWNER, params=a_lead),
    "POST /api/v1/leads/{id}/transition/": Row(
        WRITE_AS_OWNER, params=a_lead, body=lambda w: {"to": "lost"}, moves_funnel=True
    ),
    "POST /api/v1/leads/{id}/owner/": Row(
        # Reassignment is a manager's call.
        s(401, 403, 200, 403, 403, 404, 200),
        params=a_lead,
        body=lambda w: {"owner": w.sales.b.rep.pk, "reason": "Territory"},
        moves_funnel=True,
    ),
    "POST /api/v1/leads/{id}/claim/": Row(
        # Reps claim unassigned prospects for themselves.
        s(401, 403, 403, 403, 200, 200, 403),
        params=lambda w: {"id": w.sales.pool_lead.pk},
        moves_funnel=True,
    ),
    "POST /api/v1/leads/bulk/": Row(
        s(401, 403, 200, 200, 200, 200, 200),
        body=lambda w: {"leads": [{"email": "bulk@example.com", "company": "Bulk"}]},
    ),
    "GET /api/v1/prospects/": Row(READ_ALL, visible=lambda w, r: lead_ids(w, r, stage="prospect")),
    "GET /api/v1/prospects/{id}/": Row(READ_AS_OWNER, params=a_lead),
    "GET /api/v1/customers/": Row(READ_ALL, visible=lambda w, r: lead_ids(w, r, stage="customer")),
    "GET /api/v1/customers/{id}/": Row(
        READ_AS_OWNER, params=lambda w: {"id": w.leads["rep_a"][2].pk}
    ),
    # --- Marketing -------------------------------------------------------------------
    "GET /api/v1/campaigns/": Row(MARKETING_READ),
    "POST /api/v1/campaigns/": Row(
        created(MARKETING_WRITE), body=lambda w: {"name": "Spring", "utm_campaign": "spring"}
    ),
    "GET /api/v1/campaigns/{id}/": Row(MARKETING_READ, params=lambda w: {"id": w.campaign.pk}),
    "PUT /api/v1/campaigns/{id}/": Row(
        MARKETING_WRITE,
        params=lambda w: {"id": w.campaign.pk},
        body=lambda w: {"name": "Renamed", "utm_campaign": w.campaign.utm_campaign},
    ),
    "PATCH /api/v1/campaigns/{id}/": Row(
        MARKETING_WRITE, params=lambda w: {"id": w.campaign.pk}, body=lambda w: {"name": "New"}
    ),
    "POST /api/v1/campaigns/{id}/regenerate-key/": Row(
        MARKETING_WRITE, params=lambda w: {"id": w.campaign.pk}
    ),
    "GET /api/v1/campaigns/{id}/spend/": Row(
        MARKETING_READ, params=lambda w: {"id": w.campaign.pk}
    ),
    "POST /api/v1/campaigns/{id}/spend/": Row(
        created(MARKETING_WRITE),
        params=lambda w: {"id": w.campaign.pk},
        body=lambda w: {"day": today(), "amount": "25.00"},
    ),
    "GET /api/v1/campaigns/{id}/spend/{spend_pk}/": Row(
        MARKETING_READ, params=lambda w: {"id": w.campaign.pk, "spend_pk": w.spend.pk}
    ),
    "DELETE /api/v1/campaigns/{id}/spend/{spend_pk}/": Row(
        deleted(MARKETING_WRITE), params=lambda w: {"id": w.campaign.pk, "spend_pk": w.spend.pk}
    ),
    "GET /api/v1/touches/": Row(MARKETING_READ),
    "POST /api/v1/touches/": Row(
        created(MARKETING_WRITE),
        body=lambda w: [{"lead": w.sales.a.lead.pk, "kind": "page_visit"}],
    ),
    "GET /api/v1/touches/{id}/": Row(MARKETING_READ, params=lambda w: {"id": w.touch.pk}),
    "POST /api/v1/capture/": Row(
        # Public web forms: nobody is authenticated, so API keys do not apply either.
        created(s(200, 200, 200, 200, 200, 200, 200)),
        body=lambda w: {"key": w.campaign.capture_key, "email": "captured@example.com"},
    ),
    "GET /api/v1/metrics/campaigns/": Row(MARKETING_READ),
    # --- Sales -----------------------------------------------------------------------
    "GET /api/v1/deals/": Row(SALES_READ, visible=lambda w, r: side_ids(w, r, lambda x: x.deal.pk)),
    "POST /api/v1/deals/": Row(
        # For a lead the caller cannot see, `lead` is an unknown id: 400, as for none at all.
        created(s(401, 403, 200, 403, 200, 400, 200)),
        body=lambda w: {"lead": w.sales.a.lead.pk, "title": "Upsell", "amount": "500.00"},
    ),
    "GET /api/v1/deals/{id}/": Row(SALES_READ_AS_OWNER, params=lambda w: {"id": w.sales.a.deal.pk}),
    "PATCH /api/v1/deals/{id}/": Row(
        SALES_WRITE_AS_OWNER,
        params=lambda w: {"id": w.sales.a.deal.pk},
        body=lambda w: {"title": "Renamed"},
    ),
    "DELETE /api/v1/deals/{id}/": Row(
        deleted(SALES_WRITE_AS_OWNER), params=lambda w: {"id": w.sales.a.deal.pk}
    ),
    "POST /api/v1/deals/{id}/win/": Row(
        SALES_WRITE_AS_OWNER, params=lambda w: {"id": w.sales.a.deal.pk}, moves_funnel=True
    ),
    "POST /api/v1/deals/{id}/lose/": Row(
        SALES_WRITE_AS_OWNER,
        params=lambda w: {"id": w.sales.a.deal.pk},
        body=lambda w: {"reason": "Budget"},
        moves_funnel=True,
    ),
    # Managers (and write keys) only; rep A's deal is open, so their reopen is a conflict.
    "POST /api/v1/deals/{id}/reopen/": Row(
        s(401, 403, 409, 403, 403, 404, 409),
        params=lambda w: {"id": w.sales.a.deal.pk},
        body=lambda w: {"reason": "Signed by mistake"},
    ),
    "POST /api/v1/deals/{id}/move/": Row(
        SALES_WRITE_AS_OWNER,
        params=lambda w: {"id": w.sales.a.deal.pk},
        body=lambda w: {"to_stage": "Demo"},
        moves_funnel=True,
    ),
    "GET /api/v1/deals/{id}/history/": Row(
        SALES_READ_AS_OWNER, params=lambda w: {"id": w.sales.a.deal.pk}
    ),
    # Exchange rates: everyone signed in reads them; managers (and write keys) change them.
    "GET /api/v1/currencies/": Row(READ_ALL),
    "GET /api/v1/rates/": Row(READ_ALL),
    "GET /api/v1/rates/{id}/": Row(READ_ALL, params=lambda w: {"id": a_rate(w)}),
    "POST /api/v1/rates/": Row(
        created(MANAGERS_WRITE),
        body=lambda w: {"currency": "EUR", "day": "2027-01-04", "rate": "1.0850000000"},
    ),
    "PATCH /api/v1/rates/{id}/": Row(
        MANAGERS_WRITE, params=lambda w: {"id": a_rate(w)}, body=lambda w: {"rate": "1.2"}
    ),
    "DELETE /api/v1/rates/{id}/": Row(deleted(MANAGERS_WRITE), params=lambda w: {"id": a_rate(w)}),
    # A JSON body where a CSV upload is expected: writers get 415, the others 401/403.
    "POST /api/v1/rates/import_csv/": Row(s(401, 403, 415, 403, 403, 403, 415), body=lambda w: {}),
    # Teams: sales staff read them (the board and forecast filter by them); managers
    # change them on the Teams page or in the admin, not through the API.
    "GET /api/v1/teams/": Row(SALES_READ),
    "GET /api/v1/teams/{id}/": Row(SALES_READ, params=lambda w: {"id": a_team(w)}),
    "GET /api/v1/deal-stages/": Row(SALES_READ),
    "GET /api/v1/lost-reasons/": Row(SALES_READ),
    "GET /api/v1/activities/": Row(SALES_READ, visible=activity_ids),
    "POST /api/v1/activities/": Row(
        created(s(401, 403, 200, 403, 200, 400, 200)),
        body=lambda w: {"lead": w.sales.a.lead.pk, "kind": "call", "subject": "Intro call"},
    ),
    "GET /api/v1/activities/{id}/": Row(
        SALES_READ_AS_OWNER, params=lambda w: {"id": w.sales.a.activity.pk}
    ),
    "PATCH /api/v1/activities/{id}/": Row(
        SALES_WRITE_AS_OWNER,
        params=lambda w: {"id": w.sales.a.activity.pk},
        body=lambda w: {"subject": "Follow-up"},
    ),
    "DELETE /api/v1/activities/{id}/": Row(
        deleted(SALES_WRITE_AS_OWNER), params=lambda w: {"id": w.sales.a.activity.pk}
    ),
    "POST /api/v1/activities/{id}/complete/": Row(
        SALES_WRITE_AS_OWNER, params=lambda w: {"id": w.sales.a.task.pk}
    ),
    "GET /api/v1/sequences/": Row(SALES_READ, visible=sequence_ids),
    "POST /api/v1/sequences/": Row(
        created(s(401, 403, 200, 403, 200, 200, 200)),
        body=lambda w: {
            "name": "Onboarding",
            "steps": [{"day_offset": 0, "kind": "email", "subject": "Welcome"}],
        },
    ),
    "GET /api/v1/sequences/{id}/": Row(SALES_READ, params=lambda w: {"id": w.sales.a.sequence.pk}),
    "PATCH /api/v1/sequences/{id}/": Row(
        # A cadence is edited by its owner or a manager; other reps may use it.
        s(401, 403, 200, 403, 200, 403, 200),
        params=lambda w: {"id": w.sales.a.sequence.pk},
        body=lambda w: {"name": "Renamed"},
    ),
    "DELETE /api/v1/sequences/{id}/": Row(
        s(401, 403, 204, 403, 204, 403, 204), params=lambda w: {"id": w.sales.a.sequence.pk}
    ),
    "POST /api/v1/sequences/{id}/enrol/": Row(
        # Reps enrol their own prospects in any cadence; rep A's lead is not rep B's.
        created(s(401, 403, 200, 403, 200, 400, 200)),
        params=lambda w: {"id": w.sales.a.sequence.pk},
        body=lambda w: {"leads": [w.sales.a.lead.pk]},
    ),
    "GET /api/v1/enrolments/": Row(
        SALES_READ, visible=lambda w, r: side_ids(w, r, lambda x: x.enrolment.pk)
    ),
    "GET /api/v1/enrolments/{id}/": Row(
        SALES_READ_AS_OWNER, params=lambda w: {"id": w.sales.a.enrolment.pk}
    ),
    "POST /api/v1/enrolments/{id}/stop/": Row(
        SALES_WRITE_AS_OWNER, params=lambda w: {"id": w.sales.a.enrolment.pk}
    ),
    "GET /api/v1/quotas/": Row(SALES_READ, visible=quota_ids),
    "POST /api/v1/quotas/": Row(
        created(MANAGERS_WRITE),
        body=lambda w: {
            "owner": w.sales.a.rep.pk,
            "period": "quarter",
            "starts_on": "2030-01-01",
            "target": "9000.00",
        },
    ),
    "GET /api/v1/quotas/{id}/": Row(
        SALES_READ_AS_OWNER, params=lambda w: {"id": w.sales.a.quota.pk}
    ),
    "PATCH /api/v1/quotas/{id}/": Row(
        # Only managers change quotas: any rep is refused before the look-up.
        s(401, 403, 200, 403, 403, 403, 200),
        params=lambda w: {"id": w.sales.a.quota.pk},
        body=lambda w: {"target": "1234.00"},
    ),
    "DELETE /api/v1/quotas/{id}/": Row(
        s(401, 403, 204, 403, 403, 403, 204), params=lambda w: {"id": w.sales.a.quota.pk}
    ),
    # --- Email (mail app) --------------------------------------------------------------
    # Messages follow their lead: rep B does not see rep A's; marketing and managers all.
    "GET /api/v1/emails/": Row(READ_ALL, params=lambda w: (emails(w), {})[1], visible=email_ids),
    "GET /api/v1/emails/{id}/": Row(READ_AS_OWNER, params=lambda w: {"id": emails(w)["message_a"]}),
    "POST /api/v1/emails/{id}/mark-replied/": Row(
        WRITE_AS_OWNER, params=lambda w: {"id": emails(w)["message_a"]}
    ),
    "POST /api/v1/leads/{id}/emails/": Row(
        created(WRITE_AS_OWNER),
        params=a_lead,
        body=lambda w: {"subject": "Hi {{ first_name }}", "body_text": "Shall we talk?"},
    ),
    # Sales templates are for everyone signed in; marketing ones for marketing and managers.
    "GET /api/v1/email-templates/": Row(READ_ALL, params=lambda w: (emails(w), {})[1]),
    "GET /api/v1/email-templates/{id}/": Row(
        READ_ALL, params=lambda w: {"id": emails(w)["template"]}
    ),
    # Changed by marketing, managers (and write keys), and the rep who owns it.
    "PUT /api/v1/email-templates/{id}/": Row(
        s(401, 403, 200, 200, 200, 403, 200),
        params=lambda w: {"id": emails(w)["template"]},
        body=lambda w: {"name": "Intro", "subject": "Hello", "body_text": "Hi {{ first_name }}"},
    ),
    "PATCH /api/v1/email-templates/{id}/": Row(
        s(401, 403, 200, 200, 200, 403, 200),
        params=lambda w: {"id": emails(w)["template"]},
        body=lambda w: {"subject": "Hello again"},
    ),
    "POST /api/v1/email-templates/": Row(
        created(s(401, 403, 200, 200, 200, 200, 200)),
        body=lambda w: {"name": "Follow-up", "subject": "Hi", "body_text": "Hello"},
    ),
    "GET /api/v1/email-suppressions/": Row(MANAGERS_READ),
    "POST /api/v1/email-suppressions/": Row(
        created(MANAGERS_WRITE), body=lambda w: {"email": "stop@example.com"}
    ),
    "DELETE /api/v1/email-suppressions/{id}/": Row(
        deleted(MANAGERS_WRITE), params=lambda w: {"id": emails(w)["suppression"]}
    ),
    "GET /api/v1/email-sends/": Row(MARKETING_READ, params=lambda w: (emails(w), {})[1]),
    "GET /api/v1/email-sends/{id}/": Row(
        MARKETING_READ, params=lambda w: {"id": emails(w)["send"]}
    ),
    "POST /api/v1/email-sends/": Row(
        created(MARKETING_WRITE),
        body=lambda w: {
            "name": "Launch",
            "saved_view": emails(w)["view"],
            "subject": "Hi {{ first_name }}",
            "body_text": "News",
        },
    ),
    "POST /api/v1/enrolments/{id}/mark-replied/": Row(
        SALES_WRITE_AS_OWNER, params=lambda w: {"id": w.sales.a.enrolment.pk}
    ),
    "GET /api/v1/sequences/{id}/email-report/": Row(
        SALES_READ, params=lambda w: {"id": w.sales.a.sequence.pk}
    ),
    "PUT /api/v1/sequence-steps/{id}/email/": Row(
        # The cadence's owner (rep A) or a manager writes its emails.
        s(401, 403, 200, 403, 200, 403, 200),
        params=lambda w: {"id": emails(w)["step"]},
        body=lambda w: {"subject": "Checking in", "body_text": "Hi {{ first_name }}"},
    ),
    # --- Metrics ---------------------------------------------------------------------
    # Figures over the leads the caller may see (a rep's own and unassigned ones).
    "GET /api/v1/metrics/funnel/": Row(READ_ALL, query={"since": today(-30), "until": today()}),
    # Attainment is sales data: reps see their own, marketing none.
    "GET /api/v1/metrics/quotas/": Row(SALES_READ),
    "GET /api/v1/metrics/forecast/": Row(SALES_READ),
    "GET /api/v1/metrics/pipeline/": Row(SALES_READ),
    # --- Webhooks (managers) ---------------------------------------------------------
    "GET /api/v1/webhooks/": Row(MANAGERS_READ),
    "POST /api/v1/webhooks/": Row(
        created(MANAGERS_WRITE),
        body=lambda w: {"url": PUBLIC_IP_HOOK, "events": ["lead.created"]},
    ),
    "GET /api/v1/webhooks/{id}/": Row(MANAGERS_READ, params=lambda w: {"id": w.webhook.pk}),
    "PUT /api/v1/webhooks/{id}/": Row(
        MANAGERS_WRITE,
        params=lambda w: {"id": w.webhook.pk},
        body=lambda w: {"url": PUBLIC_IP_HOOK, "events": ["deal.won"]},
    ),
    "PATCH /api/v1/webhooks/{id}/": Row(
        MANAGERS_WRITE, params=lambda w: {"id": w.webhook.pk}, body=lambda w: {"is_active": False}
    ),
    "DELETE /api/v1/webhooks/{id}/": Row(
        deleted(MANAGERS_WRITE), params=lambda w: {"id": w.webhook.pk}
    ),
    "POST /api/v1/webhooks/{id}/test-event/": Row(
        # Queued for delivery: 202.
        {role: 202 if code == 200 else code for role, code in MANAGERS_WRITE.items()},
        params=lambda w: {"id": w.webhook.pk},
    ),
    "POST /api/v1/webhooks/{id}/roll-secret/": Row(
        MANAGERS_WRITE, params=lambda w: {"id": w.webhook.pk}
    ),
    "GET /api/v1/webhooks/{id}/deliveries/": Row(
        MANAGERS_READ, params=lambda w: {"id": w.webhook.pk}
    ),
    "GET /api/v1/webhooks/{id}/deliveries/{delivery_id}/": Row(
        MANAGERS_READ, params=lambda w: {"id": w.webhook.pk, "delivery_id": w.delivery.pk}
    ),
    "POST /api/v1/webhooks/{id}/deliveries/{delivery_id}/replay/": Row(
        # Queued for delivery: 202.
        {role: 202 if code == 200 else code for role, code in MANAGERS_WRITE.items()},
        params=lambda w: {"id": w.webhook.pk, "delivery_id": w.delivery.pk},
    ),
}
