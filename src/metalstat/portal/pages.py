"""What each portal page shows, read through the same gate as the data API.

Nothing here decides who sees what: releases come from ``releases.queries`` (the embargo),
series and observations from ``api.data`` (the API's own resolve and observations: the
entitlements, the history depth, confidentiality), whole vintages from
``subscriptions.entitlements.readable_release_figures`` (what the API's bulk download
gives), and every number is written by the report's language (``report.language``), so a
figure reads the same on a page, in the report and in both languages.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from metalstat.api import data
from metalstat.api.problems import Problem
from metalstat.catalog import Product, load_catalog
from metalstat.engine.figures import parse_breakdown
from metalstat.engine.inputs import month_start
from metalstat.releases.models import Release
from metalstat.releases.queries import (
    COMMAND_LINE,
    NotVisible,
    current_releases,
    next_release_at,
    release_by_id,
    release_calendar,
    release_id,
)
from metalstat.releases.series import series_id
from metalstat.report.drafting import Report, Section, draft_report
from metalstat.report.figureset import CHART_MONTHS, shift_month
from metalstat.report.language import Language, available_languages, load_language
from metalstat.report.loader import build_report_input
from metalstat.subscriptions.entitlements import (
    Entitlements,
    group_of,
    kept_entitlements,
    may_preview,
    readable_release_figures,
)

DEFAULT_MONTHS = 13  # the product chart's default range
GROUP_LABELS = {
    "base_metals": _("Base metals"),
    "alloys_and_steel": _("Alloys and steel"),
    "minor_metals": _("Minor metals"),
    "new_energy_materials": _("New-energy materials"),
    "pv": _("Photovoltaics"),
    "silicon": _("Silicon"),
    "rare_earths": _("Rare earths"),
    "precious": _("Precious metals"),
}


# Punctuation between the page's own words and what it prints: full-width in Chinese (：（）；),
# so a template writes {% translate "Next release" %}{{ P.colon }} and never a Latin colon.
PUNCTUATION = {
    "colon": pgettext_lazy("punctuation", ": "),
    "open": pgettext_lazy("punctuation", " ("),
    "close": pgettext_lazy("punctuation", ")"),
    "semicolon": pgettext_lazy("punctuation", "; "),
    "comma": pgettext_lazy("punctuation: between the items of a list", ", "),
}


@dataclass(frozen=True)
class Reader:
    """Who reads a page: their entitlements, and whether embargoed vintages are shown to them
    (an analyst with the preview permission: the pages then carry a preview banner)."""

    user: Any
    ent: Entitlements
    preview: bool

    def entitled(self, product: str) -> bool:
        return self.ent.covers(headline_id(product), product)


def reader_of(user: Any) -> Reader:
    return Reader(user=user, ent=kept_entitlements(user), preview=may_preview(user))


def compile_report_languages() -> None:
    """Compile the report's paragraph templates of every language now (about a second each,
    once per process), so that no reader's first product page pays for it."""
    for code in available_languages():
        load_language(code).paragraphs  # noqa: B018 (compiled once, kept by the language)


def report_language(code: str | None) -> Language:
    """The report's language for a Django language code (zh-hans -> zh)."""
    return load_language("zh" if (code or "").startswith("zh") else "en")


def headline_id(product: str) -> str:
    return series_id(product, "actual", "production", "", "level")


def group_label(product: str) -> str:
    group = group_of(product)
    return str(GROUP_LABELS.get(group, group))


def grants_shown(ent: Entitlements, lang: Language) -> list[dict[str, Any]]:
    """The reader's subscriptions as the account page lists them: what each grants in the
    reader's language (a chain group's label, a product's name), not the catalog's codes."""
    catalog = load_catalog()

    def name(code: str) -> str:
        if code in GROUP_LABELS:
            return str(GROUP_LABELS[code])
        return lang.product_name(catalog.get(code)) if code in catalog.codes() else code

    return [g | {"groups": [name(c) for c in g["groups"]]} for g in ent.describe()]


@dataclass(frozen=True)
class Cell:
    """A value as printed, with the status letter shown beside it (and its meaning)."""

    text: str
    status: str = ""
    title: str = ""
    hidden: bool = False  # suppressed or withheld: the text is "—"


def _status_title(lang: Language, code: str) -> str:
    return lang.term("obs_status", code)


