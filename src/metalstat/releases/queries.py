"""Who sees which figures, and when: embargo, current vintages and figures as of a date.

Public visibility is a point-in-time switch: a published release goes live at its
``release_at``; until then only analysts (staff or members of the analysts group) see it.
None of these queries depends on a job having marked older vintages superseded: "live at
time t" is computed from the release times, so the switch happens exactly at release time.
Vintages stay queryable in the ALFRED manner: :func:`figures_as_of` gives the values as they
were known at any moment, :func:`figure_vintages` every value with its real-time period.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypedDict

import polars as pl
from django.conf import settings
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from metalstat.engine.figures import FIGURES
from metalstat.engine.inputs import month_start
from metalstat.releases.choices import ReleaseStatus
from metalstat.releases.models import Commentary, Figure, Release
from metalstat.releases.serializers import FREE

LIVE_STATUSES = (ReleaseStatus.PUBLISHED.value, ReleaseStatus.SUPERSEDED.value)
FIGURE_KEY = ("product", "kind", "measure", "breakdown", "statistic", "period")
# A selection of figures: a figure period ("2025-05") or filters on the key columns (a list
# value selects any of its items).
Selection = str | Mapping[str, Any] | None

VINTAGE_COLUMNS: dict[str, Any] = {
    "release_period": pl.Utf8,
    "vintage": pl.Int64,
    "realtime_start": pl.Datetime("us", "UTC"),
}


class _CommandLine:
    """The viewer of metalstat's own commands: whoever runs them has the database itself, so
    they see what an analyst sees (drafts, embargoed vintages, suppressed cells)."""

    is_authenticated = True
    is_active = True
    is_staff = True
    is_superuser = False

    def __repr__(self) -> str:
        return "COMMAND_LINE"


COMMAND_LINE: Any = _CommandLine()


class NotVisible(LookupError):
    """No such release for this viewer: it does not exist, or is not theirs to see yet.

    The two cases are one on purpose, so that an embargoed release cannot be told apart from
    one that does not exist."""


def is_analyst(user: Any) -> bool:
    """Staff, members of the analysts group and of any group with the ``view_unreleased``
    permission (the analysts and editors roles, ``core.roles``) see data before its release
    time. One query."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_staff or user.is_superuser:
        return True
    group = getattr(settings, "METALSTAT_ANALYSTS_GROUP", "analysts")
    unreleased = Q(permissions__codename="view_unreleased", permissions__content_type__app_label="core")
    return bool(user.groups.filter(Q(name=group) | unreleased).exists())


def _now(at: datetime | None) -> datetime:
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):
        raise ValueError("give an aware datetime (with a time zone)")
    return at


def live_releases(at: datetime | None = None) -> QuerySet[Release]:
    """The current public vintage of each month at ``at`` (now by default)."""
    at = _now(at)
    newer_live = Release.objects.filter(
        period=OuterRef("period"),
        vintage__gt=OuterRef("vintage"),
        status__in=LIVE_STATUSES,
        release_at__lte=at,
    )
    return Release.objects.filter(status__in=LIVE_STATUSES, release_at__lte=at).filter(~Exists(newer_live))


def _analyst_releases(at: datetime | None) -> QuerySet[Release]:
    """The newest published vintage of each month, embargoed or not, as published by ``at``."""
    at = _now(at)
    newer = Release.objects.filter(
        period=OuterRef("period"),
        vintage__gt=OuterRef("vintage"),
        status__in=LIVE_STATUSES,
        published_at__lte=at,
    )
    return Release.objects.filter(status__in=LIVE_STATUSES, published_at__lte=at).filter(~Exists(newer))


def current_releases(*, user: Any = None, at: datetime | None = None) -> QuerySet[Release]:
    """The vintage of each month the user sees: live ones for everyone, scheduled ones too
    for analysts."""
    return _analyst_releases(at) if is_analyst(user) else live_releases(at)


def latest_published(period: date | str, at: datetime | None = None) -> Release | None:
    """The release of a month the public sees at ``at`` (now): None before its first one."""
    return live_releases(at).filter(period=month_start(period)).first()


def visible_figures(*, user: Any = None, at: datetime | None = None) -> QuerySet[Figure]:
    """Figures of the current vintage of every month the user may see.

    Anonymous users and subscribers: releases published with ``release_at`` <= now (or
    ``at``), without confidential cells (CONF_STATUS C or D: they are left out, so their
    values cannot leak). Analysts: every cell, and also published releases whose release
    time has not come yet. :func:`visible_figure_frame` keeps suppressed cells as rows with
    an empty value instead.
    """
    qs = Figure.objects.filter(release__in=current_releases(user=user, at=at))
    if not is_analyst(user):
        qs = qs.filter(conf_status=FREE)
    return qs


