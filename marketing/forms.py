"""Forms of the marketing pages. Input checks only; writes go through the services."""

from datetime import date

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from currencies.codes import company_currency, currency_choices
from funnel.metrics.window import (
    MAX_DATE,
    MAX_WINDOW_DAYS,
    MIN_DATE,
    PRESETS,
    site_today,
    window_for_preset,
)
from funnel.roles import MANAGERS, MARKETING
from marketing.imports.field_rules import MODE_FIELDS
from marketing.imports.reader import DELIMITERS, FIELDS
from marketing.models import Campaign, FitRule, ImportJob, Touch
from marketing.services import MAX_SPEND, spend_day_clean
from marketing.spend_csv import AUTO, NUMBER_FORMATS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(forms.ModelForm):
    thank_you_url = forms.URLField(
        label="Thank-you page URL",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="Where people land after the web form (default: a thank-you page).",
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "channel",
            "status",
            "starts_on",
            "ends_on",
            "budget",
            "owner",
            "utm_campaign",
            "target_audience",
            "description",
            "thank_you_url",
            "promo_code",
            "discount_percent",
            "discount_amount",
        ]
        widgets = {
            "starts_on": DATE_INPUT,
            "ends_on": DATE_INPUT,
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "utm_campaign": "The utm_campaign value of your links, e.g. spring-webinar-2025.",
            "promo_code": "Optional. Deals record the code used, so results show its revenue.",
            "discount_percent": "A promotion has a percent or an amount discount, not both.",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        owner.queryset = (
            get_user_model()
            .objects.filter(is_active=True)
            .filter(Q(groups__name__in=[MARKETING, MANAGERS]) | Q(is_superuser=True))
            .distinct()
            .order_by("username")
        )
        owner.label_from_instance = lambda user: user.get_full_name() or user.username
        # Left blank, a new campaign is its creator's (see views._campaign_form).
        owner.empty_label = "No owner" if self.instance.pk else "Me"
        self.fields["budget"].max_value = MAX_SPEND

    def clean_promo_code(self) -> str:
        return self.cleaned_data["promo_code"].strip().upper()


class SpendForm(forms.Form):
    day = forms.DateField(widget=DATE_INPUT, initial=site_today)
    amount = forms.DecimalField(min_value=0, max_value=MAX_SPEND, max_digits=12, decimal_places=2)
    # Left out (older pages, scripts): the company currency.
    currency = forms.ChoiceField(choices=currency_choices, initial=company_currency, required=False)
    note = forms.CharField(max_length=300, required=False)

    def clean_day(self) -> date:
        return spend_day_clean(self.cleaned_data["day"])


class SpendUploadForm(forms.Form):
    file = forms.FileField(
        label="Spend CSV",
        help_text=(
            "Columns day (YYYY-MM-DD), amount, and optionally currency (ISO 4217, default "
            "the company's) and note; up to 5 MB."
        ),
    )
    number_format = forms.ChoiceField(
        label="Amounts written as",
        choices=NUMBER_FORMATS,
        initial=AUTO,
        required=False,
    )


class ImportUploadForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="With a header line; any number of rows.")
    encoding = forms.ChoiceField(
        choices=ImportJob.Encoding.choices,
        initial=ImportJob.Encoding.UTF8,
        help_text="UTF-8 unless the file came from Excel on Windows.",
    )


class ImportMappingForm(forms.Form):
    """One select per CSV column (which lead field it fills), plus the run's options."""

    delimiter = forms.ChoiceField(label="Separator", choices=list(DELIMITERS.items()))
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.order_by("name"),
        required=False,
        empty_label="No campaign",
        help_text="New leads, and leads without one, get this source campaign.",
    )
    touch_kind = forms.ChoiceField(
        label="Record a touch",
        choices=[("", "No touch"), *Touch.Kind.choices],
        required=False,
        help_text="E.g. Event attended for a list of badge scans (scores count it).",
    )
    skip_bad_lines = forms.BooleanField(
        label="Import the good lines even if some lines are bad",
        required=False,
        help_text="Otherwise one bad line stops the import and nothing is written.",
    )

    FIELD_CHOICES = [("", "— ignore —"), *((name, spec.label) for name, spec in FIELDS.items())]
    MODE_CHOICES = [
        ("auto", "Overwrite, but only fill blanks of leads others own"),
        ("overwrite", "Overwrite"),
        ("fill_empty", "Only fill blanks"),
        ("skip", "Never change"),
    ]

    def __init__(self, *args, columns: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.columns = columns
        for index, column in enumerate(columns):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=column or f"Column {index + 1}", choices=self.FIELD_CHOICES, required=False
            )
        # How the file's values meet leads that exist (leads.merge_policy), per field.
        for name in MODE_FIELDS:
            self.fields[f"mode_{name}"] = forms.ChoiceField(
                label=FIELDS[name].label, choices=self.MODE_CHOICES, required=False
            )

    def mode_fields(self):
        return [self[f"mode_{name}"] for name in MODE_FIELDS]

    @property
    def column_modes(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(f"mode_{name}") or "auto" for name in MODE_FIELDS}

    def column_fields(self):
        return [self[f"column_{index}"] for index in range(len(self.columns))]

    @property
    def mapping(self) -> list[str]:
        return [self.cleaned_data.get(f"column_{i}", "") for i in range(len(self.columns))]


class ScoringRulesForm(forms.Form):
    half_life_days = forms.FloatField(
        label="Half-life (days)",
        min_value=0.1,
        max_value=3650,
        help_text="After this many days a touch counts half as much.",
    )
    mql_threshold = forms.FloatField(
        label="MQL threshold",
        min_value=0.01,
        max_value=1_000_000,
        help_text="Leads at or above this score are handed to sales (checked every minute).",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in Touch.Kind.choices:
            self.fields[f"points_{kind}"] = forms.FloatField(
                label=label, min_value=-1000, max_value=1000
            )

    def kind_fields(self):
        return [self[f"points_{kind}"] for kind in Touch.Kind.values]

    @property
    def touch_points(self) -> dict[str, float]:
        return {kind: self.cleaned_data[f"points_{kind}"] for kind in Touch.Kind.values}


class FitRuleForm(forms.Form):
    # A blank first choice, so an untouched extra row stays empty (and is skipped).
    field = forms.ChoiceField(choices=[("", "— field —"), *FitRule.Field.choices])
    value = forms.CharField(max_length=100)
    points = forms.FloatField(min_value=-1000, max_value=1000)


FitRuleFormSet = forms.formset_factory(FitRuleForm, extra=2, can_delete=True, max_num=200)


class WindowForm(forms.Form):
    preset = forms.ChoiceField(choices=[("", "Custom"), *PRESETS], required=False)
    since = forms.DateField(required=False, widget=DATE_INPUT)
    until = forms.DateField(required=False, widget=DATE_INPUT)

    def clean(self):
        data = super().clean()
        preset = data.get("preset")
        if preset:
            window = window_for_preset(preset)
            data["since"], data["until"] = window.since, window.until
        since, until = data.get("since"), data.get("until")
        if since and until:
            if not (MIN_DATE <= since <= MAX_DATE and MIN_DATE <= until <= MAX_DATE):
                raise forms.ValidationError("Choose days between 1970 and 9998.")
            if since > until:
                raise forms.ValidationError("The window ends before it starts.")
            if (until - since).days + 1 > MAX_WINDOW_DAYS:
                raise forms.ValidationError(f"A window is at most {MAX_WINDOW_DAYS:,} days.")
        return data
