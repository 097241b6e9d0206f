"""The sections of the Integrations area (/integrations/), shown as tabs on each of its
pages. Each feature adds one line; the first section is where /integrations/ lands."""

from django.urls import NoReverseMatch, reverse

# (label, url name). Managers only: the whole area is theirs.
SECTIONS: list[tuple[str, str]] = [
    ("API keys", "integrations:api_keys"),
    ("Webhooks", "integrations:webhooks"),
]


def integration_sections(current_url_name: str) -> list[dict]:
    """The tabs, marking the current one; sections whose page does not exist yet are
    left out."""
    tabs = []
    for label, url_name in SECTIONS:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        tabs.append({"label": label, "url": url, "current": url_name == current_url_name})
    return tabs
