"""What every page's layout needs: the navigation the user may use and their role."""

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from funnel.navigation import MENU_ITEMS, NAV_ITEMS, SHORTCUT_KEYS
from funnel.roles import MANAGERS, MARKETING, SALES, is_manager, is_marketer, is_sales_rep

ROLE_CHECKS = {MANAGERS: is_manager, MARKETING: is_marketer, SALES: is_sales_rep}
ROLE_LABELS = ((is_manager, "Manager"), (is_marketer, "Marketing"), (is_sales_rep, "Sales rep"))


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "menu_items": [], "user_role": ""}
    items = _entries(user, NAV_ITEMS)
    # The deepest matching URL is the current one: /leads/prospects/ is "Prospects",
    # not "Leads".
    # A view may say which section a page belongs to (a prospect's page: "Prospects").
    path = getattr(request, "nav_path", request.path)
    matches = [item for item in items if path.startswith(item["url"])]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["current"] = True
    role = next((label for check, label in ROLE_LABELS if check(user)), "")
    return {"nav_items": items, "menu_items": _entries(user, MENU_ITEMS), "user_role": role}


def _entries(user, entries) -> list[dict]:
    items = []
    for label, url_name, roles in entries:
        if not any(ROLE_CHECKS[role](user) for role in roles if role in ROLE_CHECKS):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            # Areas add their entry before (or without) their page; skip until it exists.
            continue
        items.append(
            {"label": label, "url": url, "current": False, "key": SHORTCUT_KEYS.get(url_name, "")}
        )
    return items
