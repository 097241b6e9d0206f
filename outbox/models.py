from django.db import models
from django.utils import timezone


class OutboxTask(models.Model):
    """A task that must run, written in its cause's transaction; deleted once it ran.

    For intents no sweep can re-derive from other state (e.g. "rescore everything after the
    rules changed"). `due_at` is when the drain sweep next publishes it: pushed forward at
    each publish, so a backlog on the broker does not collect copies; `claimed_until` is a
    running worker's lease, so a killed worker's row is taken over when it lapses.
    """

    task = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        db_table = "outbox_task"
        # The drain sweep's scan: rows due first.
        indexes = [models.Index(fields=["due_at"], name="outbox_task_due_idx")]

    def __str__(self) -> str:
        return f"{self.task}({self.kwargs})"
