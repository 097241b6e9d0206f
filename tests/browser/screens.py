"""Full-page screenshots of the web UI, for docs/screenshots/ and for reviewing a page.

`save(page, "lead-list")` writes `lead-list.png` at laptop width (1280 px);
`save(page, "lead-page", phone=True)` writes `lead-page-phone.png` at 390 px. Files go to
docs/screenshots/ when FUNNEL_SCREENSHOTS=1 (how the committed images are refreshed);
otherwise to a scratch folder, so an ordinary test run leaves the checkout untouched.
"""

import os
import tempfile
from pathlib import Path

DOCS_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def screenshots_dir() -> Path:
    if os.environ.get("FUNNEL_SCREENSHOTS") == "1":
        directory = DOCS_DIR
    else:
        directory = Path(tempfile.gettempdir()) / "funnel-screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def save(page, name: str, *, phone: bool = False) -> Path:
    """Screenshot the whole page (not just the viewport) and return the file written.
    The viewport is put back afterwards so the test can carry on at its own size."""
    before = page.viewport_size
    # Deferred scripts (the dashboard's plotly.js) must have run, or charts come out blank.
    page.wait_for_load_state("load")
    page.set_viewport_size(PHONE if phone else LAPTOP)
    # A page scrolled by an earlier click would draw its sticky header mid-image.
    page.evaluate("window.scrollTo(0, 0)")
    # Let layout settle after a resize (folded menu, scrolling tables, charts redrawn).
    page.wait_for_timeout(250)
    path = screenshots_dir() / f"{name}{'-phone' if phone else ''}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    if before:
        page.set_viewport_size(before)
    return path
