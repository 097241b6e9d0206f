"""Browser packages from npm, served through Django's staticfiles.

`make install` runs `npm ci` against package-lock.json (versions pinned there), so the
files come from a package registry at install time: nothing third-party is committed and
nothing is fetched from a CDN at run time. This finder exposes exactly the files listed
below under `vendor/`, so `{% static %}`, collectstatic and WhiteNoise (compressed) treat
them like any other static file.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

PREFIX = "vendor"
# File (served as vendor/<file>) -> the npm package it ships in, at the package's top.
VENDOR_FILES = {
    # The dashboard charts: bar, scatter and pie only, a quarter of the full plotly.js.
    "plotly-basic.min.js": "plotly.js-basic-dist-min",
    # Drag and drop on the boards.
    "Sortable.min.js": "sortablejs",
}


def _node_modules() -> Path:
    return Path(settings.NODE_MODULES_DIR)


def _source(name: str) -> Path:
    return _node_modules() / VENDOR_FILES[name] / name


class VendorFinder(BaseFinder):
    def check(self, **kwargs):
        missing = [str(_source(name)) for name in VENDOR_FILES if not _source(name).is_file()]
        if not missing:
            return []
        return [
            Error(
                f"Browser packages are not installed: {', '.join(missing)}",
                hint="Run `make install` (it runs `npm ci` from package-lock.json).",
                id="funnel.E010",
            )
        ]

    def find(self, path, find_all=False, **kwargs):
        folder, _, name = path.partition("/")
        if folder != PREFIX or name not in VENDOR_FILES or not _source(name).is_file():
            return []
        found = str(_source(name))
        return [found] if find_all or kwargs.get("all") else found

    def list(self, ignore_patterns):
        for name, package in VENDOR_FILES.items():
            if not _source(name).is_file():
                continue
            storage = FileSystemStorage(location=_node_modules() / package)
            # collectstatic and WhiteNoise place the file under this prefix.
            storage.prefix = PREFIX
            yield name, storage
