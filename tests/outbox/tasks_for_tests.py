"""Tasks the outbox tests run by dotted path: their effect is a row, so tests assert rows."""

from celery import shared_task

from leads.models import Lead


@shared_task
def lead_create(email: str) -> None:
    Lead.objects.create(email=email)


@shared_task
def always_fails() -> None:
    raise RuntimeError("receiver exploded")
