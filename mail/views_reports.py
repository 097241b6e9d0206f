"""Email reports: per sequence step (sales reps and managers), with the definitions of
docs/architecture.md ("Email reports")."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from mail import selectors
from sales.models import Sequence
from sales.selectors import can_work_sales

# The columns of the step report, in order (docs/architecture.md, "Email reports").
# What the messages did first (what a reader comes for), then where the rest stand.
COLUMNS = (
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("opened", "Opened"),
    ("clicked", "Clicked"),
    ("replied", "Replied"),
    ("unsubscribed", "Unsubscribed"),
    ("bounced", "Bounced"),
    ("messages", "Written"),
    ("queued", "Queued"),
    ("skipped", "Skipped"),
    ("failed", "Failed"),
)


def _allowed(request: HttpRequest) -> None:
    if not can_work_sales(request.user):
        raise PermissionDenied("Sequences are for sales reps and managers.")


@login_required
def sequence_list(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    return render(
        request,
        "mail/sequence_list.html",
        {"sequences": selectors.sequences_with_email_steps()},
    )


@login_required
def sequence_report(request: HttpRequest, pk: int) -> HttpResponse:
    _allowed(request)
    sequence = get_object_or_404(Sequence, pk=pk)
    rows = [
        {**row, "cells": [(label, row[key]) for key, label in COLUMNS]}
        for row in selectors.sequence_email_report(sequence.pk)
    ]
    return render(
        request,
        "mail/sequence_report.html",
        {"sequence": sequence, "rows": rows, "columns": COLUMNS},
    )
