from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    # Each app owns its pages in <app>/urls.py.
    path("marketing/", include("marketing.urls")),
    path("sales/", include("sales.urls")),
    path("integrations/", include("integrations.urls")),
    path("leads/", include("leads.urls")),
    path("", include("funnel.urls")),
]
