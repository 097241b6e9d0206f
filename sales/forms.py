"""HTML forms of the sales pages. They check shapes; the services check the rules."""

from decimal import Decimal

from django import forms

from currencies.codes import company_currency, currency_choices
from funnel.stages import Stage
from sales.models import MAX_AMOUNT, Activity, LostReason, Quota, Sequence
from sales.periods import validate_period_day
from sales.services import active_sales_reps
from sales.teams.models import Team

RETURN_TO = [("board", "board"), ("lead", "lead"), ("my_work", "my work")]


class ReturnToForm(forms.Form):
    """Which part of which page an htmx action re-renders (and where a plain POST goes)."""

    return_to = forms.ChoiceField(choices=RETURN_TO, required=False)


def _amount(label: str, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal("0"),
        max_value=MAX_AMOUNT,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        **kwargs,
    )


class DealForm(ReturnToForm):
    title = forms.CharField(max_length=200)
    amount = _amount("Amount")
    # Left out: the company currency. Another needs a rate for today (sales.services).
    currency = forms.ChoiceField(choices=currency_choices, initial=company_currency, required=False)
    expected_close_on = forms.DateField(
        label="Expected close", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    promo_code = forms.CharField(label="Promo code", max_length=40, required=False)


class LoseForm(ReturnToForm):
    """Why a deal was lost: a reason from the managed list (the page requires it) and
    optional words. Words alone are matched to the list by the service ("Other")."""

    lost_reason = forms.ModelChoiceField(
        label="Why was it lost?",
        queryset=LostReason.objects.filter(is_active=True),
        required=False,
        empty_label="Pick a reason…",
    )
    reason = forms.CharField(
        label="Details",
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "What happened, in a few words"}),
    )

    def clean(self):
        data = super().clean()
        if not data.get("lost_reason") and not (data.get("reason") or "").strip():
            raise forms.ValidationError("Pick why the deal was lost.")
        return data


class WinForm(ReturnToForm):
    """The confirmation before a win: the final amount (prefilled with the deal's) and an
    optional note. Without an amount the deal's own is kept."""

    amount = _amount("Final amount", required=False)
    note = forms.CharField(label="Note", max_length=500, required=False)


class ReopenForm(ReturnToForm):
    reason = forms.CharField(label="Why reopen it?", max_length=500)


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(choices=Activity.Kind.choices, initial=Activity.Kind.CALL)
    subject = forms.CharField(max_length=200)
    body = forms.CharField(
        label="Notes", max_length=10_000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    due_at = forms.DateTimeField(
        label="Due",
        required=False,
        help_text="Leave empty to log something that just happened.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )


class BoardMoveForm(ReturnToForm):
    """Stage moves a rep makes from the board: give up on a prospect, or reopen one."""

    to_stage = forms.ChoiceField(
        choices=[
            (Stage.LOST.value, "Lost"),
            (Stage.LEAD.value, "Back to marketing"),
            (Stage.PROSPECT.value, "Reopen"),
        ]
    )
    reason = forms.CharField(max_length=500, required=False)


class RepChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class ReassignForm(forms.Form):
    owner = RepChoiceField(
        label="Give to", queryset=active_sales_reps(), required=False, empty_label="Unassigned"
    )
    reason = forms.CharField(max_length=500, required=False)


class LeadIdsField(forms.Field):
    """Lead ids from checkboxes (`leads=1&leads=2`): whole numbers in range, at most 500.
    Which of them the user may enrol is the view's (and the service's) business."""

    widget = forms.SelectMultiple

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        ids = []
        for raw in values:
            text = str(raw).strip()
            if not text.isdigit() or not 0 < int(text) < 2**63:
                raise forms.ValidationError("Choose prospects from the list.")
            ids.append(int(text))
        if len(ids) > 500:
            raise forms.ValidationError("Enrol at most 500 at once.")
        return list(dict.fromkeys(ids))

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError("Choose at least one prospect.")


class EnrolForm(ReturnToForm):
    sequence = forms.ModelChoiceField(queryset=Sequence.objects.filter(is_active=True))
    leads = LeadIdsField()


class QuotaSetForm(forms.Form):
    owner = forms.CharField(max_length=20, help_text="A rep's id, or 'team'.")
    # With owner 'team': that named team's quota instead of the whole sales team's.
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False)
    period = forms.ChoiceField(choices=Quota.Period.choices)
    starts_on = forms.DateField()
    target = _amount("Target")

    def clean(self):
        data = super().clean()
        if data.get("team") is not None and data.get("owner") is not None:
            self.add_error("team", "A quota is for a rep or for a team, not both.")
        return data

    def clean_owner(self):
        value = self.cleaned_data["owner"]
        if value == "team":
            return None
        rep = active_sales_reps().filter(pk=int(value)).first() if value.isdigit() else None
        if rep is None:
            raise forms.ValidationError("Choose an active sales rep or the team.")
        return rep


class PeriodForm(forms.Form):
    period = forms.ChoiceField(choices=Quota.Period.choices, required=False)
    on = forms.DateField(required=False, validators=[validate_period_day])
