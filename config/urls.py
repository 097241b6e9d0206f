from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    # Each app owns its pages in <app>/urls.py.
    path("marketing/", include("marketing.urls")),
    path("sales/", include("sales.urls")),
    path("integrations/", include("integrations.urls")),
    path("leads/bulk/", include("lists.urls")),
    path("leads/", include("leads.urls")),
    path("search/", include("search.urls")),
    path("rates/", include("currencies.urls")),
    path("mail/", include("mail.urls")),
    path("", include("funnel.urls")),
]

# JSON under /api/, Django's pages elsewhere (funnel/api_errors.py).
handler400 = "funnel.api_errors.handler400"
handler403 = "funnel.api_errors.handler403"
handler404 = "funnel.api_errors.handler404"
handler500 = "funnel.api_errors.handler500"
