import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
application = get_wsgi_application()

# After the application: settings are configured and apps are loaded.
from config.warmup import warm_up  # noqa: E402

warm_up()