def cell(lang: Language, row: dict[str, Any] | None, kind: str, product: Product | None = None) -> Cell:
    """One figure as a table cell: ``kind`` qty (the product's unit), spct (signed %),
    pct (a rate), spp (signed points), count."""
    if row is None:
        return Cell("")
    value = row["value"]
    conf = row.get("conf_status") or "F"
    status = (row.get("status") or "").split(",")[0]
    if value is None:
        code = conf if conf != "F" else status
        return Cell(lang.setting("missing", "—"), code, _status_title(lang, code), hidden=True)
    dec = product.decimals if product is not None else 2
    if kind == "qty":
        assert product is not None
        text = lang.qty(value, product.unit, lang.unit(product), dec)
    elif kind == "spct":
        text = lang.spct(value, dec)
    elif kind == "pct":
        text = lang.pct(value, dec)
    elif kind == "spp":
        text = lang.spp(value, dec)
    else:
        text = lang.num(value, 0)
    shown = status if status not in ("A", "") else ""
    return Cell(text, shown, _status_title(lang, shown) if shown else "")


class Lookup:
    """Figures of a frame by key, for the page's cells."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self._rows: dict[tuple[str, ...], dict[str, Any]] = {}
        for r in frame.iter_rows(named=True):
            key = (r["product"], r["kind"], r["measure"], r["breakdown"], r["statistic"], r["month"])
            self._rows[key] = r

    def get(
        self, product: str, measure: str, statistic: str, month: str, *, kind: str = "actual", breakdown: str = ""
    ) -> dict[str, Any] | None:
        return self._rows.get((product, kind, measure, breakdown, statistic, month))

    def breakdowns(self, product: str, measure: str, statistic: str, month: str) -> list[dict[str, Any]]:
        """The figures of a measure by breakdown (the total left out), in breakdown order."""
        found = [
            r
            for k, r in self._rows.items()
            if k[:3] == (product, "actual", measure) and k[4] == statistic and k[5] == month and k[3]
        ]
        return sorted(found, key=lambda r: str(r["breakdown"]))


def breakdown_label(lang: Language, product: Product, breakdown: str) -> str:
    """A breakdown ("size_class=large", "route=scrap") in the reader's language, with the
    catalog's names as the report writes them."""
    parts = []
    for dim, value in parse_breakdown(breakdown).items():
        label = value
        if dim == "size_class":
            label = next((lang.name_of(s) for s in product.size_classes if s.name == value), value)
        else:
            for d in product.dimensions:
                if d.name == dim:
                    label = next((lang.name_of(v) for v in d.values if v.name == value), value)
            if label == value:
                for table in ("statuses", "regions", "contents", "dimensions"):
                    found = lang.term(table, value)
                    if found != value:
                        label = found
                        break
        parts.append(label)
    return " · ".join(parts)


# ---------------------------------------------------------------------------------------------
# Releases


def when(moment: datetime | None, lang: Language) -> dict[str, str] | None:
    """A release time as the pages print it: in the release time zone (Beijing time by
    default) and in UTC, with its ISO form for the countdown."""
    if moment is None:
        return None
    zone = ZoneInfo(settings.TIME_ZONE)
    local = moment.astimezone(zone)
    utc = moment.astimezone(UTC)
    zone_name = str(_("Beijing time")) if settings.TIME_ZONE == "Asia/Shanghai" else settings.TIME_ZONE
    offset = local.strftime("%z")
    return {
        "iso": moment.replace(microsecond=0).isoformat(),  # to the second, as printed
        "local": f"{lang.date(local.date())} {local:%H:%M}",
        "zone": f"{zone_name}{PUNCTUATION['open']}UTC{offset[:3]}:{offset[3:]}{PUNCTUATION['close']}",
        "utc": f"{lang.date(utc.date())} {utc:%H:%M} UTC",
    }


def latest_release(reader: Reader) -> Release | None:
    """The newest month's newest vintage the reader sees (a preview: embargoed ones too)."""
    releases = current_releases(user=COMMAND_LINE if reader.preview else None)
    return releases.order_by("-period", "-vintage").first()


def embargoed(release: Release) -> bool:
    return release.release_at is not None and release.release_at > timezone.now()


@dataclass
class OverviewRow:
    product: Product
    name: str
    entitled: bool
    group: str
    level: Cell = Cell("")
    mom: Cell = Cell("")
    yoy: Cell = Cell("")
    ytd: Cell = Cell("")
    forecast: Cell = Cell("")
    flags: list[tuple[str, str]] = field(default_factory=list)


