"""Market series the report quotes (prices, inventories, treatment charges, imports).

They are not estimated, only compared month to month; this is the one place for that
arithmetic, so the figures export and the report say the same numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from metalstat.engine.calendar import add_months

# Quantities in these units add up over months; prices, rates and capacities do not.
SUMMABLE_UNITS = ("mt", "t")

# What a market series is, from its code and unit (first rule that matches):
# stock (an end-of-month inventory, never summed over months), ratio (a share, a rate, days
# of cover), fact (a capacity, a target or a quota: a state, not a monthly flow), price (a
# price, a treatment charge, a premium or a cost), and flow (imports, volumes: summable).
SERIES_KINDS = ("stock", "ratio", "fact", "price", "flow")
_KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("stock", ("inventory", "inventories", "stock", "stocks")),
    ("ratio", ("share", "rate", "utilisation", "utilization")),
    ("fact", ("capacity", "target", "quota")),
    ("price", ("price", "tc", "premium", "cost")),
)
# Suffixes of the two bounds of a range split into two series (``x_low``, ``x_high``).
RANGE_SIDES = ("low", "high")


def series_kind(code: str, unit: str, name: str = "") -> str:
    """The kind of a market series (one of SERIES_KINDS) by the words of its code and its
    (English) name, then its unit."""
    words = set(re.split(r"[^a-z0-9]+", f"{code} {name}".lower()))
    for kind, marks in _KIND_WORDS:
        if words & set(marks):
            return kind
    if unit.strip() in ("%", "days") or unit.startswith("% "):
        return "ratio"
    if "/" in unit:
        return "price"
    return "flow"


def range_partner(code: str) -> tuple[str, str] | None:
    """For a bound of a range (``x_high``), which side it is and the series it bounds
    (``x``); None for a series that is not a bound."""
    for side in RANGE_SIDES:
        if code.endswith("_" + side):
            return side, code[: -len(side) - 1]
    return None


def is_summable(unit: str, code: str = "", name: str = "") -> bool:
    """Whether a series' months add up: a quantity in tonnes that is a flow, not a stock."""
    return unit.split(" ")[0] in SUMMABLE_UNITS and series_kind(code, unit, name) == "flow"


def monthly_values(observations: Iterable[tuple[date, float]]) -> dict[date, float]:
    """A month's value is its last observation."""
    out: dict[date, float] = {}
    for d, v in sorted(observations, key=lambda o: o[0]):
        out[d.replace(day=1)] = float(v)
    return out


def change(current: float | None, base: float | None) -> tuple[float | None, float | None]:
    """(current − base, and that in % of |base|); % against a negative base (a treatment
    charge below zero) keeps the sign of the move."""
    if current is None or base is None:
        return None, None
    diff = current - base
    return diff, (diff / abs(base) * 100.0 if base else None)


@dataclass(frozen=True)
class SeriesMonth:
    month: date
    value: float
    mom_abs: float | None
    mom_pct: float | None
    yoy_abs: float | None
    yoy_pct: float | None
    ytd: float | None  # January..month summed, for summable series with every month observed


def series_month(monthly: Mapping[date, float], month: date, summable: bool) -> SeriesMonth | None:
    if month not in monthly:
        return None
    value = monthly[month]
    mom_abs, mom_pct = change(value, monthly.get(add_months(month, -1)))
    yoy_abs, yoy_pct = change(value, monthly.get(add_months(month, -12)))
    year = [date(month.year, k, 1) for k in range(1, month.month + 1)]
    ytd = sum(monthly[m] for m in year) if summable and all(m in monthly for m in year) else None
    return SeriesMonth(month, value, mom_abs, mom_pct, yoy_abs, yoy_pct, ytd)
