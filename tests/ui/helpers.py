"""Reading what a list page shows, for assertions."""

import re


def listed_ids(response) -> list[int]:
    """Lead ids in the order the list shows them."""
    return [
        int(pk) for pk in re.findall(r'class="row-title" href="/leads/(\d+)/"', _html(response))
    ]


def link(response, rel: str) -> str | None:
    """The href of the pagination link `rel` ("next"/"prev"), unescaped, or None."""
    found = re.search(rf'rel="{rel}" href="([^"]+)"', _html(response))
    return found.group(1).replace("&amp;", "&") if found else None


def _html(response) -> str:
    return response.content.decode()