# A vintage never changes, so what one reader's entitlements make of it is kept per process
# (by the release's id and creation time, the entitlements and the language); so are the
# observations of a set of public releases (see _observations).
_KEPT: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_KEPT_LOCK = threading.Lock()
_KEPT_MAX = 512


def _kept(key: tuple[Any, ...], compute: Any) -> Any:
    with _KEPT_LOCK:
        if key in _KEPT:
            _KEPT.move_to_end(key)
            return _KEPT[key]
    found = compute()
    with _KEPT_LOCK:
        _KEPT[key] = found
        while len(_KEPT) > _KEPT_MAX:
            _KEPT.popitem(last=False)
    return found


def _vintage_key(name: str, reader: Reader, lang: Language, *releases: Release) -> tuple[Any, ...]:
    return (name, reader.ent, reader.preview, lang.code, *((r.pk, r.created_at) for r in releases))


def overview(reader: Reader, release: Release, lang: Language) -> list[OverviewRow]:
    """:func:`read_overview`, kept per vintage, entitlements and language."""
    return list(_kept(_vintage_key("overview", reader, lang, release), lambda: read_overview(reader, release, lang)))


def read_overview(reader: Reader, release: Release, lang: Language) -> list[OverviewRow]:
    """Every product of the catalog for one vintage: level, MoM, YoY, YTD, next month's
    forecast and flags of the products the reader is entitled to; the others say only what
    they are and which subscription covers them."""
    period = f"{release.period:%Y-%m}"
    nxt = shift_month(period, 1)
    frame = readable_release_figures(
        release,
        reader.ent,
        preview=reader.preview,
        periods=[period, nxt, f"{period[:4]}-01..{period}"],
        selection={"measure": "production", "breakdown": "", "statistic": ["level", "mom_pct", "yoy_pct", "ytd_pct"]},
    )
    figs = Lookup(frame)
    rows = []
    for p in load_catalog():
        row = OverviewRow(p, lang.product_name(p), reader.entitled(p.code), group_label(p.code))
        if row.entitled:
            level = figs.get(p.code, "production", "level", period)
            row.level = cell(lang, level, "qty", p)
            row.mom = cell(lang, figs.get(p.code, "production", "mom_pct", period), "spct", p)
            row.yoy = cell(lang, figs.get(p.code, "production", "yoy_pct", period), "spct", p)
            row.ytd = cell(lang, figs.get(p.code, "production", "ytd_pct", period), "spct", p)
            row.forecast = cell(lang, figs.get(p.code, "production", "level", nxt, kind="forecast"), "qty", p)
            if level is not None:
                row.flags = [(f, _status_title(lang, f)) for f in (level["flags"] or "").split(",") if f]
        rows.append(row)
    return rows


HEADLINE = {"kind": "actual", "measure": "production", "breakdown": "", "statistic": "level"}


def previous_release(reader: Reader, release: Release) -> Release | None:
    """The release the reader saw just before this one (by release time): what "changed since
    the last vintage" compares with."""
    ids = [r["id"] for r in release_calendar(preview=reader.preview) if r["id"]]
    here = release_id(release)
    if here not in ids or ids.index(here) == 0:
        return None
    return release_by_id(ids[ids.index(here) - 1], preview=reader.preview)


def revisions_since(reader: Reader, release: Release, before: Release, lang: Language) -> list[dict[str, Any]]:
    """:func:`read_revisions`, kept per pair of vintages, entitlements and language."""
    key = _vintage_key("revisions", reader, lang, release, before)
    return list(_kept(key, lambda: read_revisions(reader, release, before, lang)))


