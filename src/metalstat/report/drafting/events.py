"""The reasons: the groups of stoppages and cuts (by region and reason) that weigh most on
a month's output, for the month drafted and for the outlook."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from metalstat.catalog import Product
from metalstat.report.drafting.base import Draft, month_end
from metalstat.report.drafting.labels import label_value
from metalstat.report.figureset import month_date
from metalstat.report.inputs import MaintenanceItem

# The reasons a section names for the month and for the outlook: the groups of events (by
# region and reason) that weigh most, capacity affected × days in the month.
MAX_REASONS = 3
# Fewer producers than this in a group of events: say how many, not how much capacity.
MIN_GROUP_FOR_CAPACITY = 3


def event_weight(item: MaintenanceItem, period: str) -> float:
    """How much an event weighs on the month, to rank the reasons: capacity affected (unit
    a year) × its days in the month (an event without a capacity counts as one unit a day,
    below any stated one)."""
    start, end = month_date(period), month_end(period)
    first = max(item.start, start)
    last = min(item.end or end, end)
    days = max((last - first).days + 1, 0)
    return days * (item.capacity_affected if item.capacity_affected is not None else 1e-6)


def overlaps(item: MaintenanceItem, period: str) -> bool:
    start, end = month_date(period), month_end(period)
    return item.start <= end and (item.end is None or item.end >= start)


def event_groups(
    d: Draft,
    p: Product,
    period: str,
    *,
    planned_only: bool,
    starting_after: str | None = None,
) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str], list[MaintenanceItem]] = defaultdict(list)
    for e in d.inp.events:
        if e.product != p.code or not overlaps(e, period):
            continue
        if planned_only and not e.planned:
            continue
        if starting_after is not None and e.start <= month_end(starting_after):
            continue
        groups[(e.region, e.reason)].append(e)
    out = []

    def weight(kv: tuple[tuple[str, str], list[MaintenanceItem]]) -> tuple[float, int, tuple[str, str]]:
        return (-sum(event_weight(e, period) for e in kv[1]), -len(kv[1]), kv[0])

    for (region, reason), items in sorted(groups.items(), key=weight)[:MAX_REASONS]:
        cap = [e.capacity_affected for e in items if e.capacity_affected is not None]
        out.append(
            {
                "region": label_value(d.lang, p, "region", region) if region else "",
                "reason": d.lang.term("reasons", reason),
                "n": len(items),
                "planned": sum(1 for e in items if e.planned),
                # a total over fewer producers could reveal one plant's size
                "capacity": sum(cap) if len(items) >= MIN_GROUP_FOR_CAPACITY and cap else None,
            }
        )
    return out
