from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from funnel.token_login import TokenLoginView

urlpatterns = [
    path("auth/token/", TokenLoginView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file (?script): no inline
    # script for the Content-Security-Policy to refuse.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # Each app owns its routes in <app>/api_urls.py.
    path("", include("leads.api_urls")),
    path("", include("marketing.api_urls")),
    path("", include("sales.api_urls")),
    path("", include("funnel.api_urls")),
    path("", include("integrations.api_urls")),
    path("", include("currencies.api_urls")),
    path("", include("mail.api_urls")),
]
