from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from funnel.stages import STAGE_CHOICES, Stage


class LeadQuerySet(models.QuerySet):
    def in_stage(self, stage: Stage) -> "LeadQuerySet":
        return self.filter(stage=stage)


class Lead(models.Model):
    """One row per person for the whole lifecycle; `stage` says where they are.

    `stage`, `stage_changed_at` and the milestone columns are written only by
    `funnel.services` (the one writer), in the same transaction as the history row.
    """

    class CompanySize(models.TextChoices):
        MICRO = "1-10", "1-10"
        SMALL = "11-50", "11-50"
        MEDIUM = "51-200", "51-200"
        LARGE = "201-1000", "201-1,000"
        ENTERPRISE = "1001-5000", "1,001-5,000"
        HUGE = "5000+", "5,000+"

    # Stored normalised (see leads.emails.normalize_email); the check constraint below
    # makes the plain unique index a case-insensitive one.
    email = models.EmailField(max_length=254, unique=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    company = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    country = models.CharField(max_length=100, blank=True)
    industry = models.CharField(max_length=100, blank=True)
    company_size = models.CharField(max_length=20, choices=CompanySize.choices, blank=True)

    stage = models.CharField(max_length=20, choices=STAGE_CHOICES, default=Stage.LEAD)
    stage_changed_at = models.DateTimeField(null=True, blank=True)
    # First time the lead reached each milestone; rebuilt from history by
    # `manage.py funnel_rebuild_milestones`. Cohort metrics read these instead of EXISTS.
    became_prospect_at = models.DateTimeField(null=True, blank=True)
    became_customer_at = models.DateTimeField(null=True, blank=True)
    # The same for the other stages, so every `reached[stage]` of a cohort is a count of a
    # column, not an EXISTS per lead (funnel.metrics). `returned_to_lead_at` is the first
    # move back into `lead` (recycled or re-engaged): every lead starts there.
    became_disqualified_at = models.DateTimeField(null=True, blank=True)
    became_lost_at = models.DateTimeField(null=True, blank=True)
    returned_to_lead_at = models.DateTimeField(null=True, blank=True)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_leads",
    )
    source_campaign = models.ForeignKey(
        "marketing.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sourced_leads",
        help_text="The campaign of the lead's first touch.",
    )
    score = models.FloatField(default=0)
    marketing_consent = models.BooleanField(default=False)
    marketing_consent_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)

    # The CSV import that created the lead, if one did (no foreign key: forgetting an
    # import keeps its leads): its undo deletes the leads it created nobody touched since.
    created_by_import_id = models.BigIntegerField(null=True, blank=True)

    # Not auto_now_add: imports and demo data carry their real creation time.
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="lead_email_is_normalised"
            ),
            models.CheckConstraint(
                condition=models.Q(stage__in=[stage.value for stage in Stage]),
                name="lead_stage_is_known",
            ),
        ]
        indexes = [
            # Lead lists: newest first, keyset-paginated on created_at.
            models.Index(fields=["-created_at", "-id"], name="lead_created_idx"),
            # Lists filtered by stage (prospects/, customers/) in the same order.
            models.Index(fields=["stage", "-created_at"], name="lead_stage_created_idx"),
            # "My prospects": a rep's leads in one stage.
            models.Index(fields=["owner", "stage"], name="lead_owner_stage_idx"),
            # Funnel metrics: `lead_cohort_idx`, a covering index on created_at for
            # index-only cohort scans, is PostgreSQL-only (INCLUDE columns), so it lives
            # in migration 0003_metrics_milestones_and_cohort_index, not here.
            # Lead lists sorted by score or by name: keyset pages walk these indexes
            # (without them a sort over a million rows takes ~1 s per page).
            models.Index(fields=["score", "id"], name="lead_score_id_idx"),
            models.Index(fields=["last_name", "first_name", "id"], name="lead_name_id_idx"),
            # Qualification sweep: only leads still in `lead` stage, by score.
            models.Index(
                fields=["score"],
                name="lead_open_score_idx",
                condition=models.Q(stage="lead"),
            ),
            # The minute scoring run: leads edited since its watermark (marketing.scoring).
            models.Index(fields=["updated_at"], name="lead_updated_idx"),
            # An import's undo: the leads it created (few leads have one).
            models.Index(
                fields=["created_by_import_id"],
                name="lead_created_by_import_idx",
                condition=models.Q(created_by_import_id__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class ProspectManager(models.Manager):
    def get_queryset(self) -> LeadQuerySet:
        return LeadQuerySet(self.model, using=self._db).filter(stage=Stage.PROSPECT)


class CustomerManager(models.Manager):
    def get_queryset(self) -> LeadQuerySet:
        return LeadQuerySet(self.model, using=self._db).filter(stage=Stage.CUSTOMER)


class Prospect(Lead):
    objects = ProspectManager()

    class Meta:
        proxy = True
        ordering = ["-created_at", "-id"]


class Customer(Lead):
    objects = CustomerManager()

    class Meta:
        proxy = True
        ordering = ["-created_at", "-id"]


class ChangeSource(models.TextChoices):
    """Where a change to a lead's fields came from (see docs/architecture.md)."""

    WEB = "web", "Web form"
    API = "api", "API"
    BULK = "bulk", "Bulk upsert"
    CAPTURE = "capture", "Web capture"
    IMPORT = "import", "CSV import"
    MERGE = "merge", "Merge of duplicates"


class LeadChange(models.Model):
    """One field of one lead changed: the field history (who, when, from where, old -> new).

    Our own table rather than django-simple-history: bulk upserts and the CSV import write
    it set-based (one INSERT ... SELECT per batch, no Python object per row, no signals),
    and one narrow row per changed field is what a timeline, an undo and a merge need;
    a whole-row snapshot per save would multiply a million-row import's writes.

    Values are text (None for null; booleans "true"/"false"; foreign keys their id), so
    an undo can write `old_value` back through the same merge service. `import_job_id`
    (no foreign key: forgetting an import keeps its history) names the import, and
    `request_id` the API request (its X-Request-ID or Idempotency-Key), that made it.
    """

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="field_changes")
    field = models.CharField(max_length=40)
    old_value = models.TextField(null=True, blank=True)
    new_value = models.TextField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(max_length=10, choices=ChangeSource.choices)
    request_id = models.CharField(max_length=64, blank=True)
    import_job_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # `GET leads/{id}/changes/` and the lead's timeline: newest first.
            models.Index(fields=["lead", "-at", "-id"], name="lead_change_lead_at_idx"),
            # An import's undo reads back exactly the rows that import wrote.
            models.Index(
                fields=["import_job_id"],
                name="lead_change_import_idx",
                condition=models.Q(import_job_id__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.field} of lead {self.lead_id}: {self.old_value!r} -> {self.new_value!r}"


from leads.merge_models import LeadEmailAlias, LeadMerge  # noqa: E402, F401
