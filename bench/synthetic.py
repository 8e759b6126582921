"""A synthetic catalog-wide panel for benchmarks and scale tests (deterministic)."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from metalstat.catalog import load_catalog
from metalstat.engine.calendar import add_months, days_in_month, months_between
from metalstat.engine.inputs import CycleInputs, empty


def synthetic_inputs(producers: int, years: int = 10, end: date = date(2025, 6, 1), seed: int = 7) -> CycleInputs:
    rng = np.random.default_rng(seed)
    products = list(load_catalog())
    months = months_between(add_months(end, -(12 * years - 1)), end)
    n = producers
    prod_idx = np.arange(n) % len(products)
    codes = np.array([p.code for p in products])[prod_idx]
    caps = rng.lognormal(mean=11.0, sigma=0.8, size=n)
    ids = np.array([f"P{i:06d}" for i in range(n)])
    regions = np.array(["east China", "north China", "south-west China", "central China"])
    feed = []
    for i in range(n):
        p = products[prod_idx[i]]
        dims = [d for d in p.dimensions if d.name == "feedstock"]
        feed.append(dims[0].values[i % len(dims[0].values)].name if dims else None)
    producers_df = pl.DataFrame(
        {
            "producer_id": ids,
            "product": codes,
            "province": "Jiangxi",
            "region": regions[np.arange(n) % len(regions)],
            "nature": "private",
            "feedstock": feed,
        }
    )
    capacity = pl.DataFrame(
        {
            "producer_id": ids,
            "valid_from": [date(2010, 1, 1)] * n,
            "capacity": caps,
            "event": ["commissioning"] * n,
        }
    )
    in_panel = rng.random(n) < 0.9
    panel = pl.DataFrame(
        {
            "producer_id": ids[in_panel],
            "first_period": [date(2010, 1, 1)] * int(in_panel.sum()),
            "last_period": [None] * int(in_panel.sum()),
        },
        schema={"producer_id": pl.Utf8, "first_period": pl.Date, "last_period": pl.Date},
    )
    days = np.array([days_in_month(m) for m in months], dtype=float)
    rate = np.clip(rng.normal(0.8, 0.1, size=(int(in_panel.sum()), len(months))), 0.05, 1.05)
    out = caps[in_panel][:, None] * days[None, :] / 365.0 * rate
    responded = rng.random(out.shape) < 0.93
    pid = np.repeat(ids[in_panel], len(months))
    per = np.tile(np.array(months, dtype="datetime64[D]"), int(in_panel.sum()))
    mask = responded.ravel()
    sched = np.roll(out, -1, axis=1).ravel()
    returns = pl.DataFrame(
        {
            "producer_id": pid[mask],
            "period": per[mask],
            "output": out.ravel()[mask],
            "output_metal": None,
            "schedule": sched[mask],
            "schedule_metal": None,
            "schedule_after_next": None,
            "operating_capacity": None,
            "schedule_operating_capacity": None,
            "status": "normal",
            "reason": None,
        },
        schema=empty("returns").schema,
    )
    return CycleInputs(producers=producers_df, capacity=capacity, panel=panel, returns=returns)
