from django.contrib import admin

from outbox.models import OutboxTask


@admin.register(OutboxTask)
class OutboxTaskAdmin(admin.ModelAdmin):
    list_display = ("task", "created_at", "due_at", "claimed_until", "attempts")
    readonly_fields = ("task", "kwargs", "created_at", "attempts", "last_error")
