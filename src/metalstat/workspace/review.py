"""The figure review: the month's newest vintage beside the live one and last month's
forecast, and the lineage of a figure (production, its producer-domain cells, operating
capacity, operating rate). Figures are read through
``releases.queries`` (analysts and editors only); the lineage from the vintage's stored
weighted sample and cell statuses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from metalstat.catalog import load_catalog
from metalstat.engine.calendar import add_months
from metalstat.engine.figures import parse_breakdown
from metalstat.releases.models import CellStatus, Release, SampleUnit
from metalstat.releases.queries import NotVisible, find_release, latest_published, release_figures


def _headline(frame: pl.DataFrame, kind: str, period: str, statistic: str = "level") -> dict[str, Any]:
    rows = frame.filter(
        (pl.col("kind") == kind)
        & (pl.col("measure") == "production")
        & (pl.col("breakdown") == "")
        & (pl.col("statistic") == statistic)
        & (pl.col("period") == period)
    )
    return {r["product"]: r for r in rows.iter_rows(named=True)}


@dataclass
class Review:
    release: Release
    live: Release | None  # the month's vintage the public sees now, if any
    rows: list[dict[str, Any]]
    revisions: list[dict[str, Any]]  # earlier month's headline revised against its live vintage


def month_review(period: date, *, user: Any) -> Review | None:
    """None when the month has no vintage the user may see."""
    try:
        release = find_release(period, user=user)
    except NotVisible:
        return None
    t, prev = f"{period:%Y-%m}", f"{add_months(period, -1):%Y-%m}"
    draft = release_figures(release, user=user, periods=[t, prev])
    live = latest_published(period)
    live_figs = release_figures(live, user=user, periods=[t]) if live and live.pk != release.pk else None
    last = latest_published(add_months(period, -1))
    last_figs = release_figures(last, user=user, periods=[t, prev]) if last else None
    level, mom, yoy = (
        _headline(draft, "actual", t),
        _headline(draft, "actual", t, "mom_pct"),
        _headline(draft, "actual", t, "yoy_pct"),
    )
    live_level = _headline(live_figs, "actual", t) if live_figs is not None else {}
    forecast = _headline(last_figs, "forecast", t) if last_figs is not None else {}
    # Suppressed cells: breakdown cells whose production level is withheld (C or D).
    suppressed = (
        draft.filter(
            pl.col("conf_status").is_in(["C", "D"])
            & (pl.col("period") == t)
            & (pl.col("measure") == "production")
            & (pl.col("statistic") == "level")
        )
        .group_by("product")
        .len()
    )
    n_suppressed = {r["product"]: r["len"] for r in suppressed.iter_rows(named=True)}
    catalog = load_catalog()
    rows = []
    for p in catalog:
        row = level.get(p.code)
        if row is None:
            continue
        value = row["value"]
        fc = forecast.get(p.code, {}).get("value")
        lv = live_level.get(p.code, {}).get("value")
        share = row["imputed_share"]
        rows.append(
            {
                "code": p.code,
                "name": p.name,
                "unit": row["unit"],
                "value": value,
                "status": row["flags"],
                "mom_pct": mom.get(p.code, {}).get("value"),
                "yoy_pct": yoy.get(p.code, {}).get("value"),
                "live": lv,
                "vs_live_pct": (value / lv - 1) * 100 if value is not None and lv else None,
                "forecast": fc,
                "vs_forecast_pct": (value / fc - 1) * 100 if value is not None and fc else None,
                "imputed_pct": share * 100 if share is not None else None,
                "imputed_high": share is not None and share > p.thresholds.imputed_share_max,
                "suppressed": n_suppressed.get(p.code, 0),
            }
        )
    rows.sort(key=lambda r: -abs(r["mom_pct"] or 0.0))
    revisions = []
    if last_figs is not None:
        before = _headline(last_figs, "actual", prev)
        for code, now in _headline(draft, "actual", prev).items():
            was = before.get(code, {}).get("value")
            if was and now["value"] is not None and abs(now["value"] / was - 1) > 1e-9:
                revisions.append(
                    {
                        "code": code,
                        "period": prev,
                        "was": was,
                        "now": now["value"],
                        "pct": (now["value"] / was - 1) * 100,
                    }
                )
    return Review(release=release, live=live, rows=rows, revisions=revisions)


# The figures a lineage traces from the stored sample, and the producer domains its
# breakdown cells may name (a return-reported part is a composition applied to the total,
# not a sum over units, and the existing capacity is the register's frame, not the sample).
TRACED = ("production", "operating_capacity", "operating_rate")
UNIT_DOMAINS = ("size_class", "region", "province", "feedstock", "nature")


@dataclass
class LineageRow:
    unit: SampleUnit
    cells: list[CellStatus]
    value: float | None  # what the unit contributes before weighting (output, running capacity)
    contribution: float | None  # weight × value (a level), or the value itself (a rate's numerator)
    potential: float | None = None  # a rate's denominator part
    domains: list[tuple[str, str, bool]] = field(default_factory=list)  # (domain, value, has a figure to trace)


@dataclass
class Lineage:
    release: Release
    product: str
    name: str
    measure: str
    breakdown: str
    figure: float | None  # the figure the vintage states
    total: float | None  # the same recomputed from the units listed
    formula: str  # how total is made from the rows, in words
    rows: list[LineageRow]
    note: str = ""  # why a figure is not traced, or what else it takes
    capacity: float | None = None  # a capacity-basis rate's denominator (the stated capacity)
    figures: list[tuple[str, str]] = field(default_factory=list)  # (measure, breakdown) to trace

    @property
    def measure_label(self) -> str:
        return self.measure.replace("_", " ")

    @property
    def units(self) -> list[SampleUnit]:
        return [r.unit for r in self.rows]

    @property
    def cells(self) -> dict[str, list[CellStatus]]:
        return {r.unit.producer: r.cells for r in self.rows}


def _domain_filter(breakdown: str) -> tuple[dict[str, str], str | None, str]:
    """The producer domains a breakdown key names, its content (or None), and what in it
    cannot be traced unit by unit ("" when all can)."""
    parts = parse_breakdown(breakdown)
    content = parts.pop("content", None)
    other = [k for k in parts if k not in UNIT_DOMAINS]
    why = f"{', '.join(other)} is reported in the returns, not a domain of producers" if other else ""
    return parts, content, why


def _stated(figs: pl.DataFrame, measure: str, breakdown: str, t: str) -> float | None:
    row = figs.filter(
        (pl.col("kind") == "actual")
        & (pl.col("measure") == measure)
        & (pl.col("breakdown") == breakdown)
        & (pl.col("statistic") == "level")
        & (pl.col("period") == t)
    )
    return row.get_column("value")[0] if row.height else None


def figure_lineage(
    period: date, product: str, *, user: Any, measure: str = "production", breakdown: str = ""
) -> Lineage | None:
    """The returns behind a figure of the month's newest vintage: production (the total or
    a producer-domain cell: size class, region, province, feedstock, nature), operating
    capacity, or the operating rate. Each sample unit of the cell with its value, how it was
    obtained, its stratum, capacity, weight and cells' statuses, and the figure recomputed
    from them as the engine makes it (docs/methodology.md). None: no vintage to see."""
    try:
        release = find_release(period, user=user)
    except NotVisible:
        return None
    t = f"{period:%Y-%m}"
    catalog = load_catalog()
    p = catalog.get(product)
    figs = release_figures(release, user=user, periods=[t]).filter(pl.col("product") == product)
    domains, content, why = _domain_filter(breakdown)
    rate_basis = p.operating_rate if measure == "operating_rate" else ""
    lineage = Lineage(
        release=release,
        product=product,
        name=p.name,
        measure=measure,
        breakdown=breakdown,
        figure=_stated(figs, measure, breakdown, t),
        total=None,
        formula="",
        rows=[],
        figures=sorted(
            {
                (m, b)
                for m, b in figs.filter(
                    pl.col("measure").is_in(TRACED) & (pl.col("statistic") == "level") & (pl.col("kind") == "actual")
                )
                .select("measure", "breakdown")
                .iter_rows()
                if not _domain_filter(b)[2]
            },
            key=lambda mb: (TRACED.index(mb[0]), mb[1].count(";"), mb[1]),
        ),
    )
    if measure not in TRACED or why or (rate_basis == "capacity" and breakdown):
        lineage.note = why or f"{measure} {breakdown or '(total)'} is not a sum over the sample's units"
        return lineage
    units = [
        u
        for u in SampleUnit.objects.filter(release=release, product=product, period=period).order_by("-value")
        if all((u.domains or {}).get(k) == v for k, v in domains.items())
    ]
    codes = {u.producer for u in units}
    cells: dict[str, list[CellStatus]] = {}
    for c in CellStatus.objects.filter(release=release, product=product, period=period).order_by("field"):
        if c.producer in codes:
            cells.setdefault(c.producer, []).append(c)
    metal = content == "metal" or (content is None and p.content == "both" and p.headline_content == "metal")
    if measure == "production":
        for u in units:
            y = u.value_metal if metal else u.value
            lineage.rows.append(LineageRow(u, cells.get(u.producer, []), y, None if y is None else u.weight * y))
        lineage.total = sum(r.contribution for r in lineage.rows if r.contribution is not None)
        lineage.formula = "Σ weight × " + ("metal content" if metal else "output")
    elif measure == "operating_capacity" or rate_basis == "capacity":
        running = [u for u in units if u.operating_capacity is not None]
        for u in running:
            assert u.operating_capacity is not None
            lineage.rows.append(
                LineageRow(u, cells.get(u.producer, []), u.operating_capacity, u.weight * u.operating_capacity)
            )
        op = sum(r.contribution for r in lineage.rows if r.contribution is not None)
        if measure == "operating_capacity":
            lineage.total, lineage.formula = op, "Σ weight × operating capacity"
        else:
            lineage.capacity = _stated(figs, "capacity", "", t)
            lineage.total = op / lineage.capacity * 100.0 if lineage.capacity else None
            lineage.formula = "Σ weight × operating capacity ÷ existing capacity × 100"
            lineage.note = "the existing capacity is the register's frame as the vintage states it"
    else:
        for u in units:
            if u.value is not None:
                lineage.rows.append(LineageRow(u, cells.get(u.producer, []), u.value, u.value, u.potential))
        potential = sum(r.potential or 0.0 for r in lineage.rows)
        lineage.total = sum(r.value or 0.0 for r in lineage.rows) / potential * 100.0 if potential else None
        lineage.formula = "Σ output ÷ Σ potential output (capacity in force × the month's share) × 100, unweighted"
    published = {b for m, b in lineage.figures if m == measure}
    for r in lineage.rows:
        r.domains = [(k, v, f"{k}={v}" in published) for k, v in (r.unit.domains or {}).items() if v]
    return lineage
