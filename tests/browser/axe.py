"""axe-core in the browser tests: every page a test visits is checked, and a critical or
serious violation fails the test.

`axe_watch(context)` puts axe-core into every document of a browser context (an init
script, which the page's Content-Security-Policy does not govern) and runs it when the
page has loaded and again after each htmx swap; results come back through an exposed
binding. A test that moves on before a check finishes leaves that address unchecked:
`watches_finish()` opens it again at the end. `check(page)` checks the page as it is now,
for a state only an interaction shows (an open dialog).

tests/browser/conftest.py watches the `page` fixture of every browser test and fails the
test when it ends; flows_support.sign_in() watches contexts a test opens itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from axe_playwright_python.base import AXE_SCRIPT

# What fails a test. "moderate" and "minor" findings are left to review by hand.
BLOCKING = ("critical", "serious")

# WCAG 2.x A and AA plus axe's best practices (landmarks, nested controls, ...).
OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
}

SUMMARY = (
    "(results) => results.violations"
    ".filter((v) => BLOCKING.includes(v.impact))"
    ".map((v) => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5)"
    ".map((n) => ({target: n.target.join(' '), html: n.html.slice(0, 200)}))}))"
).replace("BLOCKING", json.dumps(BLOCKING))

# Runs in every top-level document. Checks wait in one queue: axe refuses to overlap
# itself, and an explicit check() may come while an automatic one runs.
INIT_SCRIPT = (
    r"""(() => {
  if (window.top !== window || /^\/(admin|api)\//.test(location.pathname)) return;
  AXE_SOURCE
  const summary = SUMMARY;
  let queue = Promise.resolve();
  window.__axeQueued = () => {
    const next = queue.then(() => window.axe.run(document, OPTIONS)).then(summary);
    queue = next.catch(() => null);
    return next;
  };
  function run(reason) {
    window.__axeQueued()
      .then((violations) => window.__axeReport({url: location.href, reason, violations}))
      .catch((e) => window.__axeReport({url: location.href, reason, error: String(e)}));
  }
  window.addEventListener("load", () => run("load"));
  // Swaps come in bursts (a region and its out-of-band messages): one check per burst.
  let swapped = null;
  document.addEventListener("htmx:afterSettle", () => {
    clearTimeout(swapped);
    swapped = setTimeout(() => run("htmx swap"), 250);
  });
})();
""".replace("SUMMARY", SUMMARY)
    .replace("OPTIONS", json.dumps(OPTIONS))
    .replace("AXE_SOURCE", AXE_SCRIPT)
)


def _where(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# Not the app's own pages: Django's admin, DRF's browsable API and Swagger UI (third-party
# templates and styles, for staff and developers). See CONTRIBUTING.md.
SKIPPED = ("/admin/", "/api/")


def _checkable(url: str) -> bool:
    return url.startswith("http") and not urlsplit(url).path.startswith(SKIPPED)


def report(found: dict[str, list[dict]]) -> str:
    lines = []
    for where, items in found.items():
        for item in items:
            lines.append(f"{where}: {item['id']} ({item['impact']}): {item['help']}")
            for node in item["nodes"]:
                lines.append(f"    {node['target']}  {node['html']}")
    return "\n".join(lines)


@dataclass
class AxeWatch:
    context: object
    found: dict[str, list[dict]] = field(default_factory=dict)
    loaded: set[str] = field(default_factory=set)
    checked: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.context.expose_binding("__axeReport", self._reported)
        self.context.add_init_script(INIT_SCRIPT)
        self.context.on("page", self._page_watch)
        for page in self.context.pages:
            self._page_watch(page)
        self.context._axe_watch = self
        WATCHES.append(self)

    def _page_watch(self, page) -> None:
        page.on("load", lambda loaded: self.loaded.add(loaded.url))

    def _reported(self, source, data: dict) -> None:
        if "error" in data:
            self.errors.append(f"{_where(data['url'])}: {data['error']}")
            return
        self._record(f"{_where(data['url'])}", data["violations"])

    def _record(self, where: str, items: list[dict]) -> None:
        self.checked.add(where.split(" [", 1)[0])
        known = self.found.setdefault(where, [])
        known.extend(item for item in items if item not in known)
        if not known:
            del self.found[where]

    def check(self, page, label: str = "") -> list[dict]:
        """Check the page as it is now (the caller waits for the answer)."""
        if page.evaluate("typeof window.__axeQueued === 'function'"):
            items = page.evaluate("window.__axeQueued()")
        else:  # a document loaded before the watcher started
            if not page.evaluate("typeof window.axe === 'object'"):
                page.evaluate(AXE_SCRIPT)
            items = page.evaluate(f"axe.run(document, {json.dumps(OPTIONS)}).then({SUMMARY})")
        where = _where(page.url)
        self._record(f"{where} [{label}]" if label else where, items)
        return items

    def unchecked(self) -> list[str]:
        return sorted(
            url for url in self.loaded if _checkable(url) and _where(url) not in self.checked
        )

    def finish(self) -> None:
        """Check what is on screen now and every address the test left before its check
        ended, by opening it again in this context (same user, same data)."""
        for page in self.context.pages:
            if _checkable(page.url):
                self.check(page)
        missed = self.unchecked()
        if missed:
            page = self.context.new_page()
            for url in missed:
                response = page.goto(url)
                if response is not None and response.request.method == "GET":
                    page.wait_for_load_state("load")
                    self.check(page, "opened again")
            page.close()


# The watchers started during the current test (conftest's axe_checked fixture empties
# it before a test and reads it after).
WATCHES: list[AxeWatch] = []


def axe_watch_if_on(page) -> None:
    """Watch the page's context when the current test is watched (flows_support.sign_in)."""
    if WATCHING["on"]:
        axe_watch(page)


# Whether the current test is watched (conftest's axe_checked fixture sets it).
WATCHING = {"on": False}


def axe_watch(page_or_context) -> AxeWatch:
    """The watcher of a page's browser context (or of a context), started on first use."""
    context = getattr(page_or_context, "context", page_or_context)
    return getattr(context, "_axe_watch", None) or AxeWatch(context)


def check(page, label: str = "") -> list[dict]:
    return axe_watch(page.context).check(page, label)


def watches_finish() -> str:
    """Finish every watcher and forget them; the report of what blocks ("" if nothing)."""
    found: dict[str, list[dict]] = {}
    for watch in WATCHES:
        try:
            watch.finish()
        except Exception as error:  # a closed context: its pages were checked on the way
            if "closed" not in str(error):
                raise
        for where, items in watch.found.items():
            found.setdefault(where, []).extend(items)
    WATCHES.clear()
    return report(found)
