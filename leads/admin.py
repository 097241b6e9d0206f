"""Admin for leads and their by-stage views. The stage is read-only here: moves go through
the one writer (`funnel.services.lead_transition`), offered as "Move to …" actions."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from funnel import services
from funnel.models import StageChange
from funnel.stages import Cause, IllegalTransition, Stage
from leads.emails import normalize_email
from leads.history import lead_changes_record, request_id_of
from leads.merge_policy import WriteOrigin, attname_of
from leads.models import ChangeSource, Customer, Lead, Prospect
from leads.selectors import leads_editable_by, leads_visible_to
from leads.services import EDITABLE_FIELDS


class StageChangeInline(admin.TabularInline):
    model = StageChange
    fk_name = "lead"
    fields = ("at", "from_stage", "to_stage", "cause", "actor", "reason")
    readonly_fields = fields
    ordering = ("at", "id")
    extra = 0
    can_delete = False
    verbose_name_plural = "Stage history"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LeadAdminForm(forms.ModelForm):
    class Meta:
        model = Lead
        fields = (
            "email",
            "first_name",
            "last_name",
            "title",
            "phone",
            "company",
            "industry",
            "company_size",
            "country",
            "owner",
            "source_campaign",
            "marketing_consent",
        )

    def clean_email(self):
        # Same normaliser as every other write path: lower case, IDNA domain.
        try:
            return normalize_email(self.cleaned_data["email"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None


def _move_action(stage: Stage):
    @admin.action(description=f"Move to {stage.label.lower()}", permissions=["change"])
    def move(modeladmin, request, queryset):
        moved, unchanged, refused = 0, 0, []
        selected = leads_editable_by(request.user, queryset=queryset.select_related(None))
        for lead in selected.only("pk", "stage"):
            try:
                services.lead_transition(
                    lead_id=lead.pk,
                    to_stage=stage,
                    cause=Cause.MANUAL,
                    actor=request.user,
                    reason="Moved in the admin.",
                )
            except IllegalTransition as refusal:
                refused.append(f"#{lead.pk}: {refusal}")
                continue
            # A move to the current stage is a no-op in the service.
            if lead.stage == stage:
                unchanged += 1
            else:
                moved += 1
        if moved:
            modeladmin.message_user(request, f"Moved {moved} to {stage.value}.", messages.SUCCESS)
        if unchanged:
            modeladmin.message_user(request, f"{unchanged} already {stage.value}.", messages.INFO)
        if refused:
            modeladmin.message_user(
                request, "Not moved: " + " ".join(refused[:20]), messages.WARNING
            )

    move.__name__ = f"move_to_{stage.value}"
    return move


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    form = LeadAdminForm
    list_display = (
        "email",
        "full_name",
        "company",
        "stage",
        "owner",
        "source_campaign",
        "score",
        "created_at",
    )
    list_filter = (
        "stage",
        ("owner", admin.RelatedOnlyFieldListFilter),
        "source_campaign",
        "created_at",
    )
    search_fields = ("email", "first_name", "last_name", "company")
    list_select_related = ("owner", "source_campaign")
    # No COUNT(*) over the whole table on every filtered page.
    show_full_result_count = False
    list_per_page = 50
    autocomplete_fields = ("owner", "source_campaign")
    readonly_fields = (
        "stage",
        "stage_changed_at",
        "became_prospect_at",
        "became_customer_at",
        "score",
        "marketing_consent_at",
        "last_activity_at",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("email", "first_name", "last_name", "title", "phone")}),
        ("Company", {"fields": ("company", "industry", "company_size", "country")}),
        (
            "Funnel",
            {
                "fields": (
                    "stage",
                    "stage_changed_at",
                    "became_prospect_at",
                    "became_customer_at",
                    "owner",
                    "source_campaign",
                    "score",
                )
            },
        ),
        (
            "Consent and activity",
            {"fields": ("marketing_consent", "marketing_consent_at", "last_activity_at")},
        ),
        ("Record", {"fields": ("created_at", "updated_at")}),
    )
    inlines = (StageChangeInline,)
    actions = [_move_action(stage) for stage in Stage]

    @admin.display(description="Name", ordering="last_name")
    def full_name(self, lead: Lead) -> str:
        return lead.full_name

    def save_model(self, request, obj, form, change):
        if "marketing_consent" in form.changed_data:
            obj.marketing_consent_at = timezone.now() if obj.marketing_consent else None
        if not change:
            super().save_model(request, obj, form, change)
            return
        # A person editing a lead they may edit: their values win (leads.merge_policy),
        # and every changed field goes into the lead's history, as from any other writer.
        with transaction.atomic():
            before = Lead.objects.select_for_update().get(pk=obj.pk)
            changes = {
                attname: (getattr(before, attname), getattr(obj, attname))
                for attname in (attname_of(name) for name in sorted(EDITABLE_FIELDS))
                if getattr(before, attname) != getattr(obj, attname)
            }
            super().save_model(request, obj, form, change)
            origin = WriteOrigin(
                source=ChangeSource.WEB, actor=request.user, request_id=request_id_of(request)
            )
            lead_changes_record(changes=[(obj.pk, changes)], origin=origin, at=obj.updated_at)

    def get_queryset(self, request):
        # The admin obeys the same visibility rule as every page and endpoint.
        return leads_visible_to(request.user, queryset=super().get_queryset(request))


@admin.register(Prospect)
class ProspectAdmin(LeadAdmin):
    list_filter = (("owner", admin.RelatedOnlyFieldListFilter), "source_campaign", "created_at")


@admin.register(Customer)
class CustomerAdmin(LeadAdmin):
    list_filter = (("owner", admin.RelatedOnlyFieldListFilter), "source_campaign", "created_at")
