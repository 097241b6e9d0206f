"""The scoring rules page: points per touch kind, half-life, fit points, MQL threshold."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from marketing.forms import FitRuleFormSet, ScoringRulesForm
from marketing.models import FitRule
from marketing.permissions import marketing_required
from marketing.scoring import scoring_rules_get, scoring_rules_update


@marketing_required
def scoring_rules(request: HttpRequest) -> HttpResponse:
    rules = scoring_rules_get()
    initial = {
        "half_life_days": rules.half_life_days,
        "mql_threshold": rules.mql_threshold,
        **{f"points_{kind}": points for kind, points in rules.touch_points.items()},
    }
    fits = [{"field": r.field, "value": r.value, "points": r.points} for r in FitRule.objects.all()]
    if request.method == "POST":
        form = ScoringRulesForm(request.POST)
        formset = FitRuleFormSet(request.POST, prefix="fit")
        if form.is_valid() and formset.is_valid():
            kept = [
                (row["field"], row["value"], row["points"])
                for row in formset.cleaned_data
                if row and not row.get("DELETE")
            ]
            try:
                scoring_rules_update(
                    touch_points=form.touch_points,
                    half_life_days=form.cleaned_data["half_life_days"],
                    mql_threshold=form.cleaned_data["mql_threshold"],
                    fit_rules=kept,
                    actor=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(
                    request, "Scoring rules saved. Every score is being recomputed now."
                )
                return redirect("marketing:scoring")
    else:
        form = ScoringRulesForm(initial=initial)
        formset = FitRuleFormSet(initial=fits, prefix="fit")
    status = 400 if form.errors or any(formset.errors) or formset.non_form_errors() else 200
    return render(
        request,
        "marketing/scoring_rules.html",
        {"form": form, "formset": formset, "rules": rules},
        status=status,
    )
