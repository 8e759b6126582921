"""``/api/v1/webhooks``: a subscriber's webhook endpoints and their delivery log, thin over
``delivery.actions`` (the account page of the portal uses the same actions)."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

from metalstat.api.formats import json_response
from metalstat.api.problems import Problem, not_found
from metalstat.api.routes import Context, api, json_body
from metalstat.delivery.actions import do_disable_webhook, do_register_webhook
from metalstat.delivery.models import DeliveryAttempt, Webhook
from metalstat.subscriptions.models import Subscriber

RECENT = 50


def _subscriber(ctx: Context) -> Subscriber:
    found = Subscriber.objects.filter(user=ctx.caller.user).first()
    if found is None:
        raise Problem(403, "webhooks belong to a subscriber; this key's user reads for no organisation")
    return found


def _hook(hook: Webhook, *, secret: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": hook.pk,
        "url": hook.url,
        "active": hook.active,
        "created_at": hook.created_at,
        "consecutive_failures": hook.consecutive_failures,
        "disabled_at": hook.disabled_at,
        "disabled_reason": hook.disabled_reason,
    }
    if secret:
        out["secret"] = hook.secret
    return out


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@api.get("/webhooks", summary="Your webhook endpoints", tags=["account"])
def list_webhooks(request: HttpRequest) -> HttpResponse:
    ctx = Context(request, ())
    hooks = Webhook.objects.filter(subscriber=_subscriber(ctx), deleted_at=None).order_by("pk")
    return ctx.log(_no_store(json_response({"ok": True, "webhooks": [_hook(h) for h in hooks]})))


_URL_BODY = json_body({"url": {"type": "string", "description": "https:// on a public address"}}, required=["url"])


@api.post("/webhooks", summary="Register a webhook endpoint", tags=["account"], openapi_extra=_URL_BODY)
def register_webhook(request: HttpRequest) -> HttpResponse:
    """Body ``{"url": "https://…"}``. The answer carries the signing secret (Standard
    Webhooks, ``whsec_…``); calls carry identifiers and links, never figures."""
    ctx = Context(request, ())
    subscriber = _subscriber(ctx)
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise Problem(400, 'the body is not JSON: send {"url": "https://…"}') from None
    url = body.get("url") if isinstance(body, dict) else None
    if not isinstance(url, str) or not url.strip():
        raise Problem(400, 'give the endpoint as {"url": "https://…"}', invalid_params=[{"name": "url"}])
    try:
        hook = do_register_webhook(subscriber, url, actor=ctx.caller.user)
    except ValidationError as exc:
        reasons = exc.message_dict.get("url", exc.messages)
        raise Problem(400, "; ".join(reasons), invalid_params=[{"name": "url", "reason": "; ".join(reasons)}]) from None
    response = json_response({"ok": True, "webhook": _hook(hook, secret=True)}, status=201)
    return ctx.log(_no_store(response))


def _own(ctx: Context, webhook_id: int) -> Webhook:
    subscriber = _subscriber(ctx)
    if not 0 < webhook_id < 2**63:
        raise not_found(f"webhook {webhook_id}")
    hook = Webhook.objects.filter(pk=webhook_id, subscriber=subscriber, deleted_at=None).first()
    if hook is None:
        raise not_found(f"webhook {webhook_id}")
    return hook


@api.delete("/webhooks/{webhook_id}", summary="Turn a webhook endpoint off", tags=["account"])
def delete_webhook(request: HttpRequest, webhook_id: int) -> HttpResponse:
    ctx = Context(request, ())
    hook = do_disable_webhook(_own(ctx, webhook_id), actor=ctx.caller.user)
    return ctx.log(_no_store(json_response({"ok": True, "webhook": _hook(hook)})))


@api.get("/webhooks/{webhook_id}/deliveries", summary="A webhook's delivery log", tags=["account"])
def webhook_deliveries(request: HttpRequest, webhook_id: int) -> HttpResponse:
    """Every attempt of the latest calls: release, attempt number, time, outcome, detail."""
    ctx = Context(request, ())
    hook = _own(ctx, webhook_id)
    attempts = (
        DeliveryAttempt.objects.filter(delivery__webhook=hook)
        .select_related("delivery")
        .order_by("-at", "-pk")[:RECENT]
    )
    log = [
        {
            "delivery": a.delivery.key,
            "release_at": a.delivery.release_at,
            "status": a.delivery.status,
            "attempt": a.number,
            "at": a.at,
            "outcome": a.outcome,
            "detail": a.detail,
        }
        for a in attempts
    ]
    return ctx.log(_no_store(json_response({"ok": True, "webhook": _hook(hook), "attempts": log})))
