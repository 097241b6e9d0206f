"""Records of merged duplicates: who merged what (`LeadMerge`) and the addresses that now
resolve to the survivor (`LeadEmailAlias`). See docs/architecture.md, "Merging duplicates"."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class LeadMerge(models.Model):
    """One merge: `merged_lead_id` (deleted) went into `survivor`. The merged-away lead's
    row is gone; what a person or an audit needs of it is kept here."""

    survivor = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="merges")
    # No foreign key: that lead no longer exists.
    merged_lead_id = models.BigIntegerField()
    merged_email = models.EmailField(max_length=254)
    # The merged-away lead's creation: the start of its stage chain (its first move out
    # of `lead` is measured from it), now carried by the survivor's rows `merged_from`.
    merged_created_at = models.DateTimeField()
    # The merged-away lead's fields as they were, and per field which value survived.
    merged_values = models.JSONField(default=dict)
    chosen = models.JSONField(default=dict)
    # How many rows of each kind moved to the survivor.
    moved = models.JSONField(default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["merged_lead_id"], name="lead_merge_merged_idx")]

    def __str__(self) -> str:
        return f"{self.merged_email} (lead {self.merged_lead_id}) into lead {self.survivor_id}"


class LeadEmailAlias(models.Model):
    """A merged-away address: upserts, captures and imports with it reach `lead`."""

    email = models.EmailField(max_length=254, unique=True)
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="email_aliases")
    merge = models.ForeignKey(LeadMerge, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="lead_alias_email_is_normalised"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} -> lead {self.lead_id}"
