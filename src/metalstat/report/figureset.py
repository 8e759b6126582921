"""Fast look-up of one vintage's figures for drafting.

The report quotes a few hundred figures per product out of a vintage that holds a window of
up to 24 months; ``FigureSet`` keeps only the months the report can quote (13 months back, the
forecast month and cumulative spans) and indexes them by series key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from metalstat.engine.figures import parse_breakdown

CHART_MONTHS = 13


def shift_month(period: str, months: int) -> str:
    year, month = (int(x) for x in period.split("-"))
    index = year * 12 + (month - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_date(period: str) -> date:
    year, month = (int(x) for x in period.split("-"))
    return date(year, month, 1)


@dataclass(frozen=True)
class Fig:
    """One figure as the report sees it. ``value`` is None when it must not be shown."""

    value: float | None
    unit: str
    status: str
    flags: str
    conf_status: str
    coverage: float | None = None
    response_rate: float | None = None
    imputed_share: float | None = None
    n_producers: int | None = None

    @property
    def suppressed(self) -> bool:
        """Confidential under disclosure control (primary or secondary)."""
        return self.conf_status in ("C", "D")

    @property
    def withheld(self) -> bool:
        """Not published as an estimate: coverage or response below the product's minimum."""
        return self.status == "U"

    @property
    def shown(self) -> float | None:
        """The value a reader may see: never a suppressed or withheld one."""
        if self.suppressed or self.withheld:
            return None
        return self.value

    def has_flag(self, code: str) -> bool:
        return code in (self.flags or self.status or "").split(",") or self.status == code


Key = tuple[str, str, str, str, str, str]  # product, kind, measure, breakdown, statistic, period


class FigureSet:
    """The figures of one vintage around a report month, indexed by series key."""

    def __init__(self, figures: pl.DataFrame, period: str) -> None:
        self.period = period
        self.previous = shift_month(period, -1)
        self.next = shift_month(period, 1)
        self.after = shift_month(period, 2)  # the forecast's second month (kind forecast2)
        self.year_ago = shift_month(period, -12)
        months = [shift_month(period, -k) for k in range(CHART_MONTHS + 1)] + [self.next, self.after]
        self.chart_months = [shift_month(period, -k) for k in range(CHART_MONTHS - 1, -1, -1)]
        self.ytd = f"{period[:4]}-01..{period}"
        self.ytd_next = f"{self.next[:4]}-01..{self.next}"
        spans = [self.ytd, self.ytd_next]
        kept = figures.filter(pl.col("period").is_in(months + spans))
        self._index: dict[Key, Fig] = {}
        self._by_product: dict[str, list[Key]] = {}
        cols = [kept.get_column(c).to_list() for c in _COLUMNS]
        for row in zip(*cols, strict=True):
            key: Key = (row[0], row[1], row[2], row[3] or "", row[4], row[5])
            self._index[key] = Fig(
                value=row[6],
                unit=row[7] or "",
                status=row[8] or "",
                flags=row[9] or "",
                conf_status=row[10] or "F",
                coverage=row[11],
                response_rate=row[12],
                imputed_share=row[13],
                n_producers=row[14],
            )
            self._by_product.setdefault(row[0], []).append(key)

    def get(
        self,
        product: str,
        measure: str,
        statistic: str,
        *,
        breakdown: str = "",
        kind: str = "actual",
        period: str | None = None,
    ) -> Fig | None:
        key = (product, kind, measure, breakdown, statistic, period or self.period)
        return self._index.get(key)

    def value(self, product: str, measure: str, statistic: str, **kw: str) -> float | None:
        """The showable value, or None when missing, suppressed or withheld."""
        fig = self.get(product, measure, statistic, **kw)
        return fig.shown if fig is not None else None

    def breakdowns(
        self, product: str, measure: str, *, kind: str = "actual", period: str | None = None
    ) -> dict[str, dict[str, str]]:
        """Breakdown keys present for a measure in a month, each with its parsed parts."""
        period = period or self.period
        out: dict[str, dict[str, str]] = {}
        for key in self._by_product.get(product, ()):
            if key[1] == kind and key[2] == measure and key[5] == period and key[3]:
                out.setdefault(key[3], parse_breakdown(key[3]))
        return out

    def rows(self, product: str) -> list[tuple[Key, Fig]]:
        """Every kept figure of a product, for the JSON export."""
        return [(k, self._index[k]) for k in self._by_product.get(product, ())]

    def products(self) -> set[str]:
        return set(self._by_product)


_COLUMNS = (
    "product",
    "kind",
    "measure",
    "breakdown",
    "statistic",
    "period",
    "value",
    "unit",
    "status",
    "flags",
    "conf_status",
    "coverage",
    "response_rate",
    "imputed_share",
    "n_producers",
)
