"""plotly.js, served through Django's staticfiles from the pinned `plotly` package.

The file ships inside the PyPI package (plotly/package_data/plotly.min.js); this finder
exposes exactly that file as `plotly/plotly.min.js`, so `{% static %}`, collectstatic and
WhiteNoise treat it like any other static file and nothing is copied into the repository.
"""

from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_JS = "plotly/plotly.min.js"


def _package_data() -> Path:
    import plotly

    return Path(plotly.__file__).resolve().parent / "package_data"


class PlotlyFinder(BaseFinder):
    def find(self, path, find_all=False, **kwargs):
        if path != PLOTLY_JS:
            return []
        found = str(_package_data() / "plotly.min.js")
        return [found] if find_all or kwargs.get("all") else found

    def list(self, ignore_patterns):
        storage = FileSystemStorage(location=_package_data())
        # collectstatic and WhiteNoise place the file under this prefix.
        storage.prefix = "plotly"
        yield "plotly.min.js", storage
