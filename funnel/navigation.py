"""The main navigation. Each area adds its entry here; entries whose URL does not exist
yet, or whose roles the user lacks, are left out (see funnel.context_processors)."""

from funnel.roles import MANAGERS, MARKETING, SALES

ALL = (MANAGERS, MARKETING, SALES)

# (label, url name, roles that see it)
NAV_ITEMS: list[tuple[str, str, tuple[str, ...]]] = [
    ("Leads", "leads:list", ALL),
    ("Prospects", "leads:prospects", ALL),
    ("Customers", "leads:customers", ALL),
    ("My work", "sales:my_work", (SALES,)),
    ("Board", "sales:board", (SALES,)),
    ("Pipeline", "sales:deal_board", (SALES, MANAGERS)),
    ("Quotas", "sales:quotas", (MANAGERS,)),
    ("Campaigns", "marketing:campaign-list", (MANAGERS, MARKETING)),
    ("Dashboard", "dashboard", (MANAGERS,)),
]

# Pages opened now and then, in the account menu, so the bar stays one calm row.
MENU_ITEMS: list[tuple[str, str, tuple[str, ...]]] = [
    ("Integrations", "integrations:index", (MANAGERS,)),
    ("Exchange rates", "currencies:rates", (MANAGERS,)),
    ("Teams", "sales:teams", (MANAGERS,)),
    ("Email outbox", "mail:outbox", ALL),
    ("Email templates", "mail:template_list", ALL),
    ("Email suppressions", "mail:suppressions", (MANAGERS,)),
    ("Sequences", "sales:sequence_list", (SALES, MANAGERS)),
    ("Sequence email reports", "mail:sequence_list", (SALES, MANAGERS)),
]

# Keyboard shortcuts: "g" then this key opens the entry (static/js/shortcuts.js; the list
# under "?" is templates/funnel/_shortcuts.html). "h" is Home.
SHORTCUT_KEYS: dict[str, str] = {
    "leads:list": "l",
    "leads:prospects": "p",
    "leads:customers": "c",
    "sales:my_work": "m",
    "sales:board": "b",
    "sales:quotas": "q",
    "marketing:campaign-list": "a",
    "dashboard": "d",
    "integrations:index": "i",
}
