"""Forms of the rates page. They check shapes; `currencies.services` checks the rules."""

from django import forms

from currencies.codes import company_currency, currency_choices
from currencies.models import MAX_RATE, RATE_DIGITS
from funnel.metrics.window import site_today


def foreign_currency_choices() -> list[tuple[str, str]]:
    return [choice for choice in currency_choices() if choice[0] != company_currency()]


class RateForm(forms.Form):
    currency = forms.ChoiceField(choices=foreign_currency_choices)
    day = forms.DateField(initial=site_today, widget=forms.DateInput(attrs={"type": "date"}))
    rate = forms.DecimalField(
        min_value=0,
        max_value=MAX_RATE,
        **RATE_DIGITS,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rate"].label = f"Rate ({company_currency()} per unit)"


class RateUploadForm(forms.Form):
    file = forms.FileField(
        label="Rates CSV",
        help_text="Columns currency, day (YYYY-MM-DD) and rate; up to 2 MB. All lines or none.",
    )


class RateFilterForm(forms.Form):
    currency = forms.CharField(max_length=3, required=False)
