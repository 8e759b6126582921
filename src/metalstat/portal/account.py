"""What the account page shows of a subscriber's delivery settings: their alerts (with the
products their entitlements cover, the only ones they may follow) and their webhook
endpoints with the latest attempts from the delivery log. Reads only; the writes are
``delivery.actions``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from metalstat.catalog import load_catalog
from metalstat.delivery.models import AlertLanguage, AlertPreference, DeliveryAttempt, Webhook
from metalstat.portal.pages import Reader
from metalstat.report.language import Language
from metalstat.subscriptions.models import Subscriber

ATTEMPTS_SHOWN = 3  # per endpoint
ATTEMPTS_READ = 50  # across the subscriber's endpoints, newest first: one bounded query


@dataclass
class Alerts:
    email: bool
    language: str
    following: set[str]  # empty: every entitled product
    products: list[tuple[str, str]]  # (code, name) the reader's entitlements cover
    has_feed: bool  # a personal feed token was issued (only its digest is kept)
    languages: list[tuple[str, str]] = field(default_factory=lambda: list(AlertLanguage.choices))


@dataclass
class Endpoint:
    hook: Webhook
    attempts: list[DeliveryAttempt]


def subscriber_of(user: Any) -> Subscriber | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Subscriber.objects.filter(user_id=user.pk).first()


def followable(reader: Reader, lang: Language) -> list[tuple[str, str]]:
    """The catalog products the reader's entitlements cover, in catalog order."""
    return [(p.code, lang.product_name(p)) for p in load_catalog() if reader.entitled(p.code)]


def alerts_of(subscriber: Subscriber, reader: Reader, lang: Language) -> Alerts:
    pref = AlertPreference.objects.filter(subscriber=subscriber).first() or AlertPreference(subscriber=subscriber)
    return Alerts(
        email=pref.email,
        language=pref.language,
        following=set(pref.products),
        products=followable(reader, lang),
        has_feed=bool(pref.feed_digest),
    )


def endpoints_of(subscriber: Subscriber) -> list[Endpoint]:
    """Every endpoint (active or not) with its latest attempts: two queries, whatever the number."""
    hooks = list(Webhook.objects.filter(subscriber=subscriber).order_by("-active", "created_at", "pk"))
    recent: dict[int, list[DeliveryAttempt]] = defaultdict(list)
    attempts = (
        DeliveryAttempt.objects.filter(delivery__webhook__subscriber=subscriber)
        .select_related("delivery__release")
        .order_by("-at", "-pk")[:ATTEMPTS_READ]
    )
    for a in attempts if hooks else ():
        shown = recent[a.delivery.webhook_id or 0]
        if len(shown) < ATTEMPTS_SHOWN:
            shown.append(a)
    return [Endpoint(h, recent.get(h.pk, [])) for h in hooks]
