"""Load at start-up what Django would otherwise load on a process's first request.

Django imports the URL configuration, and with it every view, API and drf-spectacular
module, only when the first request arrives; it builds the resolver's tables and imports
DRF's configured classes then too. That made the first request of each gunicorn worker
take 0.6-2.4 s. `config/wsgi.py` calls `warm_up()` after creating the application, so with
gunicorn's --preload the master pays once before forking, and every worker (and the
`make run` web process) answers its first request like its hundredth. Nothing here
touches the database: a connection opened before the fork would be shared by workers.
"""

from django.urls import get_resolver, reverse
from rest_framework.settings import api_settings


def warm_up() -> None:
    get_resolver().url_patterns  # noqa: B018 - imports every urls.py and what they name
    reverse("home")  # builds the resolver's lookup tables
    for name in api_settings.import_strings:
        getattr(api_settings, name, None)
