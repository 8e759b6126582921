"""What every paragraph slot drafts from: one vintage's figures, the month's context and the
language, with the statuses the drafted text and tables mark (the legend lists them)."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from metalstat.catalog import Product
from metalstat.report.figureset import Fig, FigureSet, month_date, shift_month
from metalstat.report.inputs import ReportInput
from metalstat.report.language import Language

# A breakdown is drafted only where it tells more than the total: some cell's change (or
# rate) differs from the total's by this many percentage points or more; otherwise its cells
# stay in the key table's data and the figures export (docs/methodology.md).
BREAKDOWN_MIN_SPREAD = 0.5


def days(period: str) -> int:
    year, month = (int(x) for x in period.split("-"))
    return calendar.monthrange(year, month)[1]


def month_end(period: str) -> date:
    return month_date(shift_month(period, 1)) - timedelta(days=1)


def as_int(x: float | None) -> int | None:
    return None if x is None else round(x)


@dataclass
class Draft:
    """One language's drafting of one vintage."""

    inp: ReportInput
    lang: Language
    figs: FigureSet
    # last month's forecast of this month, from the release that made it (kind=forecast)
    prior: FigureSet | None = None
    statuses_used: set[str] = field(default_factory=set)

    @property
    def t(self) -> str:
        return self.inp.period

    def v(self, p: Product, measure: str, stat: str, **kw: str) -> float | None:
        return self.figs.value(p.code, measure, stat, **kw)

    def f(self, p: Product, measure: str, stat: str, **kw: str) -> Fig | None:
        return self.figs.get(p.code, measure, stat, **kw)

    def single_dim_keys(self, p: Product, measure: str, **kw: str) -> dict[str, list[str]]:
        """The month's breakdown keys of one dimension each, by dimension."""
        by_dim: dict[str, list[str]] = defaultdict(list)
        for key, parts in self.figs.breakdowns(p.code, measure, **kw).items():
            if len(parts) == 1:
                (dim,) = parts
                by_dim[dim].append(key)
        return by_dim


def informative(items: list[dict[str, Any]], total: dict[str, float | None]) -> bool:
    """Whether a breakdown's cells tell more than its total: some cell's value of a key the
    total has differs from it by BREAKDOWN_MIN_SPREAD or more. Where no cell can be compared
    (no such value in the cells or the total), the breakdown is kept."""
    compared = False
    for key, t in total.items():
        if t is None:
            continue
        for i in items:
            if i.get(key) is not None:
                compared = True
                if abs(i[key] - t) >= BREAKDOWN_MIN_SPREAD:
                    return True
    return not compared
