"""The sequence form's rows: read from the POST (in the order the page sent them), built
from a saved sequence, and the small edits the page asks for without saving (add, remove,
move a step)."""

from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.http import QueryDict

from sales.models import Activity, Sequence
from sales.services.sequences import MAX_STEPS


@dataclass
class StepRow:
    kind: str = Activity.Kind.TASK
    day_offset: str = "0"
    subject: str = ""
    email_subject: str = ""
    email_body: str = ""
    template: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def has_email(self) -> bool:
        return self.kind == Activity.Kind.EMAIL and bool(
            self.email_subject.strip() or self.email_body.strip()
        )

    def as_step(self) -> dict:
        """The dict the sequence services take; a bad offset is left for them to name."""
        try:
            offset: object = int(self.day_offset)
        except (TypeError, ValueError):
            offset = self.day_offset
        return {"kind": self.kind, "day_offset": offset, "subject": self.subject}


def rows_from_post(data: QueryDict) -> list[StepRow]:
    rows = []
    for key in data.getlist("step")[: MAX_STEPS + 1]:
        rows.append(
            StepRow(
                kind=data.get(f"step-{key}-kind", ""),
                day_offset=data.get(f"step-{key}-day_offset", ""),
                subject=data.get(f"step-{key}-subject", ""),
                email_subject=data.get(f"step-{key}-email_subject", ""),
                email_body=data.get(f"step-{key}-email_body", ""),
                template=data.get(f"step-{key}-template", ""),
            )
        )
    return rows


def rows_from_sequence(sequence: Sequence) -> list[StepRow]:
    rows = []
    for step in sequence.steps.all():
        try:
            email = step.email
        except ObjectDoesNotExist:
            email = None
        rows.append(
            StepRow(
                kind=step.kind,
                day_offset=str(step.day_offset),
                subject=step.subject,
                email_subject=email.subject if email else "",
                email_body=email.body_text if email else "",
            )
        )
    return rows


def rows_edit(rows: list[StepRow], action: str, templates: dict[str, object]) -> list[StepRow]:
    """Apply "add", "remove-<i>", "up-<i>", "down-<i>" or "template-<i>" (0-based; the
    last copies the chosen one of `templates`, by id, into the step's email)."""
    if action == "add":
        if len(rows) < MAX_STEPS:
            last = rows[-1].day_offset if rows else "0"
            rows.append(StepRow(day_offset=last))
        return rows
    verb, _, index = action.partition("-")
    if not index.isdigit() or int(index) >= len(rows):
        return rows
    i = int(index)
    if verb == "remove":
        del rows[i]
    elif verb == "up" and i > 0:
        rows[i - 1], rows[i] = rows[i], rows[i - 1]
    elif verb == "down" and i + 1 < len(rows):
        rows[i + 1], rows[i] = rows[i], rows[i + 1]
    elif verb == "template" and rows[i].template in templates:
        chosen = templates[rows[i].template]
        rows[i].email_subject, rows[i].email_body = chosen.subject, chosen.body_text
    return rows
