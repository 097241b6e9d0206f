from django.contrib import admin
from django.db import models

from marketing.models import Campaign, FitRule, ImportJob, ScoringRules, Spend, Touch


class SpendInline(admin.TabularInline):
    model = Spend
    # The currency shows but is not edited here: another than the company's needs a rate
    # check (marketing.services.spend_record, on the campaign page and the API).
    fields = ("day", "amount", "currency", "note")
    readonly_fields = ("currency",)
    extra = 0
    ordering = ("-day", "-id")


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    inlines = [SpendInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = (
        "name",
        "channel",
        "status",
        "starts_on",
        "ends_on",
        "budget",
        "utm_campaign",
        "owner",
    )
    list_filter = ("channel", "status", "starts_on")
    search_fields = ("name", "utm_campaign")
    list_select_related = ("owner",)
    prepopulated_fields = {"utm_campaign": ("name",)}
    autocomplete_fields = ("owner",)
    # The capture key is a secret for web forms; rotating it is a service call elsewhere.
    readonly_fields = ("capture_key", "created_at")


@admin.register(Touch)
class TouchAdmin(admin.ModelAdmin):
    list_display = ("at", "lead", "kind", "campaign", "utm_source", "utm_medium")
    list_filter = ("kind", "at")
    list_select_related = ("lead", "campaign")
    search_fields = ("lead__email", "utm_campaign")
    raw_id_fields = ("lead", "campaign")
    date_hierarchy = "at"


@admin.register(ScoringRules)
class ScoringRulesAdmin(admin.ModelAdmin):
    """The one rules row; marketing edits it on /marketing/scoring/."""

    list_display = ("__str__", "mql_threshold", "half_life_days", "updated_at", "updated_by")
    readonly_fields = ("updated_at", "updated_by")

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FitRule)
class FitRuleAdmin(admin.ModelAdmin):
    list_display = ("field", "value", "points")
    list_filter = ("field",)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Imports are run from /marketing/imports/; the admin only looks."""

    list_display = ("original_name", "status", "rows_valid", "rows_bad", "created_by", "created_at")
    list_filter = ("status",)
    list_select_related = ("created_by",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
