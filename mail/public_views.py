"""The public endpoints a message's links reach, without login: unsubscribe (RFC 8058
one-click POST, or a person's GET then POST), click redirects and the open pixel. Each is
throttled per client address, answers a forged token with 404, and records at most once."""

import base64

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from funnel.throttling import client_ip, parse_rate, window_count
from mail import events, services, tokens
from mail.models import Message

# A transparent 1x1 GIF.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _throttled(request) -> bool:
    limit, period = parse_rate(settings.MAIL_PUBLIC_RATE)
    count, _ = window_count(
        key=f"mail:{client_ip(request)}", period=period, now=timezone.now().timestamp()
    )
    return count > limit


def _too_many() -> HttpResponse:
    return HttpResponse("Too many requests; try again in a minute.", status=429)


def _message(token: str, salt: str) -> tuple[Message, object]:
    value = tokens.read(token, salt)
    pk = value[0] if isinstance(value, list) and value else value
    if not isinstance(pk, int) or isinstance(pk, bool):
        raise Http404
    message = Message.objects.filter(pk=pk).first()
    if message is None:
        raise Http404
    return message, value


@csrf_exempt  # mailbox providers POST "List-Unsubscribe=One-Click" without our cookie
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    if _throttled(request):
        return _too_many()
    message, _ = _message(token, tokens.UNSUBSCRIBE_SALT)
    if request.method == "POST":
        services.message_unsubscribe(message=message)
        return render(request, "mail/unsubscribed.html", {"email": message.to_email})
    # A GET only asks: link scanners fetch every link, and must not unsubscribe anyone.
    return render(request, "mail/unsubscribe.html", {"email": message.to_email})


@require_http_methods(["GET"])
def click(request, token: str):
    if _throttled(request):
        return _too_many()
    message, value = _message(token, tokens.CLICK_SALT)
    url = value[1] if len(value) > 1 else ""
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise Http404
    now = timezone.now()
    if not events.is_bot(message=message, at=now, user_agent=request.headers.get("User-Agent", "")):
        events.message_event(message=message, event="clicked", at=now)
    return HttpResponseRedirect(url)


@require_http_methods(["GET"])
def open_pixel(request, token: str):
    if not _throttled(request):
        value = tokens.read(token, tokens.OPEN_SALT)
        message = Message.objects.filter(pk=value).first() if isinstance(value, int) else None
        now = timezone.now()
        if message is not None and not events.is_bot(
            message=message, at=now, user_agent=request.headers.get("User-Agent", "")
        ):
            events.message_event(message=message, event="opened", at=now)
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store"
    return response
