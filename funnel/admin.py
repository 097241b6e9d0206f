from django.contrib import admin

from funnel.models import StageChange


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    """History is immutable: browse and search it here, never add, edit or delete."""

    list_display = ("at", "lead", "from_stage", "to_stage", "cause", "actor", "reason")
    list_filter = ("to_stage", "from_stage", "cause", "at")
    search_fields = ("lead__email", "reason")
    list_select_related = ("lead", "actor")
    show_full_result_count = False
    list_per_page = 100
    ordering = ("-at", "-id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
