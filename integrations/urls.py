from django.urls import path

from integrations.api_keys import views as api_keys_views
from integrations.webhooks import views as webhook_views

app_name = "integrations"

# The Integrations area (managers). Each section registers its tab in sections.py.
urlpatterns = [
    path("", api_keys_views.integrations_index, name="index"),
    # API keys (integrations/api_keys/views.py)
    path("api-keys/", api_keys_views.api_keys, name="api_keys"),
    path("api-keys/<int:pk>/revoke/", api_keys_views.api_key_revoke_view, name="api_key_revoke"),
    # Webhooks (integrations/webhooks/views.py)
    path("webhooks/", webhook_views.webhook_list, name="webhooks"),
    path("webhooks/new/", webhook_views.webhook_create, name="webhook_create"),
    path("webhooks/<int:pk>/", webhook_views.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:pk>/edit/", webhook_views.webhook_edit, name="webhook_edit"),
    path(
        "webhooks/<int:pk>/roll-secret/",
        webhook_views.webhook_roll_secret,
        name="webhook_roll_secret",
    ),
    path("webhooks/<int:pk>/delete/", webhook_views.webhook_delete, name="webhook_delete"),
    path("webhooks/<int:pk>/test/", webhook_views.webhook_send_test, name="webhook_send_test"),
    path(
        "webhooks/<int:pk>/deliveries/<int:delivery_id>/",
        webhook_views.webhook_delivery_view,
        name="webhook_delivery",
    ),
    path(
        "webhooks/<int:pk>/deliveries/<int:delivery_id>/replay/",
        webhook_views.webhook_delivery_replay,
        name="webhook_delivery_replay",
    ),
]
