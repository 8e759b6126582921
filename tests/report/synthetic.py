"""A synthetic vintage for every product of the catalog, for the benchmark and the slow
full-month test until the demo month is available. Deterministic; plausible, not calibrated.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import numpy as np
import polars as pl

from metalstat.catalog import Catalog, load_catalog, parse_catalog
from metalstat.catalog.vocabulary import RETURN_STATUSES
from metalstat.engine.figures import FIGURES
from metalstat.report.inputs import ReportInput


def full_catalog() -> Catalog:
    """The packaged catalog, with the second half of the products if it is still a separate
    file."""
    catalog = load_catalog()
    part2 = resources.files("metalstat.catalog").joinpath("products_part2.toml")
    if len(catalog) < 54 and part2.is_file():
        text = resources.files("metalstat.catalog").joinpath("products.toml").read_text("utf-8")
        catalog = parse_catalog(text + "\n" + part2.read_text("utf-8"))
    return catalog


def _shift(period: str, k: int) -> str:
    y, m = (int(x) for x in period.split("-"))
    i = y * 12 + m - 1 + k
    return f"{i // 12:04d}-{i % 12 + 1:02d}"


def synthetic_figures(catalog: Catalog, period: str = "2025-06", seed: int = 7) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    months = [_shift(period, -k) for k in range(23, -1, -1)]
    nxt = _shift(period, 1)

    def add(
        product: str,
        measure: str,
        statistic: str,
        per: str,
        value: float | None,
        breakdown: str = "",
        kind: str = "actual",
        unit: str = "mt",
        status: str = "A",
        conf: str = "F",
    ) -> None:
        rows.append(
            {
                "product": product,
                "kind": kind,
                "measure": measure,
                "breakdown": breakdown,
                "statistic": statistic,
                "period": per,
                "value": value,
                "unit": unit,
                "status": status,
                "flags": status,
                "conf_status": conf,
                "coverage": 0.9,
                "response_rate": 0.9,
                "imputed_share": 0.05,
                "n_producers": 20,
            }
        )

    def series(
        product: str,
        levels: dict[str, float],
        breakdown: str = "",
        unit: str = "mt",
        kind: str = "actual",
        daily: bool = True,
    ) -> None:
        for per, level in levels.items():
            status = "F" if kind == "forecast" else ("P" if per == period else "A")
            y, m = (int(x) for x in per.split("-"))
            add(product, "production", "level", per, level, breakdown, kind, unit, status)
            if daily:
                days = calendar.monthrange(y, m)[1]
                add(product, "production", "daily_avg", per, level / days, breakdown, kind, unit, status)
            prev = levels.get(_shift(per, -1)) or base.get(_shift(per, -1))
            if prev:
                add(product, "production", "mom_abs", per, level - prev, breakdown, kind, unit, status)
                add(product, "production", "mom_pct", per, (level / prev - 1) * 100, breakdown, kind, "%", status)
            ago = levels.get(_shift(per, -12)) or base.get(_shift(per, -12))
            if ago:
                add(product, "production", "yoy_abs", per, level - ago, breakdown, kind, unit, status)
                add(product, "production", "yoy_pct", per, (level / ago - 1) * 100, breakdown, kind, "%", status)

    for p in catalog:
        unit = p.unit
        scale = 50.0 if unit in ("GW",) else float(rng.choice([3e3, 2e4, 1.5e5, 1.1e6]))
        trend = rng.normal(0.004, 0.01)
        season = rng.uniform(0.0, 0.06)
        base: dict[str, float] = {}
        for i, per in enumerate(months):
            m = int(per[5:])
            base[per] = scale * (1 + trend) ** i * (1 - season * (m == 2)) * rng.normal(1, 0.02)
        series(p.code, base, unit=unit)
        fc_level = base[period] * rng.normal(1.01, 0.02)
        series(p.code, {nxt: fc_level}, unit=unit, kind="forecast", daily=False)
        base_fc = {**base, nxt: fc_level}
        for kind, end in (("actual", period), ("forecast", nxt)):
            y = end[:4]
            span = f"{y}-01..{end}"
            cur = sum(v for k, v in base_fc.items() if k[:4] == y and k <= end)
            ago_y = str(int(y) - 1)
            ago = sum(v for k, v in base_fc.items() if k[:4] == ago_y and k[5:] <= end[5:])
            status = "F" if kind == "forecast" else "P"
            add(p.code, "production", "ytd_level", span, cur, kind=kind, unit=unit, status=status)
            add(p.code, "production", "ytd_abs", span, cur - ago, kind=kind, unit=unit, status=status)
            add(p.code, "production", "ytd_pct", span, (cur / ago - 1) * 100, kind=kind, unit="%", status=status)
        add(p.code, "production", "level", nxt, fc_level * 0.98, "method=seasonal_naive", "forecast", unit, "F")
        add(p.code, "production", "level", nxt, fc_level * 1.01, "method=ets", "forecast", unit, "F")
        if p.content == "both":
            factor = p.metal_factor or 0.1
            other = "physical" if p.headline_content == "metal" else "metal"
            mult = 1 / factor if other == "physical" else factor
            series(p.code, {k: v for k, v in base.items()}, f"content={p.headline_content}", unit)
            series(p.code, {k: v * mult for k, v in base.items()}, f"content={other}", unit)
        if p.operating_rate != "none":
            rate = {per: float(np.clip(rng.normal(75, 6), 30, 99)) for per in months}
            for per in months[-13:]:
                add(p.code, "operating_rate", "level", per, rate[per], unit="%")
            add(p.code, "operating_rate", "pp_mom", period, rate[period] - rate[_shift(period, -1)], unit="pp")
            add(p.code, "operating_rate", "pp_yoy", period, rate[period] - rate[_shift(period, -12)], unit="pp")
            add(p.code, "operating_rate", "level", nxt, rate[period] + 0.8, kind="forecast", unit="%", status="F")
            add(p.code, "operating_rate", "pp_mom", nxt, 0.8, kind="forecast", unit="pp", status="F")
            keys = [f"size_class={s.name}" for s in p.size_classes]
            for d in p.dimensions:
                if d.operating_rate:
                    keys += [f"{d.name}={v.name}" for v in d.values]
            for key in keys:
                add(p.code, "operating_rate", "level", period, rng.uniform(50, 95), key, unit="%")
                add(p.code, "operating_rate", "pp_mom", period, rng.normal(0, 3), key, unit="pp")
            cap = scale * 12 / 0.75
            add(p.code, "capacity", "level", period, cap, unit=f"{unit}/year")
            add(p.code, "capacity", "mom_abs", period, 0.0, unit=f"{unit}/year")
            if p.operating_rate == "capacity":
                add(p.code, "operating_capacity", "level", period, cap * rate[period] / 100, unit=f"{unit}/year")
                add(p.code, "operating_capacity", "mom_pct", period, rng.normal(0, 1.5), unit="%")
        for d in p.dimensions:
            weights = rng.dirichlet(np.ones(len(d.values)))
            for v, w in zip(d.values, weights, strict=True):
                key = f"{d.name}={v.name}"
                level = base[period] * w
                small = w < 0.04  # a thin cell: confidential
                conf = "C" if small else "F"
                add(p.code, "production", "level", period, None if small else level, key, unit=unit, conf=conf)
                add(
                    p.code,
                    "production",
                    "mom_pct",
                    period,
                    None if small else rng.normal(0, 4),
                    key,
                    unit="%",
                    conf=conf,
                )
                if d.kind == "partition":
                    add(p.code, "share", "level", period, None if small else w * 100, key, unit="%", conf=conf)
                    add(
                        p.code,
                        "share",
                        "pp_mom",
                        period,
                        None if small else rng.normal(0, 1),
                        key,
                        unit="pp",
                        conf=conf,
                    )
        n = int(rng.integers(8, 60))
        add(p.code, "producer_count", "count", period, n, unit="count")
        left = n
        for status in RETURN_STATUSES:
            c = int(rng.integers(0, max(1, left // 2) + 1))
            left -= c
            if c:
                add(p.code, "producer_count", "count", period, c, f"status={status}", unit="count")
                add(
                    p.code,
                    "producer_count",
                    "count_change",
                    period,
                    int(rng.integers(-3, 4)),
                    f"status={status}",
                    unit="count",
                )
        add(p.code, "producer_share", "level", period, rng.uniform(5, 45), "change=reduced", unit="%")
        add(p.code, "producer_share", "level", _shift(period, -1), rng.uniform(5, 45), "change=reduced", unit="%")
        add(p.code, "province_count", "count", period, int(rng.integers(2, 20)), unit="count")
        add(p.code, "capacity", "level", period, scale * 13, "basis=sample", unit=f"{unit}/year")
        add(p.code, "coverage", "level", period, rng.uniform(60, 99.5), unit="%")
        add(p.code, "response_rate", "level", period, rng.uniform(70, 100), unit="%")
        add(p.code, "imputed_share", "level", period, rng.uniform(0, 12), unit="%")
        add(p.code, "forecast_error", "pct", period, rng.normal(0, 2.5), unit="%")
        add(p.code, "forecast_error", "mape", period, rng.uniform(0.5, 5), unit="%")
    return pl.DataFrame(rows, schema=FIGURES)


def synthetic_input(period: str = "2025-06") -> ReportInput:
    catalog = full_catalog()
    return ReportInput(
        period=period,
        figures=synthetic_figures(catalog, period),
        catalog=catalog,
        vintage=1,
        release_at=datetime(2025, 6, 30, 18, 0, tzinfo=UTC),
        status="published",
    )
