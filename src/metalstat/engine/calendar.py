"""Month arithmetic. A period is the date of the first day of its month."""

from __future__ import annotations

import calendar as _calendar
from datetime import date, timedelta


def add_months(d: date, n: int) -> date:
    months = d.year * 12 + (d.month - 1) + n
    return date(months // 12, months % 12 + 1, 1)


def days_in_month(d: date) -> int:
    return _calendar.monthrange(d.year, d.month)[1]


def month_end(d: date) -> date:
    return date(d.year, d.month, days_in_month(d))


def next_day(d: date) -> date:
    return d + timedelta(days=1)


def months_between(start: date, end: date) -> list[date]:
    """Every month from start to end inclusive."""
    out = []
    m = start.replace(day=1)
    while m <= end:
        out.append(m)
        m = add_months(m, 1)
    return out


def estimation_window(t: date) -> list[date]:
    """The months one cycle estimates: enough for MoM, YoY, YTD and its prior-year twin, and a
    13-month chart, all from the same vintage: from min(t-13, January of last year) to t."""
    start = min(add_months(t, -13), date(t.year - 1, 1, 1))
    return months_between(start, t)