def read_revisions(reader: Reader, release: Release, before: Release, lang: Language) -> list[dict[str, Any]]:
    """The headline production levels this vintage changed against the one before it, for the
    products the reader may read (both vintages as the reader may read them)."""
    months = [shift_month(f"{release.period:%Y-%m}", -k) for k in range(1, DEFAULT_MONTHS)]
    now, then = (
        readable_release_figures(r, reader.ent, preview=reader.preview, periods=months, selection=HEADLINE)
        for r in (release, before)
    )
    kept = then.select("series_id", "period", "value", "status", "conf_status")
    joined = now.join(kept, on=["series_id", "period"], suffix="_before")
    changed = joined.filter(pl.col("value").ne_missing(pl.col("value_before"))).sort("product", "period")
    catalog = load_catalog()
    out = []
    for r in changed.iter_rows(named=True):
        p = catalog.get(r["product"])
        was = {"value": r["value_before"], "status": r["status_before"], "conf_status": r["conf_status_before"]}
        now_cell, before_cell = cell(lang, r, "qty", p), cell(lang, was, "qty", p)
        if now_cell.text == before_cell.text and not (now_cell.hidden or before_cell.hidden):
            # Rounded as the report rounds, a small revision would read as no change: show
            # both values as measured, with the digits that tell them apart.
            unit = lang.unit(p)
            now_cell = replace(now_cell, text=lang.measured(r["value"], p.unit, unit))
            before_cell = replace(before_cell, text=lang.measured(r["value_before"], p.unit, unit))
        out.append(
            {
                "product": p,
                "name": lang.product_name(p),
                "month": lang.month(r["period"], short=True),
                "now": now_cell,
                "before": before_cell,
            }
        )
    return out


def release_of(reader: Reader, period: str, vintage: int | None = None) -> Release:
    """A published release the reader may see (NotVisible otherwise): the month's current
    vintage, or the one asked for; a preview reaches embargoed ones, never drafts."""
    if vintage is not None:
        return release_by_id(f"{period}.v{vintage}", preview=reader.preview)
    found = current_releases(user=COMMAND_LINE if reader.preview else None).filter(period=month_start(period)).first()
    if found is None:
        raise NotVisible(f"no release of {period}")
    return found


def vintages_of(reader: Reader, period: str) -> list[dict[str, Any]]:
    """The vintages of a month the reader may see (the calendar's rows of that month)."""
    return [r for r in release_calendar(preview=reader.preview) if r.get("period") == period]


def calendar(reader: Reader) -> dict[str, Any]:
    rows = list(reversed(release_calendar(preview=reader.preview)))
    return {"rows": rows, "next_release_at": next_release_at()}


# ---------------------------------------------------------------------------------------------
# The drafted report, per vintage and language (a release never changes)

_REPORTS: dict[tuple[int, datetime, str, bool], Report] = {}
_REPORTS_LOCK = threading.Lock()


def drafted_report(reader: Reader, release: Release, lang: Language) -> Report:
    """The month's report as drafted from the vintage, as the reader may see it (the
    report's own loader and drafting; kept per process: a release never changes)."""
    key = (release.pk, release.created_at, lang.code, reader.preview)
    with _REPORTS_LOCK:
        found = _REPORTS.get(key)
    if found is None:
        inp = build_report_input(
            f"{release.period:%Y-%m}",
            release.vintage,
            user=COMMAND_LINE if reader.preview else None,
            commentary_user=COMMAND_LINE,  # the commentary drafted into a released report
        )
        found = draft_report(inp, lang.code)
        with _REPORTS_LOCK:
            if len(_REPORTS) > 64:
                _REPORTS.clear()
            _REPORTS[key] = found
    return found


def drafted_section(reader: Reader, release: Release, lang: Language, code: str) -> Section | None:
    """One product's section of the month's report (its drafted paragraphs, notes and chart)
    for its page: drafted from that product's figures only (``build_report_input(products=)``:
    about 20 ms, where the whole report takes seconds), the same text as in the whole report.
    Kept per process by the release's id and creation time, the language, the preview and the
    product (a vintage never changes); nothing of a release under embargo is drafted or served
    but to a previewing analyst."""
    if embargoed(release) and not reader.preview:
        return None
    with _REPORTS_LOCK:
        whole = _REPORTS.get((release.pk, release.created_at, lang.code, reader.preview))
    if whole is not None:
        return section_of(whole, code)

    def compute() -> Section | None:
        inp = build_report_input(
            f"{release.period:%Y-%m}",
            release.vintage,
            user=COMMAND_LINE if reader.preview else None,
            commentary_user=COMMAND_LINE,
            products=[code],
        )
        return section_of(draft_report(inp, lang.code), code)

    found: Section | None = _kept(("section", release.pk, release.created_at, lang.code, reader.preview, code), compute)
    return found


def entitled_to_all(reader: Reader, products: Iterable[str]) -> bool:
    """Whether the reader may read the whole report: every product, as far back as it quotes."""
    return reader.ent.analyst or all(reader.entitled(p) and reaches_report(reader, p) for p in products)


# ---------------------------------------------------------------------------------------------
# Products


