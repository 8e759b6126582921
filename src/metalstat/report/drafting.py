"""Drafting: one vintage of figures and the month's context -> a report in one language.

Python gathers the facts each paragraph may state (only those the figures hold, never a
suppressed or withheld value) and the language's templates word them. The result is a plain
structure (``Report``) that the HTML, Markdown and JSON renderers lay out.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from metalstat.catalog import Product
from metalstat.catalog.vocabulary import RETURN_STATUSES
from metalstat.engine.auxiliary import change, monthly_values, range_partner, series_month
from metalstat.engine.figures import parse_breakdown
from metalstat.report.charts import ChartData, production_chart
from metalstat.report.figureset import Fig, FigureSet, month_date, shift_month
from metalstat.report.inputs import (
    AuxiliarySeries,
    CapacityChange,
    CommentaryEntry,
    MaintenanceItem,
    ReportInput,
)
from metalstat.report.language import Language, common_noun, load_language

# The paragraphs of a product section, in reading order. Analyst commentary names one of
# these (or "end" for text after everything drafted); the overview has its own slot.
SLOTS = (
    "production",
    "operating_rate",
    "structure",
    "capacity",
    "drivers",
    "market",
    "forecast",
    "end",
)
OVERVIEW_SLOT = "overview"
# The reasons a section names for the month and for the outlook: the groups of events (by
# region and reason) that weigh most, capacity affected × days in the month.
MAX_REASONS = 3
# Fewer producers than this in a group of events: say how many, not how much capacity.
MIN_GROUP_FOR_CAPACITY = 3
# Producer counts crossed with a producer domain (province, region, feedstock ...): how many
# statements of "where" a section makes, and how many places may share the largest count
# before the tie says nothing about where producers are.
MAX_DOMAIN_STATEMENTS = 4
MAX_TIED_PLACES = 3
# A breakdown is drafted only where it tells more than the total: some cell's change (or
# rate) differs from the total's by this many percentage points or more; otherwise its cells
# stay in the key table's data and the figures export (docs/methodology.md).
BREAKDOWN_MIN_SPREAD = 0.5
# Domains whose values are places ("in Yunnan"); the others qualify the producer.
GEOGRAPHIC_DIMENSIONS = ("province", "region")


@dataclass(frozen=True)
class Paragraph:
    slot: str
    text: str
    source: str = "drafted"  # drafted | analyst
    author: str = ""


@dataclass(frozen=True)
class Cell:
    text: str
    status: str = ""  # an OBS_STATUS / CONF_STATUS letter to show beside the value
    numeric: bool = True


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    anchors: tuple[str, ...] = ()  # per row, a section anchor to link to (overview)


@dataclass
class Section:
    code: str
    name: str
    anchor: str
    paragraphs: list[Paragraph]
    table: Table | None
    chart_svg: str
    notes: list[str]
    # what the paragraphs were drafted from, for the consistency check (report.consistency)
    facts: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class Report:
    language: Language
    period: str
    vintage: int | None
    release_at: datetime | None
    status: str
    title: str
    subtitle: str
    intro: list[Paragraph]
    closing: list[Paragraph]
    overview: Table
    sections: list[Section]
    accuracy: Table
    methodology: Table
    methodology_text: list[str]
    legend: list[tuple[str, str]]
    statuses_used: set[str] = field(default_factory=set)


def _days(period: str) -> int:
    year, month = (int(x) for x in period.split("-"))
    return calendar.monthrange(year, month)[1]


def _month_end(period: str) -> date:
    return month_date(shift_month(period, 1)) - timedelta(days=1)


def _event_weight(item: MaintenanceItem, period: str) -> float:
    """How much an event weighs on the month, to rank the reasons: capacity affected (unit
    a year) × its days in the month (an event without a capacity counts as one unit a day,
    below any stated one)."""
    start, end = month_date(period), _month_end(period)
    first = max(item.start, start)
    last = min(item.end or end, end)
    days = max((last - first).days + 1, 0)
    return days * (item.capacity_affected if item.capacity_affected is not None else 1e-6)


def _overlaps(item: MaintenanceItem, period: str) -> bool:
    start, end = month_date(period), _month_end(period)
    return item.start <= end and (item.end is None or item.end >= start)


class _Drafter:
    def __init__(self, inp: ReportInput, lang: Language, figs: FigureSet) -> None:
        self.inp = inp
        self.lang = lang
        self.figs = figs
        self.t = inp.period
        self.statuses_used: set[str] = set()

    # --- figure access -------------------------------------------------------------------
    def v(self, p: Product, measure: str, stat: str, **kw: str) -> float | None:
        return self.figs.value(p.code, measure, stat, **kw)

    def f(self, p: Product, measure: str, stat: str, **kw: str) -> Fig | None:
        return self.figs.get(p.code, measure, stat, **kw)

    def _label_value(self, p: Product, dim_name: str, value: str) -> str:
        if dim_name == "size_class":
            for s in p.size_classes:
                if s.name == value:
                    return self.lang.name_of(s)
        for d in p.dimensions:
            if d.name == dim_name:
                for lab in d.values:
                    if lab.name == value:
                        return self.lang.name_of(lab)
        for group in ("regions", "provinces", "values"):
            table = self.lang.config.get(group, {})
            if value in table:
                return str(table[value])
        return value

    def _dimension_label(self, p: Product, dim_name: str) -> str:
        for d in p.dimensions:
            if d.name == dim_name:
                return self.lang.dimension_label(d)
        return self.lang.term("dimensions", dim_name)

    def _dimension_order(self, p: Product, dim_name: str, keys: list[str]) -> list[str]:
        """Breakdown keys of one dimension in the catalog's order of values."""
        order: list[str] = []
        if dim_name == "size_class":
            order = [s.name for s in p.size_classes]
        else:
            for d in p.dimensions:
                if d.name == dim_name:
                    order = list(d.value_names())
        rank = {v: i for i, v in enumerate(order)}
        return sorted(keys, key=lambda k: (rank.get(parse_breakdown(k)[dim_name], 999), k))

    def _single_dim_keys(self, p: Product, measure: str, **kw: str) -> dict[str, list[str]]:
        by_dim: dict[str, list[str]] = defaultdict(list)
        for key, parts in self.figs.breakdowns(p.code, measure, **kw).items():
            if len(parts) == 1:
                (dim,) = parts
                by_dim[dim].append(key)
        return by_dim

    # --- paragraph contexts --------------------------------------------------------------
    def context(self, p: Product) -> dict[str, Any]:
        lang = self.lang
        t = self.t
        code = p.code
        unit = lang.unit(p)
        per_year = lang.label("per_year", unit=unit)
        dec = p.decimals

        def q(x: float | None) -> str:
            return lang.qty(x, p.unit, unit, dec)

        def qy(x: float | None) -> str:
            return lang.qty(x, p.unit, per_year, dec)

        head = self.f(p, "production", "level")
        withheld = head is not None and head.withheld
        suppressed = head is not None and head.suppressed
        if head is not None and head.status:
            self.statuses_used.add(head.status)
        prod = {
            "level": self.v(p, "production", "level"),
            "daily": self.v(p, "production", "daily_avg"),
            "daily_mom_pct": self.v(p, "production", "daily_mom_pct"),
            "mom_abs": self.v(p, "production", "mom_abs"),
            "mom_pct": self.v(p, "production", "mom_pct"),
            "yoy_abs": self.v(p, "production", "yoy_abs"),
            "yoy_pct": self.v(p, "production", "yoy_pct"),
            "lfl_mom": self.v(p, "production", "lfl_mom_pct"),
            "lfl_yoy": self.v(p, "production", "lfl_yoy_pct"),
            "panel_effect": self.v(p, "production", "panel_effect_pct"),
            "break": head is not None and head.has_flag("B"),
            # status I: the imputed part of the estimate is above the product's threshold
            "imputed_high": head is not None and head.has_flag("I"),
            "imputed_max": p.thresholds.imputed_share_max * 100,
            "withheld": withheld,
            "suppressed": suppressed,
            "status": head.status if head else "",
            **self._prior_forecast(p),
        }
        contents = []
        if p.content == "both":
            for content in ("metal", "physical"):
                if content == p.headline_content:
                    continue  # the headline already states it
                key = f"content={content}"
                level = self.v(p, "production", "level", breakdown=key)
                if level is None:
                    continue
                contents.append(
                    {
                        "content": content,
                        "label": lang.term("contents", content),
                        "level": level,
                        "mom_abs": self.v(p, "production", "mom_abs", breakdown=key),
                        "mom_pct": self.v(p, "production", "mom_pct", breakdown=key),
                        "yoy_pct": self.v(p, "production", "yoy_pct", breakdown=key),
                    }
                )
        ytd = {
            "span": self.figs.ytd,
            "level": self.v(p, "production", "ytd_level", period=self.figs.ytd),
            "abs": self.v(p, "production", "ytd_abs", period=self.figs.ytd),
            "pct": self.v(p, "production", "ytd_pct", period=self.figs.ytd),
        }
        if t.endswith("-01"):
            ytd = {"span": self.figs.ytd, "level": None, "abs": None, "pct": None}

        rate = None
        rate_level = self.v(p, "operating_rate", "level")
        if rate_level is not None:
            rate = {
                "basis": p.operating_rate,
                "level": rate_level,
                "pp_mom": self.v(p, "operating_rate", "pp_mom"),
                "pp_yoy": self.v(p, "operating_rate", "pp_yoy"),
                "lfl_pp_mom": self.v(p, "operating_rate", "lfl_pp_mom"),
                "panel_effect": self.v(p, "operating_rate", "panel_effect_pp"),
                "groups": self._rate_groups(p, kind="actual", period=t),
            }
        capacity = {
            "level": self.v(p, "capacity", "level"),
            "mom_abs": self.v(p, "capacity", "mom_abs"),
            "mom_pct": self.v(p, "capacity", "mom_pct"),
            "operating": self.v(p, "operating_capacity", "level"),
            "operating_mom_abs": self.v(p, "operating_capacity", "mom_abs"),
            "operating_mom_pct": self.v(p, "operating_capacity", "mom_pct"),
            "changes": self._capacity_changes(p, t),
            "operating_by": self._capacity_groups(p, "operating_capacity", "actual", t),
        }
        structure = self._structure(p)
        counts = self._counts(p)
        events = self._event_groups(p, t, planned_only=False)
        aux = self._auxiliary(p)

        fc_period = self.figs.next
        fck = {"kind": "forecast", "period": fc_period}
        fc: dict[str, Any] = {
            "period": fc_period,
            "days": _days(fc_period),
            "level": self.v(p, "production", "level", **fck),
            "mom_abs": self.v(p, "production", "mom_abs", **fck),
            "mom_pct": self.v(p, "production", "mom_pct", **fck),
            "yoy_abs": self.v(p, "production", "yoy_abs", **fck),
            "yoy_pct": self.v(p, "production", "yoy_pct", **fck),
            "daily_mom_pct": self.v(p, "production", "daily_mom_pct", **fck),
            "ytd_span": self.figs.ytd_next,
            "ytd_level": self.v(p, "production", "ytd_level", kind="forecast", period=self.figs.ytd_next),
            "ytd_abs": self.v(p, "production", "ytd_abs", kind="forecast", period=self.figs.ytd_next),
            "ytd_pct": self.v(p, "production", "ytd_pct", kind="forecast", period=self.figs.ytd_next),
            "seasonal_naive": self.v(p, "production", "level", breakdown="method=seasonal_naive", **fck),
            "ets": self.v(p, "production", "level", breakdown="method=ets", **fck),
            "contents": [],
            "rate": None,
            "events": self._event_groups(p, fc_period, planned_only=True, starting_after=t),
            "capacity_changes": self._capacity_changes(p, fc_period),
            "structure": self._structure(p, kind="forecast", period=fc_period),
            "operating_capacity": self.v(p, "operating_capacity", "level", **fck),
            "operating_capacity_mom_abs": self.v(p, "operating_capacity", "mom_abs", **fck),
            "operating_capacity_mom_pct": self.v(p, "operating_capacity", "mom_pct", **fck),
            "operating_by": self._capacity_groups(p, "operating_capacity", "forecast", fc_period),
            # producers planning lower or higher output next month
            "reduced": self.v(p, "producer_share", "level", breakdown="change=reduced", **fck),
            "increased": self.v(p, "producer_share", "level", breakdown="change=increased", **fck),
            "reduced_n": self._int(self.v(p, "producer_count", "count", breakdown="change=reduced", **fck)),
            "increased_n": self._int(self.v(p, "producer_count", "count", breakdown="change=increased", **fck)),
            "compared": self._int(self.v(p, "producer_count", "count", breakdown="change=compared", **fck)),
            "where": self._domain_counts(p, kind="forecast", period=fc_period),
        }
        if p.producer_counts == "status":
            fc.update(reduced=None, increased=None, reduced_n=None, increased_n=None, compared=None)
            fc["where"].update(reduced=None, increased=None)
        elif _has_change_family(fc):
            fc["where"]["status"] = []  # one family of counts: by change of daily output
        if fc["level"] is not None and fc["ytd_level"] is None and fc_period.endswith("-01"):
            fc["ytd_span"] = None
        if p.content == "both":
            for content in ("metal", "physical"):
                if content == p.headline_content:
                    continue  # the headline forecast states it
                key = f"content={content}"
                level = self.v(p, "production", "level", breakdown=key, **fck)
                if level is not None:
                    fc["contents"].append(
                        {
                            "content": content,
                            "label": lang.term("contents", content),
                            "level": level,
                            "mom_pct": self.v(p, "production", "mom_pct", breakdown=key, **fck),
                            "yoy_pct": self.v(p, "production", "yoy_pct", breakdown=key, **fck),
                        }
                    )
        fc_rate = self.v(p, "operating_rate", "level", **fck)
        if fc_rate is not None:
            fc["rate"] = {
                "level": fc_rate,
                "pp_mom": self.v(p, "operating_rate", "pp_mom", **fck),
                "groups": self._rate_groups(p, kind="forecast", period=fc_period),
            }
        name = lang.product_name(p)
        subject = str(lang.config.get("subject", {}).get(p.scope, "{name}")).format(name=name, common=common_noun(name))
        return {
            "code": code,
            "name": name,
            "subject": subject,
            "headline_content": (lang.term("contents", p.headline_content) if p.content == "both" else ""),
            "scope": p.scope,
            "scope_name": lang.term("scopes", p.scope),
            "unit": unit,
            "per_year": per_year,
            "dec": dec,
            "q": q,
            "qy": qy,
            "period": t,
            "previous": self.figs.previous,
            "year_ago": self.figs.year_ago,
            "days": _days(t),
            "prev_days": _days(self.figs.previous),
            "prod": prod,
            "contents": contents,
            "ytd": ytd,
            "rate": rate,
            "capacity": capacity,
            "structure": structure,
            "counts": counts,
            "events": events,
            "aux": aux,
            "fc": fc,
        }

    def _prior_forecast(self, p: Product) -> dict[str, float | None]:
        """Last month's forecast of this month and its error against the estimate."""
        err_pct = err_abs = None
        for kind in ("actual", "forecast"):
            err_pct = err_pct if err_pct is not None else self.v(p, "forecast_error", "pct", kind=kind)
            err_abs = err_abs if err_abs is not None else self.v(p, "forecast_error", "abs", kind=kind)
        actual = self.v(p, "production", "level")
        prior = None
        if actual is not None and err_abs is not None:
            prior = actual + err_abs
        elif actual is not None and err_pct is not None:
            prior = actual * (1 + err_pct / 100)
        return {"prior_forecast": prior, "forecast_error": err_pct}

    def _rate_groups(self, p: Product, *, kind: str, period: str) -> list[dict[str, Any]]:
        groups = []
        by_dim = self._single_dim_keys(p, "operating_rate", kind=kind, period=period)
        dims = sorted(by_dim, key=lambda d: (d != "size_class", d))
        for dim in dims:
            items = []
            for key in self._dimension_order(p, dim, by_dim[dim]):
                level = self.v(p, "operating_rate", "level", breakdown=key, kind=kind, period=period)
                if level is None:
                    continue
                value = parse_breakdown(key)[dim]
                items.append(
                    {
                        "label": self._label_value(p, dim, value),
                        "level": level,
                        "pp_mom": self.v(p, "operating_rate", "pp_mom", breakdown=key, kind=kind, period=period),
                        "pp_yoy": self.v(p, "operating_rate", "pp_yoy", breakdown=key, kind=kind, period=period),
                    }
                )
            total = {
                "level": self.v(p, "operating_rate", "level", kind=kind, period=period),
                "pp_mom": self.v(p, "operating_rate", "pp_mom", kind=kind, period=period),
            }
            if items and _informative(items, total):
                groups.append({"dimension": dim, "label": self._dimension_label(p, dim), "items": items})
        return groups

    def _structure(self, p: Product, *, kind: str = "actual", period: str | None = None) -> list[dict[str, Any]]:
        period = period or self.t
        kw = {"kind": kind, "period": period}
        out = []
        by_dim = self._single_dim_keys(p, "production", **kw)
        shares = self._single_dim_keys(p, "share", **kw)
        for dim in list(by_dim) + [d for d in shares if d not in by_dim]:
            if dim in ("content", "method"):
                continue
            keys = sorted(set(by_dim.get(dim, [])) | set(shares.get(dim, [])))
            items = []
            for key in self._dimension_order(p, dim, keys):
                value = parse_breakdown(key)[dim]
                item = {
                    "label": self._label_value(p, dim, value),
                    "level": self.v(p, "production", "level", breakdown=key, **kw),
                    "mom_abs": self.v(p, "production", "mom_abs", breakdown=key, **kw),
                    "mom_pct": self.v(p, "production", "mom_pct", breakdown=key, **kw),
                    "yoy_pct": self.v(p, "production", "yoy_pct", breakdown=key, **kw),
                    "share": self.v(p, "share", "level", breakdown=key, **kw),
                    "share_pp": self.v(p, "share", "pp_mom", breakdown=key, **kw),
                }
                hidden = [
                    f
                    for f in (
                        self.f(p, "production", "level", breakdown=key, **kw),
                        self.f(p, "share", "level", breakdown=key, **kw),
                    )
                    if f is not None and (f.suppressed or f.withheld)
                ]
                for f in hidden:
                    self.statuses_used.add(f.conf_status if f.suppressed else "U")
                item["hidden"] = bool(hidden)
                if any(item[k] is not None for k in ("level", "mom_pct", "yoy_pct", "share")) or hidden:
                    items.append(item)
            kind = "partition"
            for d in p.dimensions:
                if d.name == dim:
                    kind = d.kind
            total = {k: self.v(p, "production", k, **kw) for k in ("mom_pct", "yoy_pct")}
            has_shares = any(i["share"] is not None for i in items)
            if items and (has_shares or any(i["hidden"] for i in items) or _informative(items, total)):
                out.append(
                    {
                        "dimension": dim,
                        "label": self._dimension_label(p, dim),
                        "kind": kind,
                        "items": items,
                        "any_hidden": any(i["hidden"] for i in items),
                    }
                )
        return out

    def _capacity_groups(self, p: Product, measure: str, kind: str, period: str) -> list[dict[str, Any]]:
        """Capacity (or operating capacity) by a breakdown, e.g. by region."""
        kw = {"kind": kind, "period": period}
        groups = []
        for dim, keys in self._single_dim_keys(p, measure, **kw).items():
            items = []
            for key in self._dimension_order(p, dim, keys):
                level = self.v(p, measure, "level", breakdown=key, **kw)
                mom_abs = self.v(p, measure, "mom_abs", breakdown=key, **kw)
                if level is None and mom_abs is None:
                    continue
                items.append(
                    {
                        "label": self._label_value(p, dim, parse_breakdown(key)[dim]),
                        "level": level,
                        "mom_abs": mom_abs,
                        "mom_pct": self.v(p, measure, "mom_pct", breakdown=key, **kw),
                    }
                )
            total = {"mom_pct": self.v(p, measure, "mom_pct", **kw)}
            if items and _informative(items, total):
                groups.append({"dimension": dim, "label": self._dimension_label(p, dim), "items": items})
        return groups

    def _counts(self, p: Product) -> dict[str, Any]:
        statuses = []
        for status in RETURN_STATUSES:
            key = f"status={status}"
            count = self.v(p, "producer_count", "count", breakdown=key)
            change = self.v(p, "producer_count", "count_change", breakdown=key)
            if count is None or (round(count) == 0 and not change):
                continue  # nobody in that status, now or last month: nothing to say
            statuses.append(
                {
                    "status": status,
                    "label": self.lang.term("statuses", status),
                    "label_one": self.lang.term("statuses_one", status),
                    "count": round(count),
                    "change": self._int(self.v(p, "producer_count", "count_change", breakdown=key)),
                }
            )
        prev = self.figs.previous
        out: dict[str, Any] = {
            "sample": self._int(self.v(p, "producer_count", "count")),
            "provinces": self._int(self.v(p, "province_count", "count")),
            "statuses": statuses,
            "reduced": self.v(p, "producer_share", "level", breakdown="change=reduced"),
            "reduced_prev": self.v(p, "producer_share", "level", breakdown="change=reduced", period=prev),
            "increased": self.v(p, "producer_share", "level", breakdown="change=increased"),
            "increased_prev": self.v(p, "producer_share", "level", breakdown="change=increased", period=prev),
            "reduced_n": self._int(self.v(p, "producer_count", "count", breakdown="change=reduced")),
            "increased_n": self._int(self.v(p, "producer_count", "count", breakdown="change=increased")),
            "compared": self._int(self.v(p, "producer_count", "count", breakdown="change=compared")),
            "where": self._domain_counts(p, kind="actual", period=self.t),
        }
        # One family of counts a section: by reported status where the catalog says so (a
        # sample of whom most stopped or cut), else the change of daily output, which
        # explains the level (counts by status only where no change can be counted).
        if p.producer_counts == "status" and out["statuses"]:
            keys = ("reduced", "reduced_prev", "increased", "increased_prev", "reduced_n", "increased_n", "compared")
            out.update(dict.fromkeys(keys))
            out["where"].update(reduced=None, increased=None)
        elif _has_change_family(out):
            out["statuses"] = []
            out["where"]["status"] = []
        return out

    def _domain_counts(self, p: Product, *, kind: str, period: str) -> dict[str, Any]:
        """Where the producers counted by status or by change of output are, from the counts
        crossed with a producer domain (``province=Yunnan;status=commissioning``).

        One statement per status and per direction of change: the domain value holding most
        of those producers (ties named together, up to MAX_TIED_PLACES). With several
        domains (region and province) the largest count wins, then the fewer places named,
        then the finer domain, so the same producers are never placed twice. A tie across
        every place that has such producers says nothing and is left out, as are "normal"
        (no driver) and a residual value "other". Statements are ranked by count, largest
        first, then by the share of the status they hold; MAX_DOMAIN_STATEMENTS are kept. A
        statement is made only beside the overall count it details, never on its own.
        """
        kw = {"kind": kind, "period": period}
        cells: dict[tuple[str, str], dict[str, dict[str, int]]] = defaultdict(dict)
        for key, parts in self.figs.breakdowns(p.code, "producer_count", **kw).items():
            axis: str | None = next((a for a in ("change", "status") if a in parts), None)
            if axis is None or len(parts) != 2:
                continue
            (dim,) = (d for d in parts if d != axis)
            value = parts[dim]
            if dim == "size_class" or parts[axis] == "normal" or value.lower() == "other":
                continue
            n = self._int(self.v(p, "producer_count", "count", breakdown=key, **kw))
            if n is not None and n > 0:
                cells[(axis, parts[axis])].setdefault(dim, {})[value] = n
        statements: list[dict[str, Any]] = []
        for (axis, what), by_dim in cells.items():
            total = self._int(self.v(p, "producer_count", "count", breakdown=f"{axis}={what}", **kw))
            if not total:
                continue
            best: tuple[tuple[int, int, int], str, list[str], int] | None = None
            for dim, values in by_dim.items():
                top = max(values.values())
                ordered = self._dimension_order(p, dim, [f"{dim}={v}" for v in values])
                places = [parse_breakdown(k)[dim] for k in ordered]
                places = [v for v in places if values[v] == top]
                if len(places) > MAX_TIED_PLACES or 1 < len(places) == len(values):
                    continue
                rank = (top, -len(places), len(values))
                if best is None or rank > best[0]:
                    best = (rank, dim, places, top)
            if best is None:
                continue
            _, dim, places, n = best
            one = n == 1 and len(places) == 1
            # words for a status; a change's direction is worded by the templates
            words = {"label": "", "verb": "", "planned": ""}
            if axis == "status":
                words = {
                    "label": self.lang.term("statuses", what),
                    "verb": self.lang.term("statuses_one" if one else "statuses", what),
                    "planned": self.lang.term("statuses_planned_one" if one else "statuses_planned", what),
                }
            statements.append(
                {
                    "axis": axis,
                    "key": what,
                    "n": n,
                    "total": total,
                    "share": n / total * 100,
                    "places": [self._label_value(p, dim, v) for v in places],
                    "geo": dim in GEOGRAPHIC_DIMENSIONS,
                    "dimension": dim,
                    "dimension_label": self._dimension_label(p, dim),
                    # every producer of that status (or change) is in this one place
                    "all": n == total and len(places) == 1,
                    **words,
                }
            )
        order = {s: i for i, s in enumerate(("reduced", "increased", *RETURN_STATUSES))}
        statements.sort(key=lambda s: (-s["n"], -s["share"], order.get(s["key"], 99)))
        kept = statements[:MAX_DOMAIN_STATEMENTS]
        # statuses whose producers are in the same places are said together ("in Yunnan, 3 cut
        # output and 2 were commissioning"), in the order of their first statement
        groups: dict[tuple[str, tuple[str, ...]], dict[str, Any]] = {}
        for s in kept:
            if s["axis"] == "status":
                group = groups.setdefault(
                    (s["dimension"], tuple(s["places"])),
                    {k: s[k] for k in ("places", "geo", "dimension", "dimension_label")},
                )
                group.setdefault("items", []).append(s)
        return {
            "status": list(groups.values()),
            "reduced": next((s for s in kept if s["axis"] == "change" and s["key"] == "reduced"), None),
            "increased": next((s for s in kept if s["axis"] == "change" and s["key"] == "increased"), None),
        }

    @staticmethod
    def _int(x: float | None) -> int | None:
        return None if x is None else round(x)

    def _event_groups(
        self,
        p: Product,
        period: str,
        *,
        planned_only: bool,
        starting_after: str | None = None,
    ) -> list[dict[str, Any]]:
        groups: dict[tuple[str, str], list[MaintenanceItem]] = defaultdict(list)
        for e in self.inp.events:
            if e.product != p.code or not _overlaps(e, period):
                continue
            if planned_only and not e.planned:
                continue
            if starting_after is not None and e.start <= _month_end(starting_after):
                continue
            groups[(e.region, e.reason)].append(e)
        out = []

        def weight(kv: tuple[tuple[str, str], list[MaintenanceItem]]) -> tuple[float, int, tuple[str, str]]:
            return (-sum(_event_weight(e, period) for e in kv[1]), -len(kv[1]), kv[0])

        for (region, reason), items in sorted(groups.items(), key=weight)[:MAX_REASONS]:
            cap = [e.capacity_affected for e in items if e.capacity_affected is not None]
            out.append(
                {
                    "region": self._label_value(p, "region", region) if region else "",
                    "reason": self.lang.term("reasons", reason),
                    "n": len(items),
                    "planned": sum(1 for e in items if e.planned),
                    # a total over fewer producers could reveal one plant's size
                    "capacity": sum(cap) if len(items) >= MIN_GROUP_FOR_CAPACITY and cap else None,
                }
            )
        return out

    def _capacity_changes(self, p: Product, period: str) -> list[dict[str, Any]]:
        start, end = month_date(period), _month_end(period)
        groups: dict[tuple[str, str], list[CapacityChange]] = defaultdict(list)
        for c in self.inp.capacity_changes:
            if c.product == p.code and start <= c.valid_from <= end:
                groups[(c.event, c.region)].append(c)
        return [
            {
                "event": self.lang.term("capacity_events", event),
                "region": self._label_value(p, "region", region) if region else "",
                "n": len(items),
                "change": sum(c.change for c in items),
            }
            for (event, region), items in sorted(groups.items())
        ]

    def _auxiliary(self, p: Product) -> list[dict[str, Any]]:
        """Market series quoted for the product, month by month like the figures export:
        a month's value is its last observation; changes are against the previous month and
        the same month a year earlier; a value already set for next month is quoted too."""
        out = []
        series: AuxiliarySeries
        for series in self.inp.auxiliary:
            if series.product != p.code:
                continue
            by_month = {}
            for o in sorted(series.observations, key=lambda o: o.date):
                by_month[f"{o.date.year:04d}-{o.date.month:02d}"] = o
            # the month's value, or the latest of the two months before (customs data lag)
            month = next((m for m in (shift_month(self.t, -k) for k in range(3)) if m in by_month), None)
            if month is None:
                continue
            cur = by_month[month]
            values = monthly_values((o.date, o.value) for o in series.observations)
            stated = series_month(values, cur.date.replace(day=1), unit=series.unit, kind=series.kind)
            assert stated is not None
            before = by_month.get(shift_month(month, -1))
            mom_abs, mom_pct = stated.mom_abs, stated.mom_pct
            yoy_abs, yoy_pct = stated.yoy_abs, stated.yoy_pct
            nxt = by_month.get(self.figs.next) if month == self.t else None
            next_abs, next_pct = change(nxt.value if nxt else None, cur.value)
            # a January-to-month sum is worth quoting from February on
            ytd = stated.ytd if cur.date.month > 1 else None
            unit = self.lang.term("units", series.unit)
            unit_code = series.unit.split(" ")[0]  # "mt metal" scales as mt
            out.append(
                {
                    "code": series.code,
                    "kind": series.kind,
                    "series_name": series.name,
                    "unit_code": series.unit,
                    "name": self.lang.name_of(series),
                    "unit": unit,
                    "value": cur.value,
                    "date": cur.date,
                    "at_month_end": cur.date == _month_end(month),
                    "note": cur.note,
                    "previous": before.value if before else None,
                    "mom_abs": mom_abs,
                    "mom_pct": mom_pct,
                    "yoy_abs": yoy_abs,
                    "yoy_pct": yoy_pct,
                    "month": month,
                    "previous_month": shift_month(month, -1),
                    "ytd": ytd,
                    "ytd_span": f"{month[:4]}-01..{month}",
                    "next_value": nxt.value if nxt else None,
                    "next_mom_abs": next_abs,
                    "next_mom_pct": next_pct,
                    # a quoted market figure is shown as measured, not rounded like an estimate
                    "fmt": lambda x, u=unit, code=unit_code: self.lang.measured(x, code, u),
                }
            )
        return _join_ranges(out)

    # --- tables --------------------------------------------------------------------------
    def _cell(self, fig: Fig | None, text: str, quiet: tuple[str, ...] = ("A", "P")) -> Cell:
        """A table cell; statuses in ``quiet`` are not marked (a column header says them). A
        provisional month is said once, in the legend, not marked on every cell."""
        if fig is None:
            return Cell("")
        if fig.suppressed:
            self.statuses_used.add(fig.conf_status)
            return Cell(self.lang.setting("missing", "—"), fig.conf_status)
        if fig.withheld:
            self.statuses_used.add("U")
            return Cell(self.lang.setting("missing", "—"), "U")
        if fig.status == "P":
            self.statuses_used.add("P")  # explained once in the legend
        status = fig.status if fig.status not in ("", *quiet) else ""
        if status:
            self.statuses_used.add(status)
        return Cell(text, status)

    def key_table(self, p: Product, ctx: dict[str, Any]) -> Table:
        lang = self.lang
        dec = p.decimals
        t, nxt = self.t, self.figs.next
        rows: list[tuple[Cell, ...]] = []

        def label(text: str) -> Cell:
            return Cell(text, numeric=False)

        def pct_cell(fig: Fig | None) -> Cell:
            return Cell(lang.spct(fig.shown, dec)) if fig and fig.shown is not None else Cell("")

        def pp_cell(fig: Fig | None) -> Cell:
            return Cell(lang.spp(fig.shown, 2)) if fig and fig.shown is not None else Cell("")

        def level_row(
            name: str, measure: str, bkey: str = "", kind: str = "actual", period: str | None = None, rate: bool = False
        ) -> None:
            lv = self.figs.get(p.code, measure, "level", breakdown=bkey, kind=kind, period=period)
            if lv is None:
                return
            get = self.figs.get
            if rate:
                text = lang.pct(lv.shown, 2) if lv.shown is not None else ""
                mom = pp_cell(get(p.code, measure, "pp_mom", breakdown=bkey, kind=kind, period=period))
                yoy = pp_cell(get(p.code, measure, "pp_yoy", breakdown=bkey, kind=kind, period=period))
            else:
                text = ctx["q"](lv.shown) if lv.shown is not None else ""
                mom = pct_cell(get(p.code, measure, "mom_pct", breakdown=bkey, kind=kind, period=period))
                yoy = pct_cell(get(p.code, measure, "yoy_pct", breakdown=bkey, kind=kind, period=period))
            rows.append((label(name), self._cell(lv, text), mom, yoy))

        headline = lang.label("row_production")
        if p.content == "both":
            headline = lang.label("row_content", content=lang.term("contents", p.headline_content))
        level_row(headline, "production")
        for c in ctx["contents"]:
            level_row(
                lang.label("row_content", content=c["label"]),
                "production",
                f"content={c['content']}",
            )
        ytd = self.figs.get(p.code, "production", "ytd_level", period=self.figs.ytd)
        if ytd is not None and not t.endswith("-01"):
            ytd_pct = self.figs.get(p.code, "production", "ytd_pct", period=self.figs.ytd)
            rows.append(
                (
                    label(lang.label("row_ytd", span=lang.span(self.figs.ytd))),
                    self._cell(ytd, ctx["q"](ytd.shown)),
                    Cell(""),
                    pct_cell(ytd_pct),
                )
            )
        if ctx["rate"] is not None:
            level_row(lang.label("row_rate"), "operating_rate", rate=True)
            for g in ctx["rate"]["groups"]:
                by_dim = self._single_dim_keys(p, "operating_rate").get(g["dimension"], [])
                for key in self._dimension_order(p, g["dimension"], by_dim):
                    value = parse_breakdown(key)[g["dimension"]]
                    level_row(
                        lang.label("row_rate_of", group=self._label_value(p, g["dimension"], value)),
                        "operating_rate",
                        key,
                        rate=True,
                    )
        cap = self.figs.get(p.code, "capacity", "level")
        if cap is not None:
            rows.append(
                (
                    label(lang.label("row_capacity")),
                    self._cell(cap, ctx["qy"](cap.shown)),
                    pct_cell(self.figs.get(p.code, "capacity", "mom_pct")),
                    Cell(""),
                )
            )
        opcap = self.figs.get(p.code, "operating_capacity", "level")
        if opcap is not None:
            rows.append(
                (
                    label(lang.label("row_operating_capacity")),
                    self._cell(opcap, ctx["qy"](opcap.shown)),
                    pct_cell(self.figs.get(p.code, "operating_capacity", "mom_pct")),
                    Cell(""),
                )
            )
        level_row(
            lang.label("row_forecast", month=lang.month(nxt, short=True)),
            "production",
            kind="forecast",
            period=nxt,
        )
        if ctx["fc"]["rate"] is not None:
            level_row(
                lang.label("row_forecast_rate", month=lang.month(nxt, short=True)),
                "operating_rate",
                kind="forecast",
                period=nxt,
                rate=True,
            )
        columns = (
            lang.label("col_indicator"),
            lang.month(t, short=True),
            lang.label("col_mom"),
            lang.label("col_yoy"),
        )
        return Table(columns, tuple(rows))

    # --- whole report --------------------------------------------------------------------
    def section(self, p: Product) -> Section:
        lang = self.lang
        ctx = self.context(p)
        commentary = [c for c in self.inp.commentary if c.product == p.code and c.language == lang.code]
        paragraphs: list[Paragraph] = []
        for slot in SLOTS:
            drafted = lang.paragraph(slot, ctx)
            paragraphs.extend(_place(slot, drafted, commentary))
        chart = production_chart(self._chart_data(p, ctx), lang)
        notes = []
        note = lang.paragraph("sample_note", self._sample_context(p, ctx))
        if note:
            notes.append(note)
        return Section(
            code=p.code,
            name=ctx["name"],
            anchor=f"p-{p.code}",
            paragraphs=paragraphs,
            table=self.key_table(p, ctx),
            chart_svg=chart,
            notes=notes,
            facts=ctx,
        )

    def _chart_data(self, p: Product, ctx: dict[str, Any]) -> ChartData:
        months = self.figs.chart_months
        levels = [self.v(p, "production", "level", period=m) for m in months]
        yoy = [self.v(p, "production", "yoy_pct", period=m) for m in months]
        rates = [self.v(p, "operating_rate", "level", period=m) for m in months]
        return ChartData(
            months=months,
            levels=levels,
            yoy=yoy,
            rates=rates if any(r is not None for r in rates) else None,
            forecast_month=self.figs.next,
            forecast=ctx["fc"]["level"],
            unit=ctx["unit"],
            unit_code=p.unit,
            title=ctx["name"],
        )

    def _sample_context(self, p: Product, ctx: dict[str, Any]) -> dict[str, Any]:
        return {
            **ctx,
            "sample": ctx["counts"]["sample"],
            "provinces": ctx["counts"]["provinces"],
            "sample_capacity": self.v(p, "capacity", "level", breakdown="basis=sample"),
            "coverage": self.v(p, "coverage", "level"),
            "response": self.v(p, "response_rate", "level"),
            "imputed": self.v(p, "imputed_share", "level"),
        }

    def overview(self, products: list[Product]) -> Table:
        lang = self.lang
        rows = []
        anchors = []
        for p in products:
            unit = lang.unit(p)
            level = self.f(p, "production", "level")
            mom = self.f(p, "production", "mom_pct")
            daily = self.f(p, "production", "daily_mom_pct")
            yoy = self.f(p, "production", "yoy_pct")
            fc_mom = self.f(p, "production", "mom_pct", kind="forecast", period=self.figs.next)
            dec = p.decimals

            def pc(fig: Fig | None, dec: int = dec) -> Cell:
                if fig is None:
                    return Cell("")
                # the level carries P/E/F; a change only shows what changes its reading
                return self._cell(fig, lang.spct(fig.shown, dec), quiet=("A", "P", "E", "F"))

            if level is not None and level.shown is not None:
                level_cell = self._cell(level, lang.qty(level.shown, p.unit, unit, dec))
            else:
                level_cell = self._cell(level, "")
            rows.append(
                (
                    Cell(lang.product_name(p), numeric=False),
                    level_cell,
                    pc(mom),
                    pc(daily),
                    pc(yoy),
                    pc(fc_mom),
                )
            )
            anchors.append(f"p-{p.code}")
        columns = (
            lang.label("col_product"),
            lang.month(self.t, short=True),
            lang.label("col_mom"),
            lang.label("col_daily_mom"),
            lang.label("col_yoy"),
            lang.label("col_forecast_mom", month=lang.month(self.figs.next, short=True)),
        )
        return Table(columns, tuple(rows), tuple(anchors))

    def accuracy(self, products: list[Product]) -> Table:
        lang = self.lang
        rows = []
        for p in products:
            err = None
            for kind in ("actual", "forecast"):
                err = err or self.f(p, "forecast_error", "pct", kind=kind)
            if err is None:
                continue
            kinds = ("actual", "forecast")
            err_abs = next(
                (x for k in kinds if (x := self.v(p, "forecast_error", "abs", kind=k)) is not None),
                None,
            )
            mape = next(
                (x for k in kinds if (x := self.v(p, "forecast_error", "mape", kind=k)) is not None),
                None,
            )
            actual = self.v(p, "production", "level")
            forecast = None
            if actual is not None and err_abs is not None:
                forecast = actual + err_abs
            elif actual is not None and err.shown is not None:
                forecast = actual * (1 + err.shown / 100)
            unit = lang.unit(p)
            rows.append(
                (
                    Cell(lang.product_name(p), numeric=False),
                    Cell(lang.qty(forecast, p.unit, unit, p.decimals) if forecast else ""),
                    Cell(lang.qty(actual, p.unit, unit, p.decimals) if actual else ""),
                    self._cell(err, lang.spct(err.shown, 2)),
                    Cell(lang.pct(mape, 2) if mape is not None else ""),
                )
            )
        columns = (
            lang.label("col_product"),
            lang.label("col_forecast_made", month=lang.month(self.t, short=True)),
            lang.label("col_actual"),
            lang.label("col_error"),
            lang.label("col_mape"),
        )
        return Table(columns, tuple(rows))

    def methodology(self, products: list[Product]) -> Table:
        lang = self.lang
        rows = []
        for p in products:
            sample = self.v(p, "producer_count", "count")
            provinces = self.v(p, "province_count", "count")
            cap = self.v(p, "capacity", "level", breakdown="basis=sample")
            cov = self.v(p, "coverage", "level")
            resp = self.v(p, "response_rate", "level")
            imp = self.v(p, "imputed_share", "level")
            unit = lang.label("per_year", unit=lang.unit(p))
            rows.append(
                (
                    Cell(lang.product_name(p), numeric=False),
                    Cell(lang.num(sample) if sample is not None else ""),
                    Cell(lang.num(provinces) if provinces is not None else ""),
                    Cell(lang.qty(cap, p.unit, unit, p.decimals) if cap is not None else ""),
                    Cell(lang.pct(cov, 1) if cov is not None else ""),
                    Cell(lang.pct(resp, 1) if resp is not None else ""),
                    Cell(lang.pct(imp, 1) if imp is not None else ""),
                )
            )
        columns = tuple(
            lang.label(k)
            for k in (
                "col_product",
                "col_sample",
                "col_provinces",
                "col_sample_capacity",
                "col_coverage",
                "col_response",
                "col_imputed",
            )
        )
        return Table(columns, tuple(rows))


