from django.contrib import admin

from marketing.models import Campaign


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
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
