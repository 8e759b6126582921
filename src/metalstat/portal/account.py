"""What the account page shows of a subscriber's delivery settings: their alerts (with the
products their entitlements cover, the only ones they may follow) and their webhook
endpoints with the latest attempts from the delivery log. Reads only; the writes are
``delivery.actions``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from metalstat.catalog import load_catalog
from metalstat.delivery.models import AlertLanguage, AlertPreference, DeliveryAttempt, Webhook
from metalstat.portal.delivery_texts import outcome_label, translated
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


@dataclass(frozen=True)
class Attempt:
    """One attempt of the delivery log as the page prints it, in the reader's language."""

    at: datetime
    release: str  # its release ID
    number: int
    outcome: str  # the AttemptOutcome code (the page's class)
    label: str  # the outcome in the reader's language
    detail: str  # delivery's detail in the reader's language (delivery_texts)


@dataclass
class Endpoint:
    hook: Webhook
    attempts: list[Attempt]
    reason: str = ""  # why it is off, in the reader's language


def _shown(a: DeliveryAttempt) -> Attempt:
    release = a.delivery.release
    return Attempt(
        at=a.at,
        release=f"{release.period:%Y-%m}.v{release.vintage}",
        number=a.number,
        outcome=a.outcome,
        label=outcome_label(a.outcome),
        detail=translated(a.detail) if a.detail else "",
    )


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
    """Every endpoint (on or off; not the deleted) with its latest attempts: two queries,
    whatever the number."""
    hooks = list(Webhook.objects.filter(subscriber=subscriber, deleted_at=None).order_by("-active", "created_at", "pk"))
    recent: dict[int, list[Attempt]] = defaultdict(list)
    attempts = (
        DeliveryAttempt.objects.filter(delivery__webhook__subscriber=subscriber, delivery__webhook__deleted_at=None)
        .select_related("delivery__release")
        .order_by("-at", "-pk")[:ATTEMPTS_READ]
    )
    for a in attempts if hooks else ():
        shown = recent[a.delivery.webhook_id or 0]
        if len(shown) < ATTEMPTS_SHOWN:
            shown.append(_shown(a))
    return [
        Endpoint(h, recent.get(h.pk, []), translated(h.disabled_reason) if h.disabled_reason else "") for h in hooks
    ]
