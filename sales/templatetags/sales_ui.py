"""The lead page's sales panel, as one tag the lead template includes."""

from django import template

from sales.views import lead_panel_context

register = template.Library()


@register.inclusion_tag("sales/_lead_panel.html", takes_context=True)
def lead_sales_panel(context, lead, oob=False):
    # `oob`: part of a stage move's htmx answer, swapped in place by id (leads/_lead_moved).
    return {**lead_panel_context(context["request"], lead), "oob": oob}
