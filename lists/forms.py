"""The bulk-action bar of a list: which leads, which action, its parameters.

Validates the shape only; who may do what, and to which leads, is the service's call.
"""

from django import forms

from funnel.roles import is_manager
from funnel.stages import STAGE_CHOICES
from lists.models import BulkAction
from sales import services as sales_services
from sales.selectors import sequences_visible_to

# Ticked rows in one request: a page holds 25, so this only stops abuse.
MAX_TICKED = 1000
UNASSIGN = "none"


class LeadIdsField(forms.Field):
    """Ticked rows: any lead ids; the service keeps only those in the user's scope."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        try:
            ids = sorted({int(v) for v in value or []})
        except (TypeError, ValueError):
            raise forms.ValidationError("Leads are chosen by their id.") from None
        if ids and ids[0] < 1:
            raise forms.ValidationError("Leads are chosen by their id.")
        return ids


class BulkActionForm(forms.Form):
    action = forms.ChoiceField(
        label="Action",
        choices=[("", "Choose an action…"), *BulkAction.Action.choices, ("export", "Export CSV")],
    )
    lead = LeadIdsField(label="Leads", required=False)
    all_matching = forms.BooleanField(label="All matching this filter", required=False)
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    owner = forms.ChoiceField(label="New owner", required=False)
    to_stage = forms.ChoiceField(
        label="Move to", required=False, choices=[("", "Choose a stage…"), *STAGE_CHOICES]
    )
    sequence = forms.ChoiceField(label="Cadence", required=False)
    reason = forms.CharField(label="Reason", required=False, max_length=500)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # Where the bar is: a lead list (its kind) or the sales board, for the way back.
    origin = forms.ChoiceField(
        label="Where from",
        required=False,
        choices=[("", "List"), ("board", "Board")],
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, user, **kwargs) -> None:
        # Its ids must not clash with the filter bar's on the same page (both have "owner").
        kwargs.setdefault("auto_id", "bulk_%s")
        super().__init__(*args, **kwargs)
        self.user = user
        self.manager = is_manager(user)
        if self.manager:
            reps = sales_services.active_sales_reps()
            self.fields["owner"].choices = [
                ("", "Choose a rep…"),
                (UNASSIGN, "Nobody (back to the pool)"),
                *((str(r.pk), r.get_full_name() or r.username) for r in reps),
            ]
        else:
            # Assigning and deleting are for managers (lists.services.MANAGER_ACTIONS).
            del self.fields["owner"]
            self.fields["action"].choices = [
                c for c in self.fields["action"].choices if c[0] not in ("assign", "delete")
            ]
        self.fields["sequence"].choices = [
            ("", "Choose a cadence…"),
            *(
                (str(pk), name)
                for pk, name in sequences_visible_to(user)
                .filter(is_active=True)
                .order_by("name")
                .values_list("pk", "name")
            ),
        ]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("all_matching") and not cleaned.get("lead"):
            raise forms.ValidationError("Tick at least one lead, or all matching the filter.")
        if len(cleaned.get("lead") or []) > MAX_TICKED:
            raise forms.ValidationError(f"Tick at most {MAX_TICKED} leads, or choose all.")
        action = cleaned.get("action")
        required = {"assign": "owner", "move": "to_stage", "enrol": "sequence"}.get(action)
        if required and not cleaned.get(required):
            self.add_error(required, "Choose one for this action.")
        return cleaned

    @property
    def lead_ids(self) -> list[int] | None:
        return None if self.cleaned_data.get("all_matching") else self.cleaned_data["lead"]

    @property
    def params(self) -> dict:
        data = self.cleaned_data
        owner = data.get("owner")
        return {
            "owner": None if owner in (UNASSIGN, None, "") else int(owner),
            "to_stage": data.get("to_stage"),
            "sequence": data.get("sequence"),
            "reason": data.get("reason", ""),
        }
