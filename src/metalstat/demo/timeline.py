"""The demo's months: returns from January 2023 to June 2025, and July 2025 as the month the
June returns' schedules forecast. A path is an array over these 31 months."""

from __future__ import annotations

from datetime import date

import numpy as np

from metalstat.catalog.model import Product
from metalstat.engine.calendar import days_in_month, months_between
from metalstat.engine.inputs import month_start, period_label

FIRST = date(2023, 1, 1)
LAST = date(2025, 6, 1)  # the report's month: the last month with actual returns
FORECAST = date(2025, 7, 1)  # the month the report forecasts
MONTHS: tuple[date, ...] = tuple(months_between(FIRST, FORECAST))
N = len(MONTHS)
T_LAST = MONTHS.index(LAST)
T_FORECAST = MONTHS.index(FORECAST)
DAYS = np.array([days_in_month(m) for m in MONTHS], dtype=float)
# A month's days over a year's: what a plant can physically make in the month, as a share of
# its annual capacity (the engine's validation limit counts months so, whatever the product).
DAY_SHARE = DAYS / 365.0
DAY_SHARE.setflags(write=False)
_TWELFTH = np.full(N, 1.0 / 12.0)
_TWELFTH.setflags(write=False)
LABELS: tuple[str, ...] = tuple(period_label(m) for m in MONTHS)
# The months whose releases the demo makes (each one's window reaches back to January 2023).
RELEASE_MONTHS: tuple[date, ...] = tuple(months_between(date(2024, 1, 1), LAST))


def month_share(product: Product) -> np.ndarray:
    """Each month's share of a year's capacity as ``product`` counts it (its
    ``month_capacity``): days/365, or 1/12 for every month. Annual capacity × this share is
    the month's potential output behind the output-basis operating rate and rate-based
    imputation, so the demo converts between capacity and output with it."""
    return _TWELFTH if product.month_capacity == "twelfth" else DAY_SHARE


def limit_share(product: Product) -> np.ndarray:
    """The share of a year's capacity a plant may run at in each month: the product's own
    count, never above the month's days (a twelfth of the year is more than a month of 30 days
    or fewer holds)."""
    share: np.ndarray = np.minimum(month_share(product), DAY_SHARE)
    return share


def index(period: str | date) -> int:
    """The path index of a month (``"2025-06"`` or a date)."""
    m = month_start(period)
    try:
        return MONTHS.index(m)
    except ValueError:
        raise KeyError(f"{period_label(m)} is outside the demo's months") from None


def span(period: str) -> tuple[int, int]:
    """First and last index of a period label: a month or a span ``YYYY-MM..YYYY-MM``."""
    if ".." in period:
        a, b = period.split("..")
        return index(a), index(b)
    i = index(period)
    return i, i


def january(t: int) -> int:
    """The index of January of the year of month t."""
    return MONTHS.index(date(MONTHS[t].year, 1, 1))
