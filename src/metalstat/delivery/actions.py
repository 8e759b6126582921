"""The only writes of delivery settings: a subscriber's alerts (language, products, e-mail),
their personal feed token, unsubscribing, and webhook endpoints (registered, turned off,
deleted). Atomic and audited; secrets (the feed token) are returned once and only their digest
is stored and logged.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from metalstat.catalog import load_catalog
from metalstat.core.changelog import Actor, record_change, snapshot
from metalstat.core.choices import AuditAction
from metalstat.delivery.models import AlertLanguage, AlertPreference, Webhook
from metalstat.delivery.webhooks import UnsafeEndpoint, check_url, new_secret
from metalstat.subscriptions.models import Subscriber

FEED_PREFIX = "mfeed_"
MAX_WEBHOOKS = 5


SECRET_FIELDS = ("feed_digest", "secret")


def _save(obj: AlertPreference | Webhook, before: dict[str, object] | None, *, actor: Actor) -> None:
    """Save and log the change, without the secrets."""
    obj.full_clean()
    obj.save()
    action = AuditAction.CREATE if before is None else AuditAction.UPDATE
    record_change(obj, action, before=before, after=snapshot(obj, exclude=SECRET_FIELDS), actor=actor)


def feed_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _preferences(subscriber: Subscriber) -> AlertPreference:
    pref = AlertPreference.objects.select_for_update().filter(subscriber=subscriber).first()
    return pref or AlertPreference(subscriber=subscriber)


def _pref_snapshot(pref: AlertPreference) -> dict[str, object] | None:
    return snapshot(pref, exclude=SECRET_FIELDS) if pref.pk else None


@transaction.atomic
def do_set_alert_preferences(
    subscriber: Subscriber,
    *,
    language: str | None = None,
    products: Sequence[str] | None = None,
    email: bool | None = None,
    actor: Actor,
) -> AlertPreference:
    """Set what a subscriber hears at release time; what is not given stays as it was."""
    pref = _preferences(subscriber)
    before = _pref_snapshot(pref)
    if language is not None:
        if language not in AlertLanguage.values:
            raise ValidationError({"language": f"{language!r} is not one of {', '.join(AlertLanguage.values)}"})
        pref.language = language
    if products is not None:
        known = set(load_catalog().codes())
        unknown = sorted(set(products) - known)
        if unknown:
            raise ValidationError({"products": f"not catalog product codes: {', '.join(unknown)}"})
        pref.products = sorted(set(products))
    if email is not None:
        pref.email = email
    _save(pref, before, actor=actor)
    return pref


@transaction.atomic
def do_issue_feed_token(subscriber: Subscriber, *, actor: Actor) -> tuple[AlertPreference, str]:
    """A new read-only token for the subscriber's personal feed (the old one stops working);
    the token is returned now and never again."""
    pref = _preferences(subscriber)
    before = _pref_snapshot(pref)
    token = FEED_PREFIX + secrets.token_urlsafe(24)
    pref.feed_digest = feed_digest(token)
    _save(pref, before, actor=actor)
    return pref, token


@transaction.atomic
def do_unsubscribe(subscriber: Subscriber, *, actor: Actor) -> AlertPreference:
    """No more release e-mail (the feeds and webhooks are not touched)."""
    return do_set_alert_preferences(subscriber, email=False, actor=actor)


@transaction.atomic
def do_register_webhook(subscriber: Subscriber, url: str, *, actor: Actor) -> Webhook:
    """Register an endpoint; refused unless it is HTTPS on a public address (see
    ``delivery.webhooks.check_url``). Registering a disabled endpoint again turns it on."""
    try:
        url = check_url(url)
    except UnsafeEndpoint as exc:
        raise ValidationError({"url": str(exc)}) from None
    hook = Webhook.objects.select_for_update().filter(subscriber=subscriber, url=url, deleted_at=None).first()
    if hook is not None:
        if hook.active:
            return hook
        before = snapshot(hook, exclude=SECRET_FIELDS)
        hook.active = True
        hook.consecutive_failures = 0
        hook.disabled_at = None
        hook.disabled_reason = ""
        _save(hook, before, actor=actor)
        return hook
    if Webhook.objects.filter(subscriber=subscriber, active=True).count() >= MAX_WEBHOOKS:
        raise ValidationError({"url": f"at most {MAX_WEBHOOKS} active endpoints per subscriber"})
    hook = Webhook(subscriber=subscriber, url=url, secret=new_secret())
    _save(hook, None, actor=actor)
    return hook


@transaction.atomic
def do_disable_webhook(hook: Webhook, *, actor: Actor, reason: str = "removed by its owner") -> Webhook:
    locked = Webhook.objects.select_for_update().get(pk=hook.pk)
    if not locked.active:
        return locked
    before = snapshot(locked, exclude=SECRET_FIELDS)
    locked.active = False
    locked.disabled_at = timezone.now()
    locked.disabled_reason = reason[:200]
    _save(locked, before, actor=actor)
    return locked


@transaction.atomic
def do_delete_webhook(subscriber: Subscriber, webhook_id: int, *, actor: Actor) -> Webhook:
    """Delete one of the subscriber's own endpoints (``Webhook.DoesNotExist`` for anyone
    else's, or one already deleted). The row stays, off for good with its secret wiped, so the
    delivery log keeps saying which address each call went to; its owner no longer sees it and
    may register the address again as a new endpoint, with a new secret."""
    hook = Webhook.objects.select_for_update().get(pk=webhook_id, subscriber=subscriber, deleted_at=None)
    before = snapshot(hook, exclude=SECRET_FIELDS)
    now = timezone.now()
    if hook.active:
        hook.active = False
        hook.disabled_at = now
    hook.disabled_reason = "deleted by its owner"
    hook.deleted_at = now
    hook.secret = ""
    hook.full_clean()
    hook.save()
    record_change(hook, AuditAction.DELETE, before=before, after=snapshot(hook, exclude=SECRET_FIELDS), actor=actor)
    return hook
