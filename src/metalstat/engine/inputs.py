"""What the engine takes: one month's frame, panel, returns and history, as polars frames.

Every frame is long and typed by the schemas below; ``CycleInputs.checked()`` casts and
checks them at the engine's edge so the rest of the engine can trust column names and types.
Periods are ``pl.Date`` values on the first day of the month. Producers are per product: one
row of ``producers`` is one plant producing one product (a plant making two products is two
producers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from metalstat.catalog.vocabulary import RETURN_FIELDS

PolarsType = type[pl.DataType] | pl.DataType
Schema = dict[str, PolarsType]

PRODUCERS: Schema = {
    "producer_id": pl.Utf8,
    "product": pl.Utf8,  # catalog code
    "province": pl.Utf8,
    "region": pl.Utf8,
    "nature": pl.Utf8,  # enterprise nature
    "feedstock": pl.Utf8,  # feedstock route, a value of the product's "feedstock" dimension
}

# Nameplate capacity in the product's unit per year, valid from a date until the producer's
# next record. Commissioning, expansion, replacement and closure are new records (closure: 0).
CAPACITY: Schema = {
    "producer_id": pl.Utf8,
    "valid_from": pl.Date,
    "capacity": pl.Float64,
    "event": pl.Utf8,
}

# Panel membership: surveyed from first_period to last_period inclusive (null: still in).
PANEL: Schema = {
    "producer_id": pl.Utf8,
    "first_period": pl.Date,
    "last_period": pl.Date,
}

# One row per producer and month that answered (the latest revision only). Non-response is
# the absence of a row. ``schedule`` is the output the producer plans for the next month.
# One row per return, a column per field of catalog.vocabulary.RETURN_FIELDS (output: physical
# content, null when only a schedule was given; schedule: planned output for period + 1
# month; schedule_after_next: for period + 2 months; operating capacities in unit/year; status
# one of RETURN_STATUSES). Breakdown quantities come apart, as RETURN_PARTS rows (actual) and
# SCHEDULE_PARTS rows (planned for the next month).
RETURNS: Schema = {
    "producer_id": pl.Utf8,
    "period": pl.Date,
    **{f.name: pl.Float64 if f.is_quantity else pl.Utf8 for f in RETURN_FIELDS if f.type != "breakdown"},
}

# Quantities reported inside a return for a "return"-source breakdown dimension.
RETURN_PARTS: Schema = {
    "producer_id": pl.Utf8,
    "period": pl.Date,
    "dimension": pl.Utf8,
    "value": pl.Utf8,
    "quantity": pl.Float64,
}

# The next month's planned quantities inside a return (its schedule's composition), in the
# same shape: ``period`` is the month of the return, the quantities are for period + 1 month.
SCHEDULE_PARTS: Schema = dict(RETURN_PARTS)

MAINTENANCE_EVENTS: Schema = {
    "producer_id": pl.Utf8,
    "start": pl.Date,
    "end": pl.Date,  # null: open-ended
    "capacity_affected": pl.Float64,
    "reason": pl.Utf8,
    "planned": pl.Boolean,
}

# Warnings an analyst confirmed (with a reason) so they no longer hold the cycle.
CONFIRMATIONS: Schema = {
    "producer_id": pl.Utf8,
    "period": pl.Date,
    "rule": pl.Utf8,
}

# National headline production as last published, for months before the estimation window
# (feeds the statistical benchmark forecasts).
PUBLISHED_HISTORY: Schema = {
    "product": pl.Utf8,
    "period": pl.Date,
    "value": pl.Float64,
}

# Schedule-based forecasts published by earlier releases, for accuracy tracking.
PRIOR_FORECASTS: Schema = {
    "product": pl.Utf8,
    "period": pl.Date,  # the month forecast
    "value": pl.Float64,
}

SCHEMAS: dict[str, Schema] = {
    "producers": PRODUCERS,
    "capacity": CAPACITY,
    "panel": PANEL,
    "returns": RETURNS,
    "return_parts": RETURN_PARTS,
    "schedule_parts": SCHEDULE_PARTS,
    "events": MAINTENANCE_EVENTS,
    "confirmations": CONFIRMATIONS,
    "published_history": PUBLISHED_HISTORY,
    "prior_forecasts": PRIOR_FORECASTS,
}


class InputError(ValueError):
    """An input frame does not match its schema; the message names the frame and column."""


def empty(name: str) -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMAS[name])


def conform(name: str, df: pl.DataFrame) -> pl.DataFrame:
    """Select and cast a frame to its schema, or raise InputError naming what is wrong."""
    schema = SCHEMAS[name]
    missing = [c for c in schema if c not in df.columns]
    if missing:
        raise InputError(f"{name}: missing column(s) {', '.join(missing)}")
    try:
        return df.select([pl.col(c).cast(t, strict=True) for c, t in schema.items()])
    except pl.exceptions.PolarsError as exc:
        raise InputError(f"{name}: a column has the wrong type: {exc}") from exc


@dataclass(frozen=True)
class CycleInputs:
    """Everything the engine needs for one month, for any number of products.

    Frames may hold more months and products than the cycle uses; the engine selects.
    """

    producers: pl.DataFrame
    capacity: pl.DataFrame
    panel: pl.DataFrame
    returns: pl.DataFrame
    return_parts: pl.DataFrame = field(default_factory=lambda: empty("return_parts"))
    schedule_parts: pl.DataFrame = field(default_factory=lambda: empty("schedule_parts"))
    events: pl.DataFrame = field(default_factory=lambda: empty("events"))
    confirmations: pl.DataFrame = field(default_factory=lambda: empty("confirmations"))
    published_history: pl.DataFrame = field(default_factory=lambda: empty("published_history"))
    prior_forecasts: pl.DataFrame = field(default_factory=lambda: empty("prior_forecasts"))

    def checked(self) -> CycleInputs:
        return CycleInputs(**{name: conform(name, getattr(self, name)) for name in SCHEMAS})


def month_start(period: str | date) -> date:
    """``"2025-06"`` or any date in June 2025 -> date(2025, 6, 1)."""
    if isinstance(period, date):
        return period.replace(day=1)
    # int() alone would take "2025 ", "+2025", "0_6" and non-ASCII digits
    found = _MONTH.fullmatch(period.strip())
    try:
        if found is None:
            raise ValueError(period)
        return date(int(found[1]), int(found[2]), 1)
    except ValueError as exc:
        raise InputError(f"period {period!r} is not of the form YYYY-MM") from exc


_MONTH = re.compile(r"(\d{4})-(\d{1,2})", re.ASCII)


def period_label(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"
