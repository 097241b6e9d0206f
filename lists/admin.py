from django.contrib import admin

from lists.models import BulkAction, SavedView


@admin.register(BulkAction)
class BulkActionAdmin(admin.ModelAdmin):
    """Read-only: a bulk action is a record of what was done, changed only by its run."""

    list_display = ("id", "action", "user", "list_kind", "status", "processed", "total", "refused")
    list_filter = ("action", "status")
    list_select_related = ("user",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "list_kind", "shared_with")
    list_select_related = ("user", "shared_with")
    raw_id_fields = ("user",)