def _mask(frame: pl.DataFrame, user: Any) -> pl.DataFrame:
    """Empty the value of confidential cells for users outside the analysts' roles."""
    if is_analyst(user):
        return frame
    return frame.with_columns(value=pl.when(pl.col("conf_status") == FREE).then(pl.col("value")).otherwise(None))


def visible_figure_frame(selection: Selection = None, *, user: Any = None, at: datetime | None = None) -> pl.DataFrame:
    """:func:`visible_figures` as a polars frame (FIGURES columns plus ``release_period``,
    ``vintage``, ``realtime_start``), confidential cells kept with their value emptied for
    non-analysts."""
    qs = Figure.objects.filter(_selection_q(selection), release__in=current_releases(user=user, at=at))
    return _mask(_vintage_frame(qs), user)


def _selection_q(selection: Selection) -> Q:
    if selection is None:
        return Q()
    if isinstance(selection, str):
        return Q(period=selection)
    unknown = set(selection) - set(FIGURE_KEY)
    if unknown:
        raise ValueError(f"cannot select figures by {', '.join(sorted(unknown))}")
    return Q(**{f"{k}__in" if isinstance(v, list | tuple | set | frozenset) else k: v for k, v in selection.items()})


def _vintage_frame(qs: QuerySet[Figure]) -> pl.DataFrame:
    """The figures of ``qs`` with their release's ``release_period``, ``vintage`` and
    ``realtime_start``, in the order the database returns them.

    The release's period and time are read once per release and joined in polars, not
    converted (and on SQLite parsed from text) on every figure row; columns are built
    column-wise with their types. ``release__vintage`` keeps the query's join to releases.
    """
    rows = list(qs.values_list(*FIGURES, "release_id", "release__vintage"))
    types = {**FIGURES, "release_id": pl.Int64, "vintage": pl.Int64}
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(types)
    frame = pl.DataFrame(
        [pl.Series(name, values, dtype=t) for (name, t), values in zip(types.items(), columns, strict=True)]
    )
    ids = frame.get_column("release_id").unique().to_list()
    releases = pl.DataFrame(
        list(Release.objects.filter(pk__in=ids).values_list("pk", "period", "release_at")),
        schema=["release_id", "release_period", "realtime_start"],
        orient="row",
        infer_schema_length=None,
    ).with_columns(
        pl.col("release_id").cast(pl.Int64),
        pl.col("release_period").cast(pl.Date).dt.strftime("%Y-%m"),
        pl.col("realtime_start").cast(VINTAGE_COLUMNS["realtime_start"]),
    )
    return frame.join(releases, on="release_id", how="left", maintain_order="left").select(
        pl.col(c).cast(t) for c, t in {**FIGURES, **VINTAGE_COLUMNS}.items()
    )


def figure_vintages(selection: Selection = None, *, user: Any = None) -> pl.DataFrame:
    """Every published value of the selected figures with its real-time period.

    One row per figure and release containing it: the FIGURES columns plus
    ``release_period``, ``vintage``, ``realtime_start`` (the release time: when the value
    became known) and ``realtime_end`` (when a later release replaced it; null while
    current). Releases still under embargo are left out, and confidential cells have an
    empty value, unless the user is an analyst.
    """
    releases = Release.objects.filter(status__in=LIVE_STATUSES)
    if not is_analyst(user):
        releases = releases.filter(release_at__lte=timezone.now())
    qs = Figure.objects.filter(_selection_q(selection), release__in=releases)
    frame = _vintage_frame(qs).sort([*FIGURE_KEY, "realtime_start", "vintage"])
    return _mask(frame, user).with_columns(
        pl.col("realtime_start").shift(-1).over(list(FIGURE_KEY)).alias("realtime_end")
    )


def figures_as_of(selection: Selection = None, as_of: datetime | None = None, *, user: Any = None) -> pl.DataFrame:
    """The selected figures as they were known at ``as_of`` (now by default).

    For each figure key the value from the most recent release live at that moment, whatever
    month's release carried it (a later month's release may have revised it). ``selection``
    is a figure period (``"2025-05"``) or a mapping on the key columns, e.g.
    ``{"product": "aluminium", "measure": "production", "statistic": "level"}``. A moment in
    the future is taken as now, and confidential cells have an empty value, unless the user
    is an analyst.
    """
    now = timezone.now()
    as_of = _now(as_of)
    releases = Release.objects.filter(status__in=LIVE_STATUSES)
    if is_analyst(user):
        releases = releases.filter(published_at__lte=as_of)
    else:
        releases = releases.filter(release_at__lte=min(as_of, now))
    qs = Figure.objects.filter(_selection_q(selection), release__in=releases)
    frame = _mask(_vintage_frame(qs), user)
    return (
        frame.sort(["realtime_start", "vintage"])
        .unique(subset=list(FIGURE_KEY), keep="last", maintain_order=True)
        .sort(list(FIGURE_KEY))
    )


