"""The sequence (cadence) pages: the list, and one page to create or edit a sequence and
its steps. Writes go through the services the API uses (`sequence_create`,
`sequence_update`, `step_email_set`) in one transaction, so a refusal writes nothing: a
400 with the field errors, 403 for a user who may not change the sequence (as the API's
`SequenceEditors`), 409 when enrolments fix the steps.

Adding, removing and moving a step re-renders the step list from the posted form
without saving (htmx swaps the list; without JavaScript the whole page comes back)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from mail import services as mail_services
from mail import templating
from mail.models import MailKind
from mail.selectors import templates_usable_by
from sales import services
from sales.cadences.forms import StepRow, rows_edit, rows_from_post, rows_from_sequence
from sales.cadences.selectors import sequence_for_page, sequence_list_for
from sales.errors import SalesConflict
from sales.models import Activity, Sequence
from sales.selectors import sequences_editable_by
from sales.views import sales_required


class _Refused(Exception):
    """Rolls the transaction back after the email steps' errors were collected."""


@sales_required
@require_GET
def sequence_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "sales/sequence_list.html", {"sequences": list(sequence_list_for(request.user))}
    )


@sales_required
@require_http_methods(["GET", "POST"])
def sequence_new(request: HttpRequest) -> HttpResponse:
    return _page(request, sequence=None)


@sales_required
@require_http_methods(["GET", "POST"])
def sequence_edit(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        sequence = sequence_for_page(request.user, pk)
    except Sequence.DoesNotExist:
        raise Http404("No such sequence.") from None
    return _page(request, sequence=sequence)


def _page(request: HttpRequest, *, sequence: Sequence | None) -> HttpResponse:
    editable = (
        sequence is None or sequences_editable_by(request.user).filter(pk=sequence.pk).exists()
    )
    in_use = sequence is not None and sequence.enrolments.exists()
    context = {
        "sequence": sequence,
        "editable": editable,
        "in_use": in_use,
        "kinds": Activity.Kind.choices,
        "merge_fields": templating.FIELDS,
        "errors": {},
        # A sequence's email is a sales email: it starts from a sales template.
        "templates": list(
            templates_usable_by(request.user)
            .filter(kind=MailKind.SALES)
            .only("pk", "name", "subject", "body_text")
            .order_by("name")
        ),
    }
    if request.method == "GET":
        context["rows"] = rows_from_sequence(sequence) if sequence else [StepRow()]
        context["values"] = _values_of(sequence)
        return render(request, "sales/sequence_form.html", context)
    if not editable:
        raise PermissionDenied("Only the sequence's author or a manager may change it.")
    rows = rows_from_sequence(sequence) if in_use else rows_from_post(request.POST)
    values = {
        "name": request.POST.get("name", ""),
        "description": request.POST.get("description", ""),
        "is_active": request.POST.get("is_active") == "on",
    }
    context.update(rows=rows, values=values)
    action = request.POST.get("edit", "")
    if action and not in_use:
        templates = {str(t.pk): t for t in context["templates"]}
        context["rows"] = rows_edit(rows, action, templates)
        return render(request, "sales/sequence_form.html", context)
    try:
        saved = _save(request, sequence=sequence, rows=rows, values=values, in_use=in_use)
    except ValidationError as exc:
        context["errors"] = _errors_of(exc)
        return render(request, "sales/sequence_form.html", context, status=400)
    except _Refused:
        context["errors"] = {"form": ["Some steps need a change; see below."]}
        return render(request, "sales/sequence_form.html", context, status=400)
    except SalesConflict as exc:
        context["errors"] = {"form": [str(exc)]}
        return render(request, "sales/sequence_form.html", context, status=409)
    messages.success(request, f"Saved the sequence {saved.name}.")
    return redirect(reverse("sales:sequence_edit", args=[saved.pk]))


def _values_of(sequence: Sequence | None) -> dict:
    if sequence is None:
        return {"name": "", "description": "", "is_active": True}
    return {
        "name": sequence.name,
        "description": sequence.description,
        "is_active": sequence.is_active,
    }


def _emails_check(rows: list[StepRow]) -> None:
    """Unknown merge fields are the email field's error, before anything is written."""
    refused = False
    for row in rows:
        if row.kind != Activity.Kind.EMAIL or not row.has_email:
            continue
        try:
            templating.fields_check(email_subject=row.email_subject, email_body=row.email_body)
        except ValidationError as exc:
            row.errors.update(exc.message_dict)
            refused = True
    if refused:
        raise _Refused


def _save(request, *, sequence, rows, values, in_use) -> Sequence:
    user = request.user
    if not in_use:
        _emails_check(rows)
    steps = [row.as_step() for row in rows]
    with transaction.atomic():
        if sequence is None:
            sequence = services.sequence_create(owner=user, steps=steps, **values)
        else:
            sequence = services.sequence_update(
                sequence_id=sequence.pk, actor=user, steps=None if in_use else steps, **values
            )
        if in_use:
            return sequence
        refused = False
        for step, row in zip(sequence.steps.order_by("position"), rows, strict=True):
            if not row.has_email:
                continue
            try:
                mail_services.step_email_set(
                    step_id=step.pk,
                    actor=user,
                    subject=row.email_subject,
                    body_text=row.email_body,
                )
            except ValidationError as exc:
                names = {"subject": "email_subject", "body_text": "email_body"}
                row.errors.update({names.get(k, k): v for k, v in exc.message_dict.items()})
                refused = True
        if refused:
            raise _Refused
    return sequence


def _errors_of(exc: ValidationError) -> dict[str, list[str]]:
    if not hasattr(exc, "error_dict"):
        return {"form": exc.messages}
    errors = dict(exc.message_dict)
    if "__all__" in errors:
        errors["form"] = errors.pop("__all__")
    return errors
