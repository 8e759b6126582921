"""The delivery's pages: thin over ``calendar``, ``feeds`` and ``actions``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.template.loader import render_to_string
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from metalstat.delivery.actions import do_unsubscribe
from metalstat.delivery.calendar import calendar_ics
from metalstat.delivery.mail import subscriber_of_unsubscribe
from metalstat.subscriptions.models import Subscriber


def calendar_view(request: HttpRequest) -> HttpResponse:  # noqa: ARG001 (a view)
    response = HttpResponse(calendar_ics(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="metalstat.ics"'
    response["Cache-Control"] = "public, max-age=60"
    return response


# The signed token in the link is the authentication (one-click unsubscribe, RFC 8058, posts
# from the mail client without a session).
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    subscriber_id = subscriber_of_unsubscribe(token)
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first() if subscriber_id else None
    if subscriber is None:
        return HttpResponseNotFound("This unsubscribe link is not valid.", content_type="text/plain; charset=utf-8")
    done = False
    if request.method == "POST":
        do_unsubscribe(subscriber, actor=f"unsubscribe link ({subscriber.user.get_username()})")
        done = True
    page = render_to_string("delivery/unsubscribe.html", {"done": done, "action": request.path})
    response = HttpResponse(page)
    response["Cache-Control"] = "no-store"
    return response