def find_release(period: date | str, vintage: int | None = None, *, user: Any) -> Release:
    """The release of a month that ``user`` may see: the given vintage, or the newest one.

    Analysts see every vintage whatever its status (a draft in review too); everyone else
    only vintages published with their release time passed. Raises NotVisible otherwise.
    """
    month = month_start(period)
    if is_analyst(user):
        releases = Release.objects.filter(period=month)
    else:
        releases = Release.objects.filter(period=month, status__in=LIVE_STATUSES, release_at__lte=timezone.now())
    release = releases.filter(vintage=vintage).first() if vintage is not None else releases.order_by("-vintage").first()
    if release is None:
        raise NotVisible(f"no release of {month:%Y-%m}" + (f" vintage {vintage}" if vintage else ""))
    return release


def release_figures(
    release: Release, *, user: Any, periods: list[str] | None = None, selection: Selection = None
) -> pl.DataFrame:
    """The figures one release holds (FIGURES columns), as ``user`` may see them: the whole
    vintage for analysts; for everyone else only a live release (NotVisible otherwise), with
    the value of confidential cells emptied. ``periods`` selects figure periods, ``selection``
    filters on the key columns as in :func:`visible_figure_frame`."""
    if not is_analyst(user):
        release_at = release.release_at
        if release.status not in LIVE_STATUSES or release_at is None or release_at > timezone.now():
            raise NotVisible(f"no release of {release.period:%Y-%m} vintage {release.vintage}")
    qs = Figure.objects.filter(_selection_q(selection), release=release)
    if periods is not None:
        qs = qs.filter(period__in=periods)
    rows = list(qs.order_by().values_list(*FIGURES))
    return _mask(pl.DataFrame(rows, schema=FIGURES, orient="row"), user)


class CommentaryRow(TypedDict):
    """One analyst's commentary entry, as :func:`commentary_entries` gives it."""

    product: str
    language: str
    slot: str
    mode: str
    text: str
    author: str


def commentary_entries(period: date | str, *, user: Any) -> list[CommentaryRow]:
    """The analysts' commentary of a month (product, language, slot, mode, text, author):
    analysts' working text, so only analysts read it before it is drafted into a report."""
    if not is_analyst(user):
        raise NotVisible("commentary is the analysts' working text")
    return list(
        Commentary.objects.filter(period=month_start(period))
        .order_by("product", "slot", "mode")
        .values("product", "language", "slot", "mode", "text", "author")
    )


# ---------------------------------------------------------------------------------------------
# Series and their observations, for the data API and every other output by series


SERIES_KEY = ("product", "kind", "measure", "breakdown", "statistic")
VIEWS = ("latest", "first", "all", "revisions")


def _live_at(at: datetime | None, *, preview: bool) -> QuerySet[Release]:
    """Releases whose figures were public at ``at`` (now by default, never later than now);
    with ``preview`` (an analyst's explicit request) also published ones still embargoed."""
    now = timezone.now()
    at = min(_now(at), now) if not preview else _now(at)
    releases = Release.objects.filter(status__in=LIVE_STATUSES)
    if preview:
        return releases.filter(published_at__lte=at)
    return releases.filter(release_at__lte=at)


# A release's figures never change, so the series it holds are computed once per process.
_RELEASE_SERIES: dict[tuple[int, datetime], pl.DataFrame] = {}
_SERIES_SCHEMA = {
    **{c: pl.Utf8 for c in SERIES_KEY},
    "first": pl.Utf8,
    "last": pl.Utf8,
    "unit": pl.Utf8,
    "n": pl.Int64,
}


def _release_series(release_id: int, created_at: datetime) -> pl.DataFrame:
    """The series one release holds, with their first and last period and figure count
    (kept by id and creation time: an id may be used again after a rolled-back test)."""
    found = _RELEASE_SERIES.get((release_id, created_at))
    if found is None:
        rows = list(
            Figure.objects.filter(release_id=release_id)
            .values_list(*SERIES_KEY)
            .annotate(first=Min("period"), last=Max("period"), unit=Max("unit"), n=Count("id"))
            .order_by()
        )
        found = pl.DataFrame(rows, schema=_SERIES_SCHEMA, orient="row")
        _RELEASE_SERIES[(release_id, created_at)] = found
    return found