@dataclass
class ProductPage:
    product: Product
    name: str
    entitled: bool
    group: str
    unit: str = ""
    found: bool = True  # the product has public series
    last: str = ""
    month_label: str = ""  # the page's month (the chart's last), as the reader reads it
    start: str = ""
    end: str = ""
    headline: dict[str, Cell] = field(default_factory=dict)
    flags: list[tuple[str, str]] = field(default_factory=list)
    table: list[dict[str, Any]] = field(default_factory=list)
    chart: dict[str, Any] = field(default_factory=dict)
    rates: list[dict[str, Any]] = field(default_factory=list)
    shares: list[dict[str, Any]] = field(default_factory=list)
    counts: list[dict[str, Any]] = field(default_factory=list)
    track: list[dict[str, Any]] = field(default_factory=list)
    sample: dict[str, Cell] = field(default_factory=dict)
    releases: list[str] = field(default_factory=list)
    pattern: str = ""
    chart_pattern: str = ""
    headline_id: str = ""
    query: str = ""


PAGE_MEASURES = (
    "production",
    "operating_rate",
    "share",
    "producer_count",
    "forecast_error",
    "coverage",
    "response_rate",
    "imputed_share",
)
PAGE_STATISTICS = ("level", "mom_pct", "yoy_pct", "ytd_pct", "pp_mom", "count", "count_change", "pct")


def product_pattern(code: str, *, chart: bool = False) -> str:
    """The key pattern of the series a product's page shows (what its downloads ask for);
    ``chart``: the production levels of the chart only, actual and forecast."""
    freq, product = headline_id(code).split(".")[:2]
    if chart:
        return f"{freq}.{product}.ACT+FCST.PRODUCTION._T.LEVEL"
    measures = "+".join(m.upper() for m in PAGE_MEASURES)
    statistics = "+".join(s.upper() for s in PAGE_STATISTICS)
    return f"{freq}.{product}.ACT+FCST.{measures}.*.{statistics}"


def _months_back(month: str, n: int) -> str:
    return shift_month(month, -(n - 1))


