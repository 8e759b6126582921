"""Market series the report quotes (prices, inventories, treatment charges, imports).

They are not estimated, only compared month to month; this is the one place for that
arithmetic, so the figures export and the report say the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from metalstat.engine.calendar import add_months

# Quantities in these units add up over months; prices, rates and capacities do not.
SUMMABLE_UNITS = ("mt", "t")

# What a market series is, as declared on it (``survey.AuxiliarySeries.kind``):
# price (a monthly average: a price, a treatment charge, a premium, a cost), range (one bound,
# ``x_low`` or ``x_high``, of a price's range in the month), flow (imports, volumes: summed over
# months), stock (an inventory at the month's end, never summed over months), ratio (a share,
# a rate, days of cover: changes in points) and fact (a capacity, a target or a quota: a state,
# said once, with no monthly change).
SERIES_KINDS = ("price", "range", "flow", "stock", "ratio", "fact")
# Suffixes of the two bounds of a range split into two series (``x_low``, ``x_high``).
RANGE_SIDES = ("low", "high")


def _is_ratio_unit(unit: str) -> bool:
    return unit.strip() in ("%", "days") or unit.startswith("% ")


def kind_problems(kind: str, code: str, unit: str) -> list[str]:
    """Why a series of ``kind`` cannot be ``code`` in ``unit`` (empty: it can): a price or a
    range bound is quoted per something (yuan/mt), a range bound names its side (``x_low``,
    ``x_high``), a flow or a stock is a quantity (not a price, a share or days), a ratio is in
    % or days."""
    unit = unit.strip()
    if kind not in SERIES_KINDS:
        return [f"{kind!r} is not a kind of market series (one of {', '.join(SERIES_KINDS)})"]
    out = []
    if kind in ("price", "range") and "/" not in unit:
        out.append(f"a {kind} is quoted per a quantity (e.g. yuan/mt), not in {unit!r}")
    if kind == "range" and range_partner(code) is None:
        out.append(f"a range bound's code ends in _low or _high (the side it bounds), not {code!r}")
    if kind in ("flow", "stock") and ("/" in unit or _is_ratio_unit(unit)):
        what = "a quantity over the month" if kind == "flow" else "a quantity at the month's end"
        out.append(f"a {kind} is {what} (e.g. mt), not in {unit!r}")
    if kind == "ratio" and not _is_ratio_unit(unit):
        out.append(f"a ratio is in % or days, not in {unit!r}")
    return out


def range_partner(code: str) -> tuple[str, str] | None:
    """For a bound of a range (``x_high``), which side it is and the series it bounds
    (``x``); None for a series that is not a bound."""
    for side in RANGE_SIDES:
        if code.endswith("_" + side):
            return side, code[: -len(side) - 1]
    return None


def is_summable(unit: str, kind: str) -> bool:
    """Whether a series' months add up: a quantity in tonnes that is a flow, not a stock."""
    return kind == "flow" and unit.split(" ")[0] in SUMMABLE_UNITS


def year_to_date(monthly: Mapping[date, float], month: date, *, unit: str, kind: str) -> float | None:
    """January to ``month`` summed (None unless every month is observed); only a flow in
    tonnes is summed: a stock, a price or a ratio summed over months means nothing."""
    if not is_summable(unit, kind):
        raise ValueError(f"a {kind} in {unit!r} is not summed over months (only a flow in tonnes is)")
    return _sum_to(monthly, month)


def _sum_to(monthly: Mapping[date, float], month: date) -> float | None:
    year = [date(month.year, k, 1) for k in range(1, month.month + 1)]
    return sum(monthly[m] for m in year) if all(m in monthly for m in year) else None


def share_of_sums(numerator: Mapping[date, float], denominator: Mapping[date, float], month: date) -> float | None:
    """A share of two flows January to ``month``, in %: 100 × Σ numerator / Σ denominator,
    from the sums, never an average of the monthly shares (a month of small imports weighs
    little in the year). None unless both have every month and the denominator's sum is
    not zero."""
    n, d = _sum_to(numerator, month), _sum_to(denominator, month)
    if n is None or d is None or d == 0:
        return None
    return 100.0 * n / d


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


def series_month(monthly: Mapping[date, float], month: date, *, unit: str, kind: str) -> SeriesMonth | None:
    """The month's value of a series of ``kind`` and its changes; a fact's month-on-month
    change is not stated (it holds until it changes)."""
    if month not in monthly:
        return None
    value = monthly[month]
    mom_abs, mom_pct = change(value, monthly.get(add_months(month, -1)))
    if kind == "fact":
        mom_abs = mom_pct = None
    yoy_abs, yoy_pct = change(value, monthly.get(add_months(month, -12)))
    ytd = year_to_date(monthly, month, unit=unit, kind=kind) if is_summable(unit, kind) else None
    return SeriesMonth(month, value, mom_abs, mom_pct, yoy_abs, yoy_pct, ytd)