def series_index(*, at: datetime | None = None, preview: bool = False) -> pl.DataFrame:
    """Every series with a figure in a release public at ``at``: its key columns,
    ``series_id``, unit, first and last period and number of figures. Built from each public
    release's own series (computed once: a release never changes), so a new release costs
    only its own."""
    from metalstat.releases.series import series_id

    parts = [_release_series(i, c) for i, c in _live_at(at, preview=preview).values_list("id", "created_at")]
    if not parts:
        frame = pl.DataFrame(schema=_SERIES_SCHEMA)
    else:
        frame = (
            pl.concat(parts)
            .group_by(list(SERIES_KEY))
            .agg(pl.col("first").min(), pl.col("last").max(), pl.col("unit").max(), pl.col("n").sum())
            .sort(list(SERIES_KEY))
        )
    sids = [series_id(*r) for r in frame.select(SERIES_KEY).iter_rows()]
    return frame.with_columns(
        series_id=pl.Series(sids, dtype=pl.Utf8),
        first=_month_of(pl.col("first")),
        last=_month_of(pl.col("last")),
    )


_INDEX: dict[str, pl.DataFrame] = {}
_INDEX_LOCK = threading.Lock()  # per process: the public index, by the releases behind it


@dataclass(frozen=True)
class SeriesState:
    """What a public answer depends on, read in one query: the series index, the signature
    of the public releases behind it (None for a preview) and the next scheduled release
    time (None if none is scheduled), which bounds how long a "latest" answer may be kept."""

    index: pl.DataFrame
    signature: str | None
    next_release_at: datetime | None


def public_releases(at: datetime | None = None) -> tuple[list[tuple[int, datetime]], datetime | None]:
    """The releases public at ``at`` (now by default) as (id, created_at) in id order, and
    the time of the next scheduled release (published, its time not come): one query over the
    published releases, split here."""
    at = _now(at)
    live: list[tuple[int, datetime]] = []
    upcoming: datetime | None = None
    rows = Release.objects.filter(status__in=LIVE_STATUSES).order_by("id").values_list("id", "created_at", "release_at")
    for pk, created, release_at in rows:
        if release_at is None:
            continue
        if release_at <= at:
            live.append((pk, created))
        elif upcoming is None or release_at < upcoming:
            upcoming = release_at
    return live, upcoming


def current_series_state(*, preview: bool = False) -> SeriesState:
    """:func:`series_index` now (with ``preview``, the embargoed series too), the signature
    of the public releases behind it (None for a preview) and the next release time. The
    public index is kept per process until that set changes, which is asked of the database
    on every call (one query, which also gives the next release time), so it switches at
    release time with no job to run; anything computed from public releases alone may be kept
    under the same signature. The data API and the portal both read it."""
    live, upcoming = public_releases()
    if preview:
        return SeriesState(series_index(preview=True), None, upcoming)
    signature = "|".join(f"{i}@{c.isoformat()}" for i, c in live)
    found = _INDEX.get(signature)
    if found is None:
        with _INDEX_LOCK:  # one thread builds it; the others wait for it, not beside it
            found = _INDEX.get(signature)
            if found is None:
                found = series_index()
                _INDEX.clear()
                _INDEX[signature] = found
    return SeriesState(found, signature, upcoming)


def current_series_index(*, preview: bool = False) -> tuple[pl.DataFrame, str | None]:
    """:func:`current_series_state`'s index and signature."""
    state = current_series_state(preview=preview)
    return state.index, state.signature


def _month_of(period: pl.Expr) -> pl.Expr:
    """A figure period as its month: a span "YYYY-01..YYYY-MM" is its last month."""
    return period.str.split("..").list.last()