def product_page(reader: Reader, code: str, lang: Language, start: str | None, end: str | None) -> ProductPage:
    """A product's page: its latest figures as the API answers them for this reader
    (``api.data.resolve`` and ``observations`` with the view ``latest``)."""
    p = load_catalog().get(code)  # KeyError: no such product
    page = ProductPage(p, lang.product_name(p), reader.entitled(code), group_label(code), lang.unit(p))
    if not page.entitled:
        return page
    page.pattern = product_pattern(code)
    page.chart_pattern = product_pattern(code, chart=True)
    page.headline_id = headline_id(code)
    try:
        resolved = data.resolve(page.pattern, reader.ent, preview=reader.preview, fmt=None)
    except Problem as exc:
        if exc.status == 403:
            page.entitled = False
        else:
            page.found = False
        return page
    head = resolved.index.filter(pl.col("series_id") == headline_id(code))
    if head.is_empty():
        page.found = False
        return page
    page.last = str(head["last"][0])
    page.end = end or page.last
    page.start = start or _months_back(page.end, DEFAULT_MONTHS)
    frame = _observations(reader, resolved, page.start, shift_month(page.end, 1))  # next month's forecast
    page.releases = data.releases_answering(frame)
    figs = _lookup(reader, resolved, page.start, shift_month(page.end, 1))
    # the vintage overlay: each month's production as first published
    headline = data.Resolved(head, signature=resolved.signature)
    first = _lookup(reader, headline, page.start, page.end, view="first")
    t = page.end
    page.month_label = lang.month(t, short=True)
    level = figs.get(code, "production", "level", t)
    page.headline = {
        "level": cell(lang, level, "qty", p),
        "mom": cell(lang, figs.get(code, "production", "mom_pct", t), "spct", p),
        "yoy": cell(lang, figs.get(code, "production", "yoy_pct", t), "spct", p),
        "ytd": cell(lang, figs.get(code, "production", "ytd_pct", t), "spct", p),
        "forecast": cell(lang, figs.get(code, "production", "level", shift_month(t, 1), kind="forecast"), "qty", p),
        "forecast_mom": cell(
            lang, figs.get(code, "production", "mom_pct", shift_month(t, 1), kind="forecast"), "spct", p
        ),
    }
    if level is not None:
        page.flags = [(f, _status_title(lang, f)) for f in (level["flags"] or "").split(",") if f]
    page.sample = {
        "producers": cell(lang, figs.get(code, "producer_count", "count", t), "count", p),
        "coverage": cell(lang, figs.get(code, "coverage", "level", t), "pct", p),
        "response": cell(lang, figs.get(code, "response_rate", "level", t), "pct", p),
        "imputed": cell(lang, figs.get(code, "imputed_share", "level", t), "pct", p),
    }
    actual_months = frame.filter((pl.col("kind") == "actual") & (pl.col("month") <= page.end))["month"]
    months = sorted(actual_months.unique().to_list())
    actual, forecast, first_published, yoy = [], [], [], []
    for m in months:
        row = figs.get(code, "production", "level", m)
        change = figs.get(code, "production", "yoy_pct", m)
        yoy.append([m, None if change is None else change["value"]])
        then = first.get(code, "production", "level", m)
        first_published.append([m, None if then is None else then["value"]])
        page.table.append(
            {
                "month": m,
                "label": lang.month(m, short=True),
                "level": cell(lang, row, "qty", p),
                "first": cell(lang, then, "qty", p),
                "first_release": "" if then is None else f"{then['release_period']}.v{then['vintage']}",
                "mom": cell(lang, figs.get(code, "production", "mom_pct", m), "spct", p),
                "yoy": cell(lang, figs.get(code, "production", "yoy_pct", m), "spct", p),
            }
        )
        actual.append([m, None if row is None else row["value"]])
        fc = figs.get(code, "production", "level", m, kind="forecast")
        made = fc is not None and fc["value"] is not None
        outcome = row["value"] if row is not None else None
        error = figs.get(code, "forecast_error", "pct", m)
        if made:
            page.track.append(
                {
                    "label": lang.month(m, short=True),
                    "forecast": cell(lang, fc, "qty", p),
                    "actual": cell(lang, row, "qty", p),
                    "error": cell(lang, error, "spct", p),
                    "outcome": outcome,
                }
            )
    nxt = shift_month(page.end, 1)
    fc_next = figs.get(code, "production", "level", nxt, kind="forecast")
    if fc_next is not None and fc_next["value"] is not None:
        if actual and actual[-1][1] is not None:
            forecast.append(actual[-1])  # the dashed line starts at the last actual
        forecast.append([nxt, fc_next["value"]])
    page.chart = chart_data(
        lang, p, [*months, nxt], lang.unit(p), str(_("Production")), actual, forecast, first_published, yoy
    )
    for measure, statistic, target, kind in (
        ("operating_rate", "level", page.rates, "pct"),
        ("share", "level", page.shares, "pct"),
        ("producer_count", "count", page.counts, "count"),
    ):
        for r in figs.breakdowns(code, measure, statistic, t):
            if ";" in r["breakdown"] or r["breakdown"].startswith("change="):
                continue  # the report's tables: one dimension at a time
            change_stat = "pp_mom" if kind == "pct" else "count_change"
            change = figs.get(code, measure, change_stat, t, breakdown=r["breakdown"])
            target.append(
                {
                    "label": breakdown_label(lang, p, r["breakdown"]),
                    "value": cell(lang, r, kind, p),
                    "change": cell(lang, change, "spp" if kind == "pct" else "count", p),
                }
            )
        total = figs.get(code, measure, statistic, t)
        if total is not None and measure != "share":
            target.insert(0, {"label": str(_("All")), "value": cell(lang, total, kind, p), "change": Cell("")})
    page.query = f"start={page.start}&end={shift_month(page.end, 1)}"
    return page


# Observations of public releases, per process, as the API keeps its answers: the key holds
# the public releases behind them (a release going live is a new key at once), the series
# and the reader's history depth for each; previews are never kept.


def _observations(
    reader: Reader,
    resolved: data.Resolved,
    start: str,
    end: str,
    view: str = "latest",
    as_of: data.AsOf | None = None,
) -> pl.DataFrame:
    """``api.data.observations`` for the reader (``as_of`` None: now), kept as above."""
    moment = as_of or data.AsOf(None, "latest")

    def compute() -> pl.DataFrame:
        return data.observations(
            resolved,
            reader.ent,
            as_of=moment,
            view=view,
            transform_name=None,
            start=start,
            end=end,
            preview=reader.preview,
        )

    if resolved.signature is None:
        return compute()
    depths = tuple(
        (sid, reader.ent.history_months(sid, product))
        for sid, product in resolved.index.select("series_id", "product").iter_rows()
    )
    key = ("observations", resolved.signature, start, end, view, moment.moment, depths)
    frame: pl.DataFrame = _kept(key, compute)
    return frame


