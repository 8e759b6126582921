"""The answers of the data API, as frames, before any format: one request's parameters
checked, the series it names resolved against what the caller may see, and the
observations as known at the moment asked for.

Every data answer goes through :func:`resolve` and :func:`observations`, so the embargo
(``releases.queries``), the entitlements (``subscriptions.entitlements``) and confidentiality
are applied the same way in every route and every format.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
from django.conf import settings
from django.utils import timezone

from metalstat.api.formats import SUFFIX_FORMAT
from metalstat.api.problems import Problem, not_found
from metalstat.releases.queries import (
    SERIES_KEY,
    VIEWS,
    NotVisible,
    current_series_state,
    release_by_id,
    release_id,
    series_observations,
)
from metalstat.releases.series import SeriesKeyError, parse_pattern
from metalstat.releases.transforms import TRANSFORMS, prefer_published, transform
from metalstat.subscriptions.entitlements import Entitlements, group_of, readable_release_figures, within_history

MAX_SERIES = 500  # series in one data answer
OBS_DEFAULTS = ("as_of", "view", "transform", "start", "end", "shape")  # echoed back


def strict(params: Mapping[str, Any], allowed: Iterable[str]) -> None:
    """An unknown query parameter is an error that names the valid ones, never ignored."""
    valid = sorted(set(allowed) | {"api_key"})
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise Problem(
            400,
            f"unknown parameter(s) {', '.join(unknown)}; this endpoint takes {', '.join(valid)}",
            invalid_params=[{"name": n, "reason": "unknown parameter"} for n in unknown],
            valid_params=valid,
        )


def parse_format(suffix: str | None) -> str:
    if not suffix:
        return "json"
    fmt = SUFFIX_FORMAT.get(suffix)
    if fmt is None:
        raise Problem(406, f"no format .{suffix}; one of .{', .'.join(SUFFIX_FORMAT)}")
    return fmt


@dataclass(frozen=True)
class AsOf:
    """The moment an answer is about: None for now (the latest), else a time."""

    moment: datetime | None
    label: str
    pinned: bool = False  # a release ID: the answer can never change


def parse_as_of(text: str | None, *, preview: bool) -> AsOf:
    """A timestamp (ISO 8601; without a zone, the release time zone), a date (its end, in
    the release time zone) or a release ID (``2025-06.v1``: the moment it went live)."""
    if not text:
        return AsOf(None, "latest")
    zone = ZoneInfo(settings.TIME_ZONE)
    if ".v" in text:
        try:
            release = release_by_id(text, preview=preview)
        except NotVisible:
            raise not_found(f"release {text}") from None
        assert release.release_at is not None
        return AsOf(release.release_at, release_id(release), pinned=True)
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day + timedelta(days=1), time.min, zone) - timedelta(microseconds=1)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if timezone.is_naive(moment):
                moment = moment.replace(tzinfo=zone)
    except ValueError:
        raise Problem(
            400,
            f"as_of {text!r} is not a timestamp (2025-05-31T23:59:59+08:00), a date "
            "(2025-05-31) or a release ID (2025-05.v1)",
            invalid_params=[{"name": "as_of", "reason": "not a moment"}],
        ) from None
    return AsOf(moment, moment.isoformat())


@dataclass
class Resolved:
    """The series a request names that the caller may read, and those they may not."""

    index: pl.DataFrame  # rows of series_index
    not_entitled: list[dict[str, str]] = field(default_factory=list)
    signature: str | None = None  # the public releases answering (None: a preview)
    next_release_at: datetime | None = None  # the next scheduled release time, if any


def resolve(key: str, ent: Entitlements, *, preview: bool, fmt: str | None = "json", single: bool = False) -> Resolved:
    """The series of ``key`` (an ID or a pattern) the caller may read (in format ``fmt``;
    None: read on screen, where a grant's formats, which limit downloads, do not apply).

    A series not yet public is not found, exactly as one that does not exist. One the caller
    is not entitled to is refused (403) when asked by its ID, and listed as not entitled when
    a pattern also matches others.
    """
    try:
        pattern = parse_pattern(key)
    except SeriesKeyError as exc:
        raise Problem(400, str(exc), invalid_params=[{"name": "key", "reason": str(exc)}]) from None
    if single and not pattern.is_single:
        raise Problem(400, f"{key!r} is a pattern; this endpoint takes one series ID (use /data)")
    state = current_series_state(preview=preview)
    idx = state.index
    if pattern.is_single:
        at = _positions(idx).get(key)
        matched = idx.slice(at, 1) if at is not None else idx.clear()
    else:
        matched = idx.filter(pl.col("series_id").str.contains(pattern.regex))
    if matched.is_empty():
        raise not_found(f"series {key}")
    allowed, refused = [], []
    for row in matched.iter_rows(named=True):
        sid, product = row["series_id"], row["product"]
        if not ent.covers(sid, product):
            refused.append({"series_id": sid, "group": group_of(product)})
        elif fmt is not None and not ent.allows_format(sid, product, fmt):
            refused.append({"series_id": sid, "group": group_of(product), "format": fmt})
        else:
            allowed.append(row["series_id"])
    if not allowed:
        first = refused[0]
        why = (
            f"your subscriptions do not include the {fmt} format for {first['series_id']}"
            if "format" in first
            else f"{first['series_id']} is not in your subscriptions: it belongs to the "
            f"catalog group {first['group']!r}; a subscription to that group covers it"
        )
        raise Problem(403, why, not_entitled=refused[:50])
    if len(allowed) > MAX_SERIES:
        raise Problem(400, f"{key!r} names {len(allowed)} series; at most {MAX_SERIES} a request")
    if refused:
        matched = matched.filter(pl.col("series_id").is_in(allowed))
    return Resolved(matched, refused, state.signature, state.next_release_at)


_POSITIONS: list[tuple[pl.DataFrame, dict[str, int]]] = []  # the last index seen and its rows by ID


def _positions(idx: pl.DataFrame) -> dict[str, int]:
    """Each series ID's row in ``idx``, kept for the index last asked about: one series of
    the public index is then a slice, not a scan of every ID (most requests name one)."""
    kept = _POSITIONS[0] if _POSITIONS else None
    if kept is not None and kept[0] is idx:
        return kept[1]
    found = {sid: i for i, sid in enumerate(idx["series_id"].to_list())}
    _POSITIONS[:] = [(idx, found)]
    return found


def observations(
    resolved: Resolved,
    ent: Entitlements,
    *,
    as_of: AsOf,
    view: str,
    transform_name: str | None,
    start: str | None,
    end: str | None,
    preview: bool,
) -> pl.DataFrame:
    """The observations of the resolved series, one row per output row (COLUMNS and more)."""
    if view not in VIEWS:
        raise Problem(400, f"view must be one of {', '.join(VIEWS)}")
    for name, value in (("start", start), ("end", end)):
        if value is not None and not _is_month(value):
            raise Problem(400, f"{name} {value!r} is not a month (YYYY-MM)")
    keys = resolved.index.select(*SERIES_KEY, "series_id")
    if transform_name is not None:
        if transform_name not in TRANSFORMS:
            raise Problem(400, f"transform must be one of {', '.join(TRANSFORMS)}")
        if (keys["statistic"] != "level").any():
            raise Problem(400, "a transform applies to level series (statistic LEVEL) only")
        rows = _transformed(keys, transform_name, as_of, view, preview)
    else:
        rows = series_observations(keys, as_of=as_of.moment, view=view, preview=preview)
    rows = rows.join(keys, on=list(SERIES_KEY), how="inner")
    rows = within_history(rows, resolved.index, ent)
    if start:
        rows = rows.filter(pl.col("month") >= start)
    if end:
        rows = rows.filter(pl.col("month") <= end)
    return rows.sort("series_id", "month", "realtime_start", "vintage")


def _is_month(text: str) -> bool:
    return len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit()


def _transformed(keys: pl.DataFrame, name: str, as_of: AsOf, view: str, preview: bool) -> pl.DataFrame:
    statistic = TRANSFORMS[name][0]
    levels = series_observations(keys, as_of=as_of.moment, view="all", preview=preview)
    engine_keys = keys.with_columns(statistic=pl.lit(statistic))
    published = series_observations(engine_keys, as_of=as_of.moment, view="all", preview=preview)
    computed = prefer_published(transform(levels, name), published)
    # back to the level's key so the answer joins its series; the view as for any series
    frame = computed.with_columns(statistic=pl.lit("level")).sort([*SERIES_KEY, "month", "realtime_start", "vintage"])
    group = [*SERIES_KEY, "month"]
    if view == "latest":
        return frame.filter(pl.col("realtime_end").is_null())
    if view == "first":
        return frame.unique(subset=group, keep="first", maintain_order=True)
    if view == "revisions":
        previous = pl.col("value").shift(1).over(group)
        first = pl.int_range(pl.len()).over(group) == 0
        return frame.filter(first | pl.col("value").ne_missing(previous))
    return frame


def output_rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """The rows of a long answer in the COLUMNS shape."""
    out = []
    for r in frame.iter_rows(named=True):
        out.append(
            {
                "series_id": r["series_id"],
                "period": r["month"],
                "value": r["value"],
                "obs_status": r["status"],
                "conf_status": r["conf_status"],
                "unit": r["unit"],
                "release": f"{r['release_period']}.v{r['vintage']}",
                "realtime_start": r["realtime_start"],
                "realtime_end": r["realtime_end"],
            }
        )
    return out


def releases_answering(frame: pl.DataFrame) -> list[str]:
    pairs = frame.select("release_period", "vintage").unique().sort("release_period", "vintage")
    return [f"{p}.v{v}" for p, v in pairs.iter_rows()]


def bulk(release_text: str, ent: Entitlements, *, preview: bool) -> tuple[Any, pl.DataFrame]:
    """Every figure of one vintage the caller may read (a public release, or an embargoed
    one for a preview), in the rows of a long answer; suppressed values empty."""
    try:
        release = release_by_id(release_text, preview=preview)
    except NotVisible:
        raise not_found(f"release {release_text}") from None
    frame = readable_release_figures(release, ent, preview=preview)
    if frame.is_empty():
        raise Problem(403, f"none of the series of {release_text} is in your subscriptions")
    return release, frame
