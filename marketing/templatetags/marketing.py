from django import template

from funnel import formatting
from marketing.selectors import lead_score_explanation

register = template.Library()


@register.simple_tag
def score_explanation(lead):
    """For `marketing/_score_explanation.html`: whoever includes it passes only `lead`."""
    return lead_score_explanation(lead=lead)


# The one formatter (funnel.formatting), under the names marketing templates use.
register.filter("money", formatting.money_text)
register.filter("amount", formatting.amount_text)
register.filter("ratio_percent", formatting.percent_text)
register.filter("roi", formatting.roi_text)
