"""What a caller may read: the entitlement half of the gate.

Analysts may read everything (and preview embargoed vintages on explicit request); a
subscriber reads the series their organisation's current subscriptions grant, as far back
and in the formats those grants allow; anyone else reads nothing. Grants only ever add up: a
series is entitled when one grant covers it, never because two are combined.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from metalstat.catalog import load_catalog
from metalstat.releases.queries import is_analyst
from metalstat.releases.series import Pattern, parse_pattern
from metalstat.subscriptions.models import Subscriber, Subscription


@dataclass(frozen=True)
class Grant:
    subscription: str
    groups: frozenset[str]  # catalog chain groups or product codes
    patterns: tuple[Pattern, ...]
    history_months: int | None  # None: all history
    formats: frozenset[str]  # empty: every format

    def covers(self, sid: str, product: str) -> bool:
        group = _group_of(product)
        return product in self.groups or group in self.groups or any(p.matches(sid) for p in self.patterns)


@dataclass(frozen=True)
class Entitlements:
    analyst: bool
    organisation: str | None
    grants: tuple[Grant, ...]

    def grants_for(self, sid: str, product: str) -> list[Grant]:
        return [g for g in self.grants if g.covers(sid, product)]

    def covers(self, sid: str, product: str) -> bool:
        return self.analyst or bool(self.grants_for(sid, product))

    def history_months(self, sid: str, product: str) -> int | None:
        """How many months back the caller may read the series (None: all)."""
        if self.analyst:
            return None
        depths = [g.history_months for g in self.grants_for(sid, product)]
        limited = [d for d in depths if d is not None]
        return None if len(limited) < len(depths) else max(limited, default=0)

    def allows_format(self, sid: str, product: str, fmt: str) -> bool:
        if self.analyst:
            return True
        return any(not g.formats or fmt in g.formats for g in self.grants_for(sid, product))

    def describe(self) -> list[dict[str, Any]]:
        return [
            {
                "subscription": g.subscription,
                "groups": sorted(g.groups),
                "patterns": [p.text for p in g.patterns],
                "history_months": g.history_months,
                "formats": sorted(g.formats) or "all",
            }
            for g in self.grants
        ]


def _group_of(product: str) -> str:
    try:
        return load_catalog().get(product).group
    except KeyError:
        return ""


NOBODY = Entitlements(analyst=False, organisation=None, grants=())


def entitlements_of(user: Any) -> Entitlements:
    """The caller's entitlements today."""
    if user is None or not getattr(user, "is_authenticated", False):
        return NOBODY
    if is_analyst(user):
        return Entitlements(analyst=True, organisation=None, grants=())
    today = timezone.localdate()
    # One query: the user's organisation's subscriptions in force today.
    subs = list(
        Subscription.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today),
            organisation__subscribers__user=user,
            starts_on__lte=today,
        ).select_related("organisation")
    )
    if not subs:
        member = Subscriber.objects.filter(user=user).select_related("organisation").first()
        if member is None:
            return NOBODY
        return Entitlements(analyst=False, organisation=str(member.organisation), grants=())
    grants = tuple(
        Grant(
            subscription=s.name,
            groups=frozenset(s.groups),
            patterns=tuple(parse_pattern(p) for p in s.patterns),
            history_months=s.history_months,
            formats=frozenset(s.formats),
        )
        for s in subs
    )
    return Entitlements(analyst=False, organisation=str(subs[0].organisation), grants=grants)


def group_of(product: str) -> str:
    """The catalog chain group a product belongs to (what a subscription grants)."""
    return _group_of(product)
