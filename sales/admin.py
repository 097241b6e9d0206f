"""Admin for sales records. Rows that carry rules (a deal's status, who owns a lead) are
read-only here: won deals move leads through the stage service, so they are won on the
board or through the API, not by editing a field."""

from django.contrib import admin

from sales.models import (
    Activity,
    Deal,
    DealStage,
    DealStageChange,
    Enrolment,
    LostReason,
    OwnerChange,
    Pipeline,
    Quota,
    Sequence,
    SequenceStep,
    Team,
    TeamMember,
)


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "lead",
        "amount",
        "stage",
        "status",
        "owner",
        "expected_close_on",
        "closed_on",
    )
    list_filter = ("status", "stage")
    search_fields = ("title", "lead__email", "promo_code")
    raw_id_fields = ("lead", "owner", "promotion", "created_by")
    # Stage and status change only through moves (board, API): each leaves history.
    readonly_fields = (
        "stage",
        "stage_changed_at",
        "status",
        "closed_on",
        "closed_at",
        "loss_reason",
        "lost_reason",
        "created_at",
    )
    list_select_related = ("lead", "owner", "stage")
    date_hierarchy = "created_at"
    # A currency other than the company's needs a rate check, and an edit of the amount,
    # currency or expected close date a history row (sales.services.deal_update): the API
    # does both, this form would do neither.
    readonly_fields = (*readonly_fields, "currency", "amount", "expected_close_on")


class DealStageInline(admin.TabularInline):
    model = DealStage
    extra = 0
    ordering = ("position",)
    fields = ("position", "name", "probability", "forecast_category", "is_won", "is_lost")


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin):
    """Managers configure pipelines here: stage order, names, win probabilities, flags."""

    list_display = ("name", "is_default", "created_at")
    inlines = [DealStageInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deals and their history point at the stages: a pipeline in use stays.
        return obj is None or not Deal.objects.filter(stage__pipeline=obj).exists()


@admin.register(LostReason)
class LostReasonAdmin(admin.ModelAdmin):
    """The list a rep picks from when a deal is lost; retire a reason instead of deleting
    it once deals use it."""

    list_display = ("name", "position", "is_active")
    list_editable = ("position", "is_active")
    ordering = ("position", "name")


@admin.register(DealStageChange)
class DealStageChangeAdmin(admin.ModelAdmin):
    """Deal history is immutable: readable here, never written."""

    list_display = ("deal", "kind", "from_stage", "to_stage", "at", "actor", "amount", "cause")
    list_filter = ("kind", "to_stage", "cause")
    list_select_related = ("deal", "from_stage", "to_stage", "actor")
    raw_id_fields = ("deal",)
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("subject", "kind", "lead", "owner", "due_at", "done_at")
    list_filter = ("kind",)
    search_fields = ("subject", "lead__email")
    raw_id_fields = ("lead", "owner", "deal", "enrolment", "step", "created_by")
    list_select_related = ("lead", "owner")
    date_hierarchy = "created_at"


class SequenceStepInline(admin.TabularInline):
    model = SequenceStep
    extra = 0
    ordering = ("position",)


@admin.register(Sequence)
class SequenceAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active", "owner", "created_at")
    list_filter = ("is_active",)
    inlines = [SequenceStepInline]
    raw_id_fields = ("owner",)


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ("lead", "sequence", "status", "started_at", "ended_at")
    list_filter = ("status", "sequence")
    raw_id_fields = ("lead", "sequence", "enrolled_by")
    readonly_fields = ("status", "ended_at", "stop_reason")
    list_select_related = ("lead", "sequence")


@admin.register(Quota)
class QuotaAdmin(admin.ModelAdmin):
    list_display = ("owner", "team", "period", "starts_on", "ends_on", "target")
    list_filter = ("period", "team")
    raw_id_fields = ("owner", "created_by")


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 1
    raw_id_fields = ("user",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    """Managers keep teams here or on the Teams page (a rep is in one team at most)."""

    list_display = ("name", "manager", "created_at")
    search_fields = ("name",)
    raw_id_fields = ("manager",)
    inlines = [TeamMemberInline]
    list_select_related = ("owner",)


@admin.register(OwnerChange)
class OwnerChangeAdmin(admin.ModelAdmin):
    """The record of reassignments: read-only history."""

    list_display = ("lead", "from_owner", "to_owner", "changed_by", "kind", "at")
    list_filter = ("kind",)
    list_select_related = ("lead", "from_owner", "to_owner", "changed_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
