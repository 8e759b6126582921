"""The capacity paragraph's facts: existing and operating capacity, operating capacity by a
breakdown where it tells more than the total, and the capacity changes taking effect."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from metalstat.catalog import Product
from metalstat.engine.figures import parse_breakdown
from metalstat.report.drafting.base import Draft, informative, month_end
from metalstat.report.drafting.labels import dimension_label, dimension_order, label_value
from metalstat.report.figureset import month_date
from metalstat.report.inputs import CapacityChange


def capacity_facts(d: Draft, p: Product) -> dict[str, Any]:
    return {
        "level": d.v(p, "capacity", "level"),
        "mom_abs": d.v(p, "capacity", "mom_abs"),
        "mom_pct": d.v(p, "capacity", "mom_pct"),
        "operating": d.v(p, "operating_capacity", "level"),
        "operating_mom_abs": d.v(p, "operating_capacity", "mom_abs"),
        "operating_mom_pct": d.v(p, "operating_capacity", "mom_pct"),
        "changes": capacity_changes(d, p, d.t),
        "operating_by": capacity_groups(d, p, "operating_capacity", "actual", d.t),
    }


def capacity_groups(d: Draft, p: Product, measure: str, kind: str, period: str) -> list[dict[str, Any]]:
    """Capacity (or operating capacity) by a breakdown, e.g. by region."""
    kw = {"kind": kind, "period": period}
    groups = []
    for dim, keys in d.single_dim_keys(p, measure, **kw).items():
        items = []
        for key in dimension_order(p, dim, keys):
            level = d.v(p, measure, "level", breakdown=key, **kw)
            mom_abs = d.v(p, measure, "mom_abs", breakdown=key, **kw)
            if level is None and mom_abs is None:
                continue
            items.append(
                {
                    "label": label_value(d.lang, p, dim, parse_breakdown(key)[dim]),
                    "level": level,
                    "mom_abs": mom_abs,
                    "mom_pct": d.v(p, measure, "mom_pct", breakdown=key, **kw),
                }
            )
        total = {"mom_pct": d.v(p, measure, "mom_pct", **kw)}
        if items and informative(items, total):
            groups.append({"dimension": dim, "label": dimension_label(d.lang, p, dim), "items": items})
    return groups


def capacity_changes(d: Draft, p: Product, period: str) -> list[dict[str, Any]]:
    """Capacity records taking effect in a month, by event and region."""
    start, end = month_date(period), month_end(period)
    groups: dict[tuple[str, str], list[CapacityChange]] = defaultdict(list)
    for c in d.inp.capacity_changes:
        if c.product == p.code and start <= c.valid_from <= end:
            groups[(c.event, c.region)].append(c)
    return [
        {
            "event": d.lang.term("capacity_events", event),
            "region": label_value(d.lang, p, "region", region) if region else "",
            "n": len(items),
            "change": sum(c.change for c in items),
        }
        for (event, region), items in sorted(groups.items())
    ]
