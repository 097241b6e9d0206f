"""Input of the deal board: its filters and a card's move (with the confirmation a close
asks for)."""

from django import forms

from sales.forms import _amount
from sales.pipeline.board import PERIODS, BoardFilters
from sales.pipeline.models import LostReason


class BoardFilterForm(forms.Form):
    owner = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    period = forms.ChoiceField(required=False, choices=[("", "Any close date"), *PERIODS.items()])
    team = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)

    def filters(self) -> BoardFilters:
        """The valid filters; a bad one is dropped (the page shows its error)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if self.is_bound and not self.is_valid():
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        return BoardFilters(
            owner_id=data.get("owner"), period=data.get("period") or "", team_id=data.get("team")
        )


class DealMoveForm(forms.Form):
    to_stage = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    # Set by the confirmation form: a move into won or lost without it only asks.
    confirmed = forms.BooleanField(required=False)
    amount = _amount("Final amount", required=False)
    note = forms.CharField(max_length=500, required=False)
    lost_reason = forms.ModelChoiceField(
        queryset=LostReason.objects.filter(is_active=True), required=False
    )
    reason = forms.CharField(max_length=500, required=False)
