"""The reasons: the groups of stoppages and cuts (by region and reason) that weigh most on
a month's output, for the month drafted and for the outlook, and the one reason the
headline gives for the month's move (where one agrees with it in direction)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from metalstat.catalog import Product
from metalstat.catalog.hedges import direction_of
from metalstat.report.drafting.base import Draft, days, month_end
from metalstat.report.drafting.labels import label_value
from metalstat.report.figureset import month_date
from metalstat.report.inputs import CapacityChange, MaintenanceItem

# The reasons a section names for the month and for the outlook: the groups of events (by
# region and reason) that weigh most, capacity affected × days in the month.
MAX_REASONS = 3
# Fewer producers than this in a group of events: say how many, not how much capacity.
MIN_GROUP_FOR_CAPACITY = 3
# The way a reason moves output: every stoppage or cut (each reason of
# vocabulary.EVENT_REASONS) lowers it; capacity commissioned or expanded raises it.
ADDING_CAPACITY_EVENTS = ("commissioning", "expansion", "replacement")


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
                "code": reason,
                "region": label_value(d.lang, p, "region", region) if region else "",
                "reason": d.lang.term("reasons", reason),
                "n": len(items),
                "planned": sum(1 for e in items if e.planned),
                # a total over fewer producers could reveal one plant's size
                "capacity": sum(cap) if len(items) >= MIN_GROUP_FOR_CAPACITY and cap else None,
            }
        )
    return out


def move_direction(prod: dict[str, Any], period: str, previous: str, decimals: int) -> str:
    """The direction the headline states for the month's move: of the daily average when the
    two months' days differ (as the hedge words), else of the total; "flat" when the change
    as printed is below the flat band (or unknown)."""
    pct = prod.get("mom_pct")
    if days(period) != days(previous) and prod.get("daily_mom_pct") is not None:
        pct = prod["daily_mom_pct"]
    return "flat" if pct is None else direction_of(round(pct, decimals))


def capacity_weight(change: CapacityChange, period: str) -> float:
    """How much capacity added in a month weighs on it: the capacity (unit a year) × its days
    in effect in the month."""
    return change.change * max((month_end(period) - max(change.valid_from, month_date(period))).days + 1, 0)


def capacity_additions(d: Draft, p: Product, period: str) -> list[dict[str, Any]]:
    """The capacity commissioned, expanded or replaced by more in a month, by region, the
    weightiest first (capacity × days in effect)."""
    start, end = month_date(period), month_end(period)
    groups: dict[str, list[CapacityChange]] = defaultdict(list)
    for c in d.inp.capacity_changes:
        if c.product == p.code and start <= c.valid_from <= end and c.event in ADDING_CAPACITY_EVENTS and c.change > 0:
            groups[c.region].append(c)

    def weight(kv: tuple[str, list[CapacityChange]]) -> tuple[float, str]:
        return (-sum(capacity_weight(c, period) for c in kv[1]), kv[0])

    return [
        {
            "code": "new_capacity",
            "region": label_value(d.lang, p, "region", region) if region else "",
            "n": len(items),
            "change": sum(c.change for c in items),
        }
        for region, items in sorted(groups.items(), key=weight)
    ]


def headline_reason(d: Draft, p: Product, prod: dict[str, Any], events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The reason the headline gives for the month's move: for a fall, the weightiest group
    of stoppages and cuts (``events``, from event_groups); for a rise, the weightiest capacity
    added in a region. None when output held flat or no reason moves output the same way:
    the headline never names a reason against its move."""
    direction = move_direction(prod, d.t, d.figs.previous, p.decimals)
    if direction == "down" and events:
        return {**events[0], "kind": "stoppage", "direction": "down"}
    if direction == "up":
        added = capacity_additions(d, p, d.t)
        if added:
            return {**added[0], "kind": "capacity", "direction": "up"}
    return None
