"""The dashboard's filters: a date range (preset or custom), campaign, channel and rep.

A GET form, so the URL carries every filter and a view can be bookmarked or shared. A bad
value never breaks the page: the form reports it and the default window is used.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib.auth import get_user_model

from funnel.metrics.grouping import MetricFilters
from funnel.metrics.window import (
    DEFAULT_PRESET,
    MAX_DATE,
    MAX_WINDOW_DAYS,
    MIN_DATE,
    PRESETS,
    Window,
    default_window,
    window_for_preset,
)
from funnel.roles import SALES
from marketing.models import Campaign

CUSTOM = "custom"


class RepChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return user.get_full_name() or user.get_username()


class DashboardFilterForm(forms.Form):
    preset = forms.ChoiceField(
        label="Period", required=False, choices=[*PRESETS, (CUSTOM, "Custom dates")]
    )
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    campaign = forms.ModelChoiceField(
        label="Campaign",
        required=False,
        empty_label="All campaigns",
        queryset=Campaign.objects.order_by("name").only("pk", "name"),
    )
    channel = forms.ChoiceField(
        label="Channel", required=False, choices=[("", "All channels"), *Campaign.Channel.choices]
    )
    owner = RepChoiceField(
        label="Rep",
        required=False,
        empty_label="All reps",
        queryset=get_user_model()
        .objects.filter(groups__name=SALES)
        .order_by("first_name", "last_name", "username"),
    )

    def clean_since(self):
        return _in_range(self.cleaned_data.get("since"))

    def clean_until(self):
        return _in_range(self.cleaned_data.get("until"))

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        # Dates typed in win over a preset: the custom range is what the user just asked for.
        if since or until:
            data["preset"] = CUSTOM
            until = until or default_window().until
            since = since or default_window(today=until).since
            if since > until:
                self.add_error("since", "The start must be on or before the end.")
            elif until - since >= timedelta(days=MAX_WINDOW_DAYS):
                self.add_error("until", f"Pick at most {MAX_WINDOW_DAYS} days.")
            else:
                data["window"] = Window(since, until)
        else:
            preset = data.get("preset")
            data["preset"] = preset if preset and preset != CUSTOM else DEFAULT_PRESET
            data["window"] = window_for_preset(data["preset"])
        return data

    # What the views read: always usable, whatever was submitted.
    @property
    def window(self) -> Window:
        if self.is_valid():
            return self.cleaned_data["window"]
        return default_window()

    @property
    def metric_filters(self) -> MetricFilters:
        data = self.cleaned_data if self.is_valid() else {}
        campaign, owner = data.get("campaign"), data.get("owner")
        return MetricFilters(
            campaign_id=campaign.pk if campaign else None,
            channel=data.get("channel") or None,
            owner_id=owner.pk if owner else None,
        )

    @property
    def current_preset(self) -> str:
        return self.cleaned_data["preset"] if self.is_valid() else DEFAULT_PRESET

    @property
    def summary(self) -> list[str]:
        """The filters in effect, in words: what the folded filter bar on a phone shows."""
        preset = self.current_preset
        if preset == CUSTOM:
            window = self.window
            words = [f"{window.since:%-d %b %Y} \N{EN DASH} {window.until:%-d %b %Y}"]
        else:
            words = [dict(PRESETS)[preset]]
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("campaign"):
            words.append(data["campaign"].name)
        if data.get("channel"):
            words.append(Campaign.Channel(data["channel"]).label)
        if data.get("owner"):
            words.append(self.fields["owner"].label_from_instance(data["owner"]))
        return words


def _in_range(value):
    if value is not None and not MIN_DATE <= value <= MAX_DATE:
        raise forms.ValidationError(f"Pick a date between {MIN_DATE:%Y} and {MAX_DATE:%Y}.")
    return value
