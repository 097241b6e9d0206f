"""Headless Chromium for the browser tests: Debian's /usr/bin/chromium (no downloads here).

Every test in this folder is skipped with that reason where the binary is absent.
"""

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason=f"headless Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    # A laptop-sized window; tests that need a phone resize the page themselves.
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}}


@pytest.fixture(autouse=True)
def axe_checked(request):
    """axe-core on every page a browser test visits (tests/browser/axe.py): a critical or
    serious violation fails the test when it ends, listing the pages and elements."""
    from tests.browser.axe import WATCHES, WATCHING, axe_watch, watches_finish

    WATCHES.clear()
    WATCHING["on"] = not request.node.get_closest_marker("no_axe")
    if "page" in request.fixturenames and WATCHING["on"]:
        if "live_server" in request.fixturenames:
            # Set up first so it ends later: pages missed are opened again with the data.
            request.getfixturevalue("live_server")
        axe_watch(request.getfixturevalue("page").context)
    yield
    WATCHING["on"] = False
    found = watches_finish()
    if found:
        pytest.fail("axe-core found critical or serious violations:\n" + found, pytrace=False)
