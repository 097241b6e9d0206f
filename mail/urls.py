from functools import wraps

from anymail import urls as anymail_urls
from django.http import HttpResponseBadRequest
from django.urls import include, path

from mail import public_views, views, views_reports, views_sends, views_templates

app_name = "mail"


def _bad_input_is_400(view):
    """anymail answers a bad signature 400 itself; a payload it cannot parse raised a 500."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (ValueError, KeyError, TypeError, AttributeError, IndexError):
            return HttpResponseBadRequest("Unreadable webhook payload.")

    return wrapped


for _pattern in anymail_urls.urlpatterns:
    _pattern.callback = _bad_input_is_400(_pattern.callback)

urlpatterns = [
    path("outbox/", views.outbox, name="outbox"),
    path("suppressions/", views.suppressions, name="suppressions"),
    path("suppressions/<int:pk>/remove/", views.suppression_remove, name="suppression_remove"),
    path("leads/<int:pk>/compose/", views.compose, name="compose"),
    path("messages/<int:pk>/replied/", views.mark_replied, name="mark_replied"),
    path("enrolments/<int:pk>/replied/", views.enrolment_replied, name="enrolment_replied"),
    path("templates/", views_templates.template_list, name="template_list"),
    path("templates/new/", views_templates.template_edit, name="template_create"),
    path("templates/<int:pk>/", views_templates.template_edit, name="template_edit"),
    path("templates/preview/", views_templates.template_preview, name="template_preview"),
    path("sequences/", views_reports.sequence_list, name="sequence_list"),
    path("sequences/<int:pk>/", views_reports.sequence_report, name="sequence_report"),
    path("sends/", views_sends.send_list, name="send_list"),
    path("sends/new/", views_sends.send_create, name="send_create"),
    path("sends/<int:pk>/", views_sends.send_detail, name="send_detail"),
    path("u/<str:token>/", public_views.unsubscribe, name="unsubscribe"),
    path("c/<str:token>/", public_views.click, name="click"),
    path("o/<str:token>.gif", public_views.open_pixel, name="open"),
    path("webhooks/", include((anymail_urls.urlpatterns, "anymail"))),
]
