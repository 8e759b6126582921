"""Hand the register and the survey to the engine: their frames of ``engine.inputs`` in a
handful of queries.

Each frame is one ``values_list`` query read straight into polars (no query per producer),
so loading the whole register and years of returns stays a constant number of round trips.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import polars as pl
from django.db.models import Q

from metalstat.catalog.vocabulary import RETURN_BREAKDOWNS, RETURN_VALUES
from metalstat.engine.inputs import SCHEMAS, CycleInputs, conform, month_start
from metalstat.registry.models import CapacityRecord, PanelMembership, Producer
from metalstat.survey.models import MaintenanceEvent, SurveyReturn, ValidationConfirmation

# The values of a return stored in a column of their own (breakdown quantities come apart).
RETURN_SCALARS = tuple(f for f in RETURN_VALUES if f not in RETURN_BREAKDOWNS)
# Producer attributes stored blank when unknown; the engine wants them null.
_BLANK_IS_NULL = ("province", "region", "nature", "feedstock", "event", "reason")


def _frame(name: str, rows: Iterable[Sequence[Any]], columns: Sequence[str]) -> pl.DataFrame:
    schema = SCHEMAS[name]
    frame = pl.DataFrame(
        list(rows),
        schema={c: schema[c] for c in columns},
        orient="row",
    )
    blanks = [c for c in _BLANK_IS_NULL if c in frame.columns and frame.schema[c] == pl.Utf8]
    if blanks:
        frame = frame.with_columns(pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in blanks)
    return conform(name, frame)


def load_survey_inputs(
    products: list[str] | None = None,
    until: date | None = None,
) -> CycleInputs:
    """The register and the survey as the engine takes them (no published history: that
    belongs to the releases, see ``releases.cycle.load_cycle_inputs``).

    ``products``: catalog codes to load (all by default). ``until``: the last month of survey
    data to hand over (returns, confirmations and published history of later months are left
    out, as for a cycle run in that month); the register (producers, capacity, panel,
    events) is handed over whole, since the engine selects by date. Returns are the latest
    revision of each producer and month, with their breakdown quantities as RETURN_PARTS
    rows and their planned quantities for the next month as SCHEDULE_PARTS rows.
    """
    last = month_start(until) if until is not None else None
    by_product = Q(product__in=products) if products is not None else Q()
    of_product = Q(producer__product__in=products) if products is not None else Q()
    up_to = Q(period__lte=last) if last is not None else Q()

    producers = _frame(
        "producers",
        Producer.objects.filter(by_product)
        .order_by("code")
        .values_list("code", "product", "province", "region", "nature", "feedstock"),
        ["producer_id", "product", "province", "region", "nature", "feedstock"],
    )
    capacity = _frame(
        "capacity",
        CapacityRecord.objects.filter(of_product)
        .order_by("producer__code", "valid_from")
        .values_list("producer__code", "valid_from", "capacity", "event"),
        ["producer_id", "valid_from", "capacity", "event"],
    )
    panel = _frame(
        "panel",
        PanelMembership.objects.filter(of_product)
        .order_by("producer__code", "first_period")
        .values_list("producer__code", "first_period", "last_period"),
        ["producer_id", "first_period", "last_period"],
    )

    return_columns = ["producer_id", "period", *RETURN_SCALARS]
    return_rows: list[tuple[Any, ...]] = []
    part_rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in RETURN_BREAKDOWNS}
    current = (
        SurveyReturn.objects.current()
        .filter(of_product, up_to)
        .order_by("producer__code", "period")
        .values_list("producer__code", "period", *RETURN_SCALARS, *RETURN_BREAKDOWNS)
    )
    n = len(RETURN_SCALARS) + 2
    for row in current:
        return_rows.append(tuple(row[:n]))
        for name, breakdown in zip(RETURN_BREAKDOWNS, row[n:], strict=True):
            for dimension, parts in (breakdown or {}).items():
                for value, quantity in parts.items():
                    part_rows[name].append((row[0], row[1], dimension, value, quantity))
    returns = _frame("returns", return_rows, return_columns)
    part_columns = ["producer_id", "period", "dimension", "value", "quantity"]
    return_parts = _frame("return_parts", part_rows["breakdown"], part_columns)
    schedule_parts = _frame("schedule_parts", part_rows["schedule_breakdown"], part_columns)

    events = _frame(
        "events",
        MaintenanceEvent.objects.filter(of_product)
        .order_by("producer__code", "start")
        .values_list("producer__code", "start", "end", "capacity_affected", "reason", "planned"),
        ["producer_id", "start", "end", "capacity_affected", "reason", "planned"],
    )
    confirmations = _frame(
        "confirmations",
        ValidationConfirmation.objects.filter(of_product, up_to)
        .order_by("producer__code", "period", "rule")
        .values_list("producer__code", "period", "rule"),
        ["producer_id", "period", "rule"],
    )
    return CycleInputs(
        producers=producers,
        capacity=capacity,
        panel=panel,
        returns=returns,
        return_parts=return_parts,
        schedule_parts=schedule_parts,
        events=events,
        confirmations=confirmations,
    )
