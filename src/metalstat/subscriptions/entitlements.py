"""What a caller may read: the entitlement half of the gate.

Analysts may read everything (and preview embargoed vintages on explicit request); a
subscriber reads the series their organisation's current subscriptions grant, as far back
and in the formats those grants allow; anyone else reads nothing. Grants only ever add up: a
series is entitled when one grant covers it, never because two are combined.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db.models import Q
from django.utils import timezone

from metalstat.catalog import load_catalog
from metalstat.releases.queries import is_analyst
from metalstat.releases.series import Pattern, parse_pattern, series_id
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


def may_preview(user: Any) -> bool:
    """Whether ``user`` may see embargoed vintages on explicit request: an analyst with the
    ``subscriptions.preview_embargoed`` permission (the data API's ``preview=1`` and the
    portal's preview banner)."""
    return is_analyst(user) and bool(user.has_perm("subscriptions.preview_embargoed"))


def within_history(rows: pl.DataFrame, idx: pl.DataFrame, ent: Entitlements) -> pl.DataFrame:
    """Only the months the reader's subscription reaches back to, from each series' last.

    ``rows`` have ``series_id`` and ``month`` columns; ``idx`` has one row per series with
    ``series_id``, ``product`` and ``last`` (its last month)."""
    limits = []
    for row in idx.iter_rows(named=True):
        months = ent.history_months(row["series_id"], row["product"])
        if months is not None:
            year, month = int(row["last"][:4]), int(row["last"][5:7])
            i = year * 12 + month - 1 - (months - 1)
            limits.append((row["series_id"], f"{i // 12:04d}-{i % 12 + 1:02d}"))
    if not limits:
        return rows
    floor = pl.DataFrame(limits, schema={"series_id": pl.Utf8, "_from": pl.Utf8}, orient="row")
    return (
        rows.join(floor, on="series_id", how="left")
        .filter(pl.col("_from").is_null() | (pl.col("month") >= pl.col("_from")))
        .drop("_from")
    )


def readable_release_figures(
    release: Any,
    ent: Entitlements,
    *,
    preview: bool,
    periods: list[str] | None = None,
    selection: dict[str, Any] | None = None,
) -> pl.DataFrame:
    """Every figure of one vintage the reader may read: a public release (or, with
    ``preview``, an embargoed one; NotVisible otherwise), only the series their entitlements
    cover, as far back as they reach, with suppressed and withheld values empty (``periods``
    and ``selection`` narrow it as in ``releases.queries.release_figures``). FIGURES
    columns plus ``series_id``, ``month``, ``release_period``, ``vintage``,
    ``realtime_start``, ``realtime_end``."""
    from metalstat.releases.queries import COMMAND_LINE, release_figures
    from metalstat.releases.serializers import is_hidden

    frame = release_figures(release, user=COMMAND_LINE if preview else None, periods=periods, selection=selection)
    sids = [series_id(*r) for r in frame.select("product", "kind", "measure", "breakdown", "statistic").iter_rows()]
    hidden = [is_hidden(c, s) for c, s in frame.select("conf_status", "status").iter_rows()]
    frame = frame.with_columns(
        series_id=pl.Series(sids, dtype=pl.Utf8),
        value=pl.when(pl.Series(hidden, dtype=pl.Boolean)).then(None).otherwise(pl.col("value")),
        month=pl.col("period").str.split("..").list.last(),
        release_period=pl.lit(f"{release.period:%Y-%m}"),
        vintage=pl.lit(release.vintage),
        realtime_start=pl.lit(release.release_at),
        realtime_end=pl.lit(None, pl.Datetime("us", "UTC")),
    )
    allowed = [
        sid for sid, product in frame.select("series_id", "product").unique().iter_rows() if ent.covers(sid, product)
    ]
    frame = frame.filter(pl.col("series_id").is_in(allowed))
    idx = frame.group_by("series_id", "product").agg(last=pl.col("month").max()).select("series_id", "product", "last")
    return within_history(frame, idx, ent).sort("series_id", "month")
