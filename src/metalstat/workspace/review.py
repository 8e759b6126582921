"""The figure review: the month's newest vintage beside the live one and last month's
forecast, and the lineage of a headline level. Figures are read through
``releases.queries`` (analysts and editors only); the lineage from the vintage's stored
weighted sample and cell statuses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from metalstat.catalog import load_catalog
from metalstat.engine.calendar import add_months
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


@dataclass
class Lineage:
    release: Release
    product: str
    figure: float | None  # the headline production level the vintage states
    total: float  # Σ weight × value over the sample
    units: list[SampleUnit]
    cells: dict[str, list[CellStatus]]  # producer -> its cells' statuses


def headline_lineage(period: date, product: str, *, user: Any) -> Lineage | None:
    """The returns behind a headline production level: every sample producer of the month
    with its value, how it was obtained, its stratum, capacity and weight."""
    try:
        release = find_release(period, user=user)
    except NotVisible:
        return None
    t = f"{period:%Y-%m}"
    figs = release_figures(release, user=user, periods=[t])
    head = _headline(figs.filter(pl.col("product") == product), "actual", t)
    units = list(SampleUnit.objects.filter(release=release, product=product, period=period).order_by("-value"))
    cells: dict[str, list[CellStatus]] = {}
    for c in CellStatus.objects.filter(release=release, product=product, period=period).order_by("field"):
        cells.setdefault(c.producer, []).append(c)
    total = sum((u.weight * u.value) for u in units if u.value is not None)
    return Lineage(
        release=release,
        product=product,
        figure=head.get(product, {}).get("value"),
        total=total,
        units=units,
        cells=cells,
    )
