"""What the report is drafted from: one vintage of figures plus the month's context.

Everything here is plain data, so drafting and rendering need no database: the command line
and the demo fill a ``ReportInput`` from the database (``metalstat.report.loader``), tests
build one by hand. Nothing in it names a producer or carries a producer's own output; events
and capacity changes are already reduced to where, why and how much.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import polars as pl

from metalstat.catalog import Catalog
from metalstat.engine.figures import FIGURES

COMMENTARY_MODES = ("replace", "before", "after")


@dataclass(frozen=True)
class MaintenanceItem:
    """A stop or cut at one producer, without the producer: region, reason, dates, size."""

    product: str
    region: str
    province: str
    reason: str  # a value of vocabulary.EVENT_REASONS
    planned: bool
    start: date
    end: date | None
    capacity_affected: float | None = None  # unit/year


@dataclass(frozen=True)
class CapacityChange:
    """A capacity record taking effect: commissioning, expansion, replacement, closure."""

    product: str
    region: str
    province: str
    event: str  # a value of vocabulary.CAPACITY_EVENTS
    valid_from: date
    change: float  # unit/year, signed: new capacity minus the capacity it replaced


@dataclass(frozen=True)
class AuxiliaryObservation:
    date: date
    value: float
    note: str = ""


@dataclass(frozen=True)
class AuxiliaryOutlook:
    """An analyst's expected value of a market series for a coming month, with its source
    (``survey.AuxiliaryOutlook.SOURCES``) and what it is in both languages."""

    month: date
    value: float
    source: str
    detail: str = ""
    detail_zh: str = ""


@dataclass(frozen=True)
class AuxiliarySeries:
    """A market series the analyst marked for quoting (inventory, TC, price ...)."""

    code: str
    name: str
    name_zh: str
    unit: str
    product: str
    kind: str  # survey.AuxiliarySeries.kind (engine.auxiliary.SERIES_KINDS)
    observations: tuple[AuxiliaryObservation, ...] = ()
    outlooks: tuple[AuxiliaryOutlook, ...] = ()
    # a share of two series: the observations of its numerator and of its denominator
    parts: tuple[tuple[AuxiliaryObservation, ...], tuple[AuxiliaryObservation, ...]] | None = None


@dataclass(frozen=True)
class CommentaryEntry:
    """An analyst's text for a product (``""``: the report's overview) and language.

    ``slot`` is the drafted paragraph it belongs to (see ``drafting.SLOTS``); ``mode`` says
    whether it replaces that paragraph or stands before or after it.
    """

    product: str
    language: str
    slot: str
    mode: str
    text: str
    author: str = ""


@dataclass(frozen=True)
class ReportInput:
    """One month's report: figures of one vintage and what the drafting quotes beside them."""

    period: str  # "YYYY-MM", the month the release reports
    figures: pl.DataFrame  # FIGURES shape, one vintage (earlier months of its window included)
    catalog: Catalog
    vintage: int | None = None
    release_at: datetime | None = None
    status: str = "draft"  # the release's workflow status
    events: tuple[MaintenanceItem, ...] = ()
    capacity_changes: tuple[CapacityChange, ...] = ()
    auxiliary: tuple[AuxiliarySeries, ...] = ()
    commentary: tuple[CommentaryEntry, ...] = ()
    products: tuple[str, ...] | None = field(default=None)  # a subset, in catalog order
    # Last month's forecast of this month (FIGURES shape, kind "forecast", period ``period``)
    # as the releases live when this vintage was made stated it: the forecast that the
    # engine's forecast_error compares with this estimate.
    prior_forecasts: pl.DataFrame | None = None

    def __post_init__(self) -> None:
        missing = [c for c in FIGURES if c not in self.figures.columns]
        if missing:
            raise ValueError(f"report figures: missing column(s) {', '.join(missing)}")
        if self.prior_forecasts is not None:
            missing = [c for c in FIGURES if c not in self.prior_forecasts.columns]
            if missing:
                raise ValueError(f"report prior forecasts: missing column(s) {', '.join(missing)}")
        for c in self.commentary:
            if c.mode not in COMMENTARY_MODES:
                raise ValueError(
                    f"commentary for {c.product or 'the overview'} slot {c.slot!r}: "
                    f"mode {c.mode!r} is not one of {', '.join(COMMENTARY_MODES)}"
                )

    def product_codes(self) -> tuple[str, ...]:
        """The products to report, in catalog order (all that have figures by default)."""
        present = set(self.figures.get_column("product").unique().to_list())
        wanted = set(self.products) if self.products is not None else present
        return tuple(c for c in self.catalog.codes() if c in wanted and c in present)
