from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from currencies import services
from currencies.models import ExchangeRate


class ExchangeRateAdminForm(forms.ModelForm):
    """The services' own checks (code, not the company currency, day, value), so the
    admin refuses what the page and the API refuse, next to the field."""

    class Meta:
        model = ExchangeRate
        fields = ["currency", "day", "rate"]

    def clean_currency(self):
        return _field(services.rate_currency_clean, self.cleaned_data["currency"])

    def clean_day(self):
        return _field(services.rate_day_clean, self.cleaned_data["day"])

    def clean_rate(self):
        return _field(services.rate_value_clean, self.cleaned_data["rate"])


def _field(clean, value):
    try:
        return clean(value)
    except ValidationError as exc:  # The services name the field; here it is implied.
        raise ValidationError(exc.messages) from None


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    form = ExchangeRateAdminForm
    list_display = ("currency", "day", "rate", "created_by", "created_at")
    list_filter = ("currency",)
    search_fields = ("currency",)
    date_hierarchy = "day"
    ordering = ("currency", "-day")

    def get_readonly_fields(self, request, obj=None):
        # A rate's currency and day are its identity: correct the value, or add another.
        return ("currency", "day", "created_by", "created_at") if obj is not None else ()

    def get_fields(self, request, obj=None):
        return ["currency", "day", "rate"] + (["created_by", "created_at"] if obj else [])

    def save_model(self, request, obj, form, change):
        if change:
            stored = ExchangeRate.objects.get(pk=obj.pk)
            services.rate_update(rate=stored, value=obj.rate, actor=request.user)
            return
        rows, _, _ = services.rates_save(
            lines=[services.RateLine(obj.currency, obj.day, obj.rate)], actor=request.user
        )
        obj.pk = rows[0].pk

    def delete_model(self, request, obj):
        try:
            services.rate_delete(rate=obj, actor=request.user)
        except services.RateInUse as exc:
            self.message_user(request, exc.message, messages.ERROR)

    def has_delete_permission(self, request, obj=None):
        # One at a time, through the guard: the bulk action would skip it.
        return obj is not None and super().has_delete_permission(request, obj)
