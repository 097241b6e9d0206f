from django import template

from marketing.selectors import lead_score_explanation

register = template.Library()


@register.simple_tag
def score_explanation(lead):
    """For `marketing/_score_explanation.html`: whoever includes it passes only `lead`."""
    return lead_score_explanation(lead=lead)


@register.filter
def money(value, places: int = 2):
    """1234.5 → "1,234.50"; None → "—" (a figure with no denominator is not zero)."""
    if value is None:
        return "—"
    return f"{value:,.{int(places)}f}"


@register.filter
def ratio_percent(value):
    """0.253 → "25.3 %"; None → "—"."""
    if value is None:
        return "—"
    return f"{value * 100:,.1f} %"
