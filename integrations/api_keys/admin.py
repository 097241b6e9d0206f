"""API keys in the admin: create (the key is shown once, in a message), rename, revoke."""

from django import forms
from django.contrib import admin, messages

from integrations.api_keys.services import api_key_create, api_key_revoke
from integrations.models import ApiKey


class ApiKeyAdminForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["name", "scope"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyAdminForm
    list_display = ["name", "prefix", "scope", "active", "created_at", "created_by", "last_used_at"]
    list_filter = ["scope", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix"]
    list_select_related = ["created_by"]
    readonly_fields = [
        "prefix",
        "user",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    ]
    actions = ["revoke_keys"]

    @admin.display(boolean=True, description="Active")
    def active(self, obj: ApiKey) -> bool:
        return obj.is_active

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "scope"]
        return ["name", "scope", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # The scope is part of what the key's holder was given: change it by issuing a new
        # key. A revoked key is history and stays as it was.
        return ["scope", *self.readonly_fields] + (["name"] if obj.revoked_at else [])

    def save_model(self, request, obj: ApiKey, form, change: bool) -> None:
        if change:
            obj.save(update_fields=["name"])
            return
        created, raw_key = api_key_create(name=obj.name, scope=obj.scope, created_by=request.user)
        # The admin goes on with `obj` (change log, redirect): make it the saved row.
        obj.pk, obj.prefix, obj.user_id = created.pk, created.prefix, created.user_id
        obj._state.adding = False
        messages.warning(
            request,
            f"The API key for “{created.name}” is {raw_key} — copy it now: it is stored "
            "hashed and will not be shown again.",
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        # Revoke instead: the key row and its service user keep history's actors meaningful.
        return False

    @admin.action(description="Revoke selected API keys")
    def revoke_keys(self, request, queryset):
        revoked = 0
        for api_key in queryset.filter(revoked_at__isnull=True):
            api_key_revoke(api_key_id=api_key.pk, revoked_by=request.user)
            revoked += 1
        self.message_user(request, f"Revoked {revoked} API key(s).", messages.SUCCESS)