def _lookup(reader: Reader, resolved: data.Resolved, start: str, end: str, view: str = "latest") -> Lookup:
    """:func:`_observations` as a :class:`Lookup`, kept the same way (the rows of a product
    page's ~100 series read into a dictionary cost more than the rest of the page)."""
    frame = _observations(reader, resolved, start, end, view)
    if resolved.signature is None:
        return Lookup(frame)
    found: Lookup = _kept(("lookup", id(frame), start, end, view), lambda: (frame, Lookup(frame)))[1]
    return found


def reaches_report(reader: Reader, code: str) -> bool:
    """Whether the reader's history depth for the product covers what its report section
    quotes (the section's chart: CHART_MONTHS back, and a year back for YoY)."""
    depth = reader.ent.history_months(headline_id(code), code)
    return depth is None or depth > CHART_MONTHS


Points = list[list[Any]]


def chart_data(
    lang: Language,
    p: Product,
    months: list[str],
    unit: str,
    name: str,
    actual: Points,
    forecast: Points,
    first: Points,
    yoy: Points,
) -> dict[str, Any]:
    """What ``static/portal/chart.js`` draws: [month, value] points of each line, the months'
    labels and the names in the reader's language."""
    return {
        "actual": actual,
        "forecast": forecast,
        "first": first,
        "yoy": yoy,
        "labels": {m: lang.month(m, short=True) for m in months},
        "unit": unit,
        "names": {
            "actual": name,
            "forecast": str(_("Forecast")),
            "first": str(_("As first published")),
            "yoy": str(_("YoY %")),
        },
        "decimals": p.decimals,
    }


def section_of(report: Report, code: str) -> Section | None:
    return next((s for s in report.sections if s.code == code), None)


# ---------------------------------------------------------------------------------------------
# One series: the explorer's permalink page


@dataclass
class Vintage:
    """A release that changed the series in the months shown: one the reader may overlay."""

    id: str  # the release ID, as the API's ``as_of`` takes it ("2025-06.v1")
    label: str  # in the reader's language ("Jun 2025, vintage 1")
    moment: datetime  # its release time
    at: dict[str, str] | None  # the same, as the pages print it
    chosen: bool = False
    embargoed: bool = False  # only a previewing analyst is ever offered one


MAX_OVERLAID = 5  # vintages drawn at once, beside the latest and the first-published values


@dataclass
class SeriesPage:
    series_id: str
    product: Product | None
    name: str
    entitled: bool = True
    found: bool = True
    key: dict[str, str] = field(default_factory=dict)
    start: str = ""
    end: str = ""
    table: list[dict[str, Any]] = field(default_factory=list)
    chart: dict[str, Any] = field(default_factory=dict)
    period: str = ""
    period_label: str = ""
    history: list[dict[str, Any]] = field(default_factory=list)
    query: str = ""
    vintages: list[Vintage] = field(default_factory=list)  # those the reader may choose
    overlaid: list[Vintage] = field(default_factory=list)  # those chosen, oldest first
    view_query: str = ""  # the permalink's query: range and chosen vintages
    embargoed_at: datetime | None = None  # the earliest embargoed release time shown (a preview)


def _kind_of(unit: str) -> str:
    return {"%": "pct", "pp": "spp", "count": "count"}.get(unit, "qty")


def vintage_label(lang: Language, period: str, vintage: int) -> str:
    return str(_("%(month)s, vintage %(vintage)s") % {"month": lang.month(period, short=True), "vintage": vintage})


def series_vintages(
    reader: Reader, resolved: data.Resolved, lang: Language, start: str, end: str, chosen: Iterable[str]
) -> list[Vintage]:
    """The releases that changed the series between ``start`` and ``end`` (its first value of
    a month, or a revision), oldest first, as the API's ``view=revisions`` gives them to the
    reader: a release still under embargo is never among them, unless the reader previews."""
    wanted = set(chosen)
    changes = _observations(reader, resolved, start, end, view="revisions")
    releases = changes.select("release_period", "vintage", "realtime_start").unique().sort("realtime_start", "vintage")
    now = timezone.now()
    return [
        Vintage(
            id=f"{period}.v{vintage}",
            label=vintage_label(lang, period, vintage),
            moment=at,
            at=when(at, lang),
            chosen=f"{period}.v{vintage}" in wanted,
            embargoed=at > now,
        )
        for period, vintage, at in releases.iter_rows()
    ]