def _join_ranges(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A range split into two series (``x_low``, ``x_high``) is quoted once: beside the
    series it bounds (``x``, as its high or low of the month), or as a range of its own
    named by what the two names share."""
    codes = {a["code"]: a for a in items}
    out: list[dict[str, Any]] = []
    for a in items:
        partner = range_partner(a["code"]) if a["kind"] == "range" else None
        if partner is None:
            out.append(a)
            continue
        side, base = partner
        if base in codes:
            codes[base][side] = a["value"]
            continue
        if side == "high" and base + "_low" in codes:
            continue  # quoted with its low
        high = codes.get(base + "_high")
        if side == "low" and high is not None and high["month"] == a["month"]:
            name = _shared_start(a["name"], high["name"]).rstrip(" （(")
            out.append({**a, "kind": "range", "name": name, "low": a["value"], "high": high["value"]})
        else:
            out.append(a)
    return out


def _shared_start(a: str, b: str) -> str:
    """The characters two names begin with ("Pb50 TC low", "Pb50 TC high": "Pb50 TC ")."""
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


def _informative(items: list[dict[str, Any]], total: dict[str, float | None]) -> bool:
    """Whether a breakdown's cells tell more than its total: some cell's value of a key the
    total has differs from it by BREAKDOWN_MIN_SPREAD or more. Where no cell can be compared
    (no such value in the cells or the total), the breakdown is kept."""
    compared = False
    for key, t in total.items():
        if t is None:
            continue
        for i in items:
            if i.get(key) is not None:
                compared = True
                if abs(i[key] - t) >= BREAKDOWN_MIN_SPREAD:
                    return True
    return not compared


def _has_change_family(counts: dict[str, Any]) -> bool:
    """Whether producers lowering or raising output are counted (the engine compares daily
    output of the producers reporting both months)."""
    return any(counts.get(k) is not None for k in ("reduced", "reduced_n", "increased", "increased_n"))


def _movers(products: list[Product], figs: FigureSet, lang: Language) -> dict[str, Any]:
    """How many products rose, fell or held flat, and the largest moves, for the overview."""
    changes: list[dict[str, Any]] = []
    ahead = {"up": 0, "down": 0, "flat": 0}
    # months of different length: words and rankings follow the daily average
    per_day = _days(figs.period) != _days(figs.previous)
    per_day_next = _days(figs.next) != _days(figs.period)
    per_day_all = per_day_next_all = True
    for p in products:
        mom = figs.value(p.code, "production", "mom_pct")
        daily = figs.value(p.code, "production", "daily_mom_pct")
        if per_day and daily is not None:  # (a vintage from before daily changes has none)
            mom = daily
        elif per_day and mom is not None:
            per_day_all = False
        if mom is not None:
            shown = round(mom, p.decimals)
            changes.append({"name": lang.product_name(p), "pct": mom, "dec": p.decimals, "shown": shown})
        fc = figs.value(p.code, "production", "mom_pct", kind="forecast", period=figs.next)
        fc_daily = figs.value(p.code, "production", "daily_mom_pct", kind="forecast", period=figs.next)
        if per_day_next and fc_daily is not None:
            fc = fc_daily
        elif per_day_next and fc is not None:
            per_day_next_all = False
        if fc is not None:
            shown = round(fc, p.decimals)
            word = "flat" if lang.hedge(fc, p.decimals) == "flat" else "up" if shown > 0 else "down"
            ahead[word] += 1
    flat = [c for c in changes if lang.hedge(c["pct"], c["dec"]) == "flat"]
    up = sorted((c for c in changes if c not in flat and c["shown"] > 0), key=lambda c: -c["pct"])
    down = sorted((c for c in changes if c not in flat and c["shown"] < 0), key=lambda c: c["pct"])
    return {
        "n_up": len(up),
        "n_down": len(down),
        "n_flat": len(flat),
        "top_up": up[:3],
        "top_down": down[:3],
        "ahead": ahead,
        "per_day": per_day and per_day_all,
        "per_day_next": per_day_next and per_day_next_all,
        "days": _days(figs.period),
        "prev_days": _days(figs.previous),
        "next_days": _days(figs.next),
    }


def _place(slot: str, drafted: str, commentary: list[CommentaryEntry]) -> list[Paragraph]:
    """The paragraphs of one slot: the analyst's text before, instead of, or after the draft."""
    mine = [c for c in commentary if c.slot == slot]
    before = [c for c in mine if c.mode == "before"]
    replace = [c for c in mine if c.mode == "replace"]
    after = [c for c in mine if c.mode == "after"]
    out = [Paragraph(slot, c.text.strip(), "analyst", c.author) for c in before]
    if replace:
        out.extend(Paragraph(slot, c.text.strip(), "analyst", c.author) for c in replace)
    elif drafted:
        out.append(Paragraph(slot, drafted))
    out.extend(Paragraph(slot, c.text.strip(), "analyst", c.author) for c in after)
    return [p for p in out if p.text]


def draft_report(inp: ReportInput, language: str, figures: FigureSet | None = None) -> Report:
    """Draft the whole report for one language (``figures`` may be shared across languages)."""
    lang = load_language(language)
    figs = figures or FigureSet(inp.figures, inp.period)
    drafter = _Drafter(inp, lang, figs)
    products = [inp.catalog.get(code) for code in inp.product_codes()]
    sections = [drafter.section(p) for p in products]
    overview_ctx = {
        "period": inp.period,
        "next": figs.next,
        "n_products": len(products),
        "vintage": inp.vintage,
        "status": inp.status,
        **_movers(products, figs, lang),
    }
    report_wide = [c for c in inp.commentary if c.product == "" and c.language == lang.code]
    # report-wide text: "end" closes the product sections, any other slot joins the overview
    intro = _place(
        OVERVIEW_SLOT,
        lang.paragraph(OVERVIEW_SLOT, overview_ctx),
        [
            c if c.slot == OVERVIEW_SLOT else replace(c, slot=OVERVIEW_SLOT, mode="after")
            for c in report_wide
            if c.slot != "end"
        ],
    )
    closing = _place("end", "", [c for c in report_wide if c.slot == "end"])
    overview = drafter.overview(products)
    accuracy = drafter.accuracy(products)
    methodology = drafter.methodology(products)
    method_text = [
        lang.paragraph("methodology", overview_ctx),
    ]
    statuses = drafter.statuses_used
    legend_table = lang.config.get("obs_status", {})
    legend = [
        (
            code,
            lang.label("legend_provisional", month=lang.month(inp.period))
            if code == "P"
            else str(legend_table.get(code, code)),
        )
        for code in sorted(statuses)
        if code
    ]
    return Report(
        language=lang,
        period=inp.period,
        vintage=inp.vintage,
        release_at=inp.release_at,
        status=inp.status,
        title=lang.label("title"),
        subtitle=lang.label("subtitle", month=lang.month(inp.period), next=lang.month(figs.next)),
        intro=intro,
        closing=closing,
        overview=overview,
        sections=sections,
        accuracy=accuracy,
        methodology=methodology,
        methodology_text=[t for t in method_text if t],
        legend=legend,
        statuses_used=statuses,
    )
