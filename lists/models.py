"""Work on the lead lists: bulk actions (one row per run, with progress) and saved views."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils import timezone

# The lists a selection or a view belongs to (leads.views.LISTS).
LIST_CHOICES = [("list", "Leads"), ("prospects", "Prospects"), ("customers", "Customers")]


class BulkAction(models.Model):
    """One bulk action asked for on a list: what, on which selection, and how far it got.

    The selection is kept as asked (the filter's query string, or the ticked ids) and is
    re-evaluated under the user's scope when the action runs, so a lead that left the
    user's reach in between is not touched. Large selections run in a task that walks the
    leads in id order from `last_lead_id`, so a second run of the task resumes instead of
    starting over.
    """

    class Action(models.TextChoices):
        ASSIGN = "assign", "Assign an owner"
        MOVE = "move", "Move stage"
        ENROL = "enrol", "Enrol in a cadence"
        DELETE = "delete", "Delete"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bulk_actions"
    )
    list_kind = models.CharField(max_length=12, choices=LIST_CHOICES)
    action = models.CharField(max_length=10, choices=Action.choices)
    # {"owner": id|None} / {"to_stage": "prospect", "reason": ""} / {"sequence": id}
    params = models.JSONField(default=dict, blank=True)
    query = models.TextField(blank=True)  # the list's filter, as a query string
    lead_ids = models.JSONField(null=True, blank=True)  # ticked rows; null: all matching
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    succeeded = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    # Refusals, lead by lead: [{"id": 1, "name": "...", "why": "..."}], the first few hundred.
    report = models.JSONField(default=list, blank=True)
    last_lead_id = models.BigIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.status}, {self.processed}/{self.total})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.processed / self.total))


class SavedView(models.Model):
    """A named filter + sort + columns of one list, the user's own or shared with a group.
    A shared view carries only the filter: each viewer still sees only their own scope."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    list_kind = models.CharField(max_length=12, choices=LIST_CHOICES)
    name = models.CharField(max_length=80)
    query = models.TextField(blank=True)  # filter and sort, as the list's query string
    columns = models.JSONField(default=list, blank=True)
    shared_with = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "list_kind", "name"], name="saved_view_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ListPreference(models.Model):
    """The last view a user opened on a list, so coming back shows it again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    list_kind = models.CharField(max_length=12, choices=LIST_CHOICES)
    last_view = models.ForeignKey(SavedView, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "list_kind"], name="list_pref_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.list_kind}: {self.last_view_id}"