def overlay_as_of(reader: Reader, resolved: data.Resolved, vintage: Vintage, start: str, end: str) -> pl.DataFrame:
    """The series as it stood when ``vintage`` was released: what the API answers for
    ``as_of=<release ID>`` (every month from the newest release live at that moment)."""
    return _observations(reader, resolved, start, end, as_of=data.AsOf(vintage.moment, vintage.id, pinned=True))


def series_page(
    reader: Reader,
    sid: str,
    lang: Language,
    start: str | None,
    end: str | None,
    period: str | None,
    chosen: Iterable[str] = (),
) -> SeriesPage:
    """One series as the API answers it: latest and first-published values by month, the
    vintages ``chosen`` among those that changed it (each as the series stood at its release),
    and the revision history of one period (every value it was published with)."""
    page = SeriesPage(sid, None, sid)
    try:
        resolved = data.resolve(sid, reader.ent, preview=reader.preview, fmt=None, single=True)
    except Problem as exc:
        page.entitled = exc.status != 403
        page.found = exc.status == 403
        return page
    row = next(resolved.index.iter_rows(named=True))
    p = load_catalog().get(row["product"])
    page.product, page.key = p, {k: row[k] for k in ("product", "kind", "measure", "breakdown", "statistic")}
    page.name = lang.product_name(p)
    page.end = end or row["last"]
    page.start = start or _months_back(page.end, DEFAULT_MONTHS)
    kind = _kind_of(row["unit"])
    latest = _observations(reader, resolved, page.start, page.end)
    first = {
        r["month"]: r for r in _observations(reader, resolved, page.start, page.end, view="first").iter_rows(named=True)
    }
    page.vintages = series_vintages(reader, resolved, lang, page.start, page.end, chosen)
    page.overlaid = [v for v in page.vintages if v.chosen][-MAX_OVERLAID:]
    overlays = [
        {r["month"]: r for r in overlay_as_of(reader, resolved, v, page.start, page.end).iter_rows(named=True)}
        for v in page.overlaid
    ]
    points, firsts = [], []
    lines: list[Points] = [[] for _v in page.overlaid]
    for r in latest.iter_rows(named=True):
        then = first.get(r["month"])
        known = [o.get(r["month"]) for o in overlays]
        page.table.append(
            {
                "month": r["month"],
                "label": lang.month(r["month"], short=True),
                "value": cell(lang, r, kind, p),
                "first": cell(lang, then, kind, p),
                "release": f"{r['release_period']}.v{r['vintage']}",
                "first_release": "" if then is None else f"{then['release_period']}.v{then['vintage']}",
                "overlaid": [cell(lang, k, kind, p) for k in known],
            }
        )
        points.append([r["month"], r["value"]])
        firsts.append([r["month"], None if then is None else then["value"]])
        for line, k in zip(lines, known, strict=True):
            line.append([r["month"], None if k is None else k["value"]])
    unit = lang.unit(p) if kind == "qty" else row["unit"]
    page.chart = chart_data(lang, p, [m for m, _v in points], unit, str(_("Latest")), points, [], firsts, [])
    page.chart["series"] = ["actual", "first", "vintages"]  # the lines this page draws
    page.chart["vintages"] = [
        {"id": v.id, "name": str(_("As published in %(release)s") % {"release": v.label}), "data": line}
        for v, line in zip(page.overlaid, lines, strict=True)
    ]
    page.period = period or page.end
    page.period_label = lang.month(page.period, short=True)
    every = _observations(reader, resolved, page.period, page.period, view="all")
    for r in every.iter_rows(named=True):
        page.history.append(
            {
                "release": f"{r['release_period']}.v{r['vintage']}",
                "at": when(r["realtime_start"], lang),
                "value": cell(lang, r, kind, p),
            }
        )
    page.query = f"start={page.start}&end={page.end}"
    page.view_query = page.query + "".join(f"&vintage={v.id}" for v in page.overlaid)
    shown = [*latest["realtime_start"].to_list(), *every["realtime_start"].to_list()]
    later = [t for t in shown if t is not None and t > timezone.now()]
    later += [v.moment for v in page.overlaid if v.embargoed]
    page.embargoed_at = min(later) if later else None
    return page