def series_observations(
    keys: pl.DataFrame,
    *,
    as_of: datetime | None = None,
    view: str = "latest",
    preview: bool = False,
) -> pl.DataFrame:
    """The figures of the series in ``keys`` (SERIES_KEY columns) as known at ``as_of``.

    ``view``: ``latest`` one row per series and period, the value of the newest release public
    at ``as_of``; ``first`` the value each period was first published with; ``all`` every
    published value with its real-time interval; ``revisions`` only the values that changed
    a period (its first release and each revision). Rows carry FIGURES columns plus
    ``release_period``, ``vintage``, ``realtime_start``, ``realtime_end`` (null while current)
    and ``month`` (the figure's month; a year-to-date span's last month). Confidential cells
    have an empty value for everyone: this is the disseminated view.
    """
    if view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)}")
    if keys.is_empty():
        return _vintage_frame(Figure.objects.none()).with_columns(
            realtime_end=pl.lit(None, pl.Datetime("us", "UTC")), month=pl.lit(None, pl.Utf8)
        )
    selection = {c: sorted(set(keys[c].to_list())) for c in SERIES_KEY}
    qs = Figure.objects.filter(_selection_q(selection), release__in=_live_at(as_of, preview=preview))
    if view == "latest":
        qs = _newest_only(qs)
    frame = (
        _mask(_vintage_frame(qs), None)
        .join(keys.select(SERIES_KEY).unique(), on=list(SERIES_KEY), how="semi")
        .sort([*FIGURE_KEY, "realtime_start", "vintage"])
        .with_columns(month=_month_of(pl.col("period")))
    )
    frame = frame.with_columns(pl.col("realtime_start").shift(-1).over(list(FIGURE_KEY)).alias("realtime_end"))
    if view == "latest":
        frame = frame.filter(pl.col("realtime_end").is_null())
    elif view == "first":
        frame = frame.unique(subset=list(FIGURE_KEY), keep="first", maintain_order=True)
    elif view == "revisions":
        previous = pl.col("value").shift(1).over(list(FIGURE_KEY))
        first = pl.int_range(pl.len()).over(list(FIGURE_KEY)) == 0
        changed = (
            first
            | (pl.col("value").ne_missing(previous))
            | (pl.col("status") != pl.col("status").shift(1).over(list(FIGURE_KEY)))
        )
        frame = frame.filter(changed)
    return frame


def _newest_only(qs: QuerySet[Figure]) -> QuerySet[Figure]:
    """The figures of ``qs`` whose release is the newest holding their key (by release time,
    then vintage, then release id): the database keeps one row per figure key, so only the
    latest vintage of each period is read (a window function, on SQLite and PostgreSQL)."""
    newest = Window(
        RowNumber(),
        partition_by=[F(c) for c in FIGURE_KEY],
        order_by=[F("release__release_at").desc(), F("release__vintage").desc(), F("release_id").desc()],
    )
    return qs.annotate(_newest=newest).filter(_newest=1)


def release_calendar(*, preview: bool = False) -> list[dict[str, Any]]:
    """Releases past and scheduled. A scheduled release (published, its time not come) says
    when and nothing else: not its month, not its vintage, not its figures."""
    now = timezone.now()
    out: list[dict[str, Any]] = []
    for r in Release.objects.filter(status__in=LIVE_STATUSES).order_by("release_at", "pk"):
        assert r.release_at is not None
        if r.release_at > now and not preview:
            out.append({"id": None, "release_at": r.release_at, "status": "scheduled"})
            continue
        out.append(
            {
                "id": release_id(r),
                "period": f"{r.period:%Y-%m}",
                "vintage": r.vintage,
                "release_at": r.release_at,
                "status": "scheduled" if r.release_at > now else "released",
                "superseded": r.status == ReleaseStatus.SUPERSEDED.value,
                "note": r.note,
            }
        )
    return out


def next_release_at() -> datetime | None:
    """The time of the next scheduled release (published, its time not come), if any (the
    data API has it from :func:`current_series_state` or the calendar, in the same query)."""
    found = Release.objects.filter(status__in=LIVE_STATUSES, release_at__gt=timezone.now()).aggregate(
        at=Min("release_at")
    )["at"]
    return found if isinstance(found, datetime) else None


def release_id(release: Release) -> str:
    """A release's public ID: its month and vintage, ``2025-06.v2``."""
    return f"{release.period:%Y-%m}.v{release.vintage}"


def release_by_id(text: str, *, preview: bool = False) -> Release:
    """The release with a public ID, if it is public (or previewed); NotVisible otherwise."""
    period, _, vintage = text.partition(".v")
    try:
        month = month_start(period)
        number = int(vintage)
    except (ValueError, TypeError):
        raise NotVisible(f"{text!r} is not a release ID (YYYY-MM.vN)") from None
    release = _live_at(None, preview=preview).filter(period=month, vintage=number).first()
    if release is None:
        raise NotVisible(f"no release {text}")
    return release


def release_state(release: Release, at: datetime | None = None) -> str:
    """What a vintage is to its readers at ``at``: its workflow status, except that a
    published vintage whose release time has not come is ``embargoed``. Every document made
    from a vintage states it, so a file written before the release time says so."""
    if release.status == ReleaseStatus.PUBLISHED and release.release_at is not None and release.release_at > _now(at):
        return "embargoed"
    return str(release.status)
