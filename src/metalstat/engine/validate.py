"""Validation rules for survey returns, as data, confronted with the data.

Each rule has an id, a severity (``error`` holds the cycle until the value is corrected;
``warning`` holds it until an analyst confirms the value with a reason), a label, a message
template filled from the offending row, and a test: a polars expression over the returns in
context that is true where the rule fires. ``metalstat rules`` lists them.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import polars as pl

from metalstat.catalog.model import Product
from metalstat.catalog.vocabulary import RETURN_STATUSES
from metalstat.engine.calendar import add_months, months_between
from metalstat.engine.cells import build_cells
from metalstat.engine.inputs import CycleInputs, month_start

Severity = Literal["error", "warning"]

FINDINGS = {
    "producer_id": pl.Utf8,
    "product": pl.Utf8,
    "period": pl.Date,
    "rule": pl.Utf8,
    "severity": pl.Utf8,
    "message": pl.Utf8,
    "value": pl.Float64,
    "confirmed": pl.Boolean,
}


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    label: str
    message: str  # str.format template over the row's columns
    test: Callable[[], pl.Expr]
    value: Callable[[], pl.Expr]
    field: str = "output"  # the return field the finding is about (Banff's field)

    def describe(self) -> dict[str, str]:
        return {"id": self.id, "severity": self.severity, "label": self.label, "message": self.message}


def _c(name: str) -> pl.Expr:
    return pl.col(name)


def _potential() -> pl.Expr:
    """The most a producer can make in the month at its capacity in force."""
    return _c("cap_avg") * _c("days") / 365.0


def _daily_change_pct() -> pl.Expr:
    return ((_c("output") / _c("days")) / (_c("prev_output") / _c("prev_days")) - 1.0) * 100.0


# A return's metal/physical ratio may differ from a fixed formula's by this much (relative):
# moisture and rounding of a plant's own weighing, not a different salt.
FORMULA_TOLERANCE = 0.01

RULES: tuple[Rule, ...] = (
    Rule(
        "missing_output",
        "error",
        "Output missing",
        "no actual output given for {period}",
        lambda: _c("output").is_null(),
        lambda: pl.lit(None, pl.Float64),
    ),
    Rule(
        "negative_value",
        "error",
        "Negative value",
        "a quantity is negative ({value})",
        lambda: (
            pl.min_horizontal(
                _c("output"),
                _c("output_metal"),
                _c("schedule"),
                _c("schedule_metal"),
                _c("schedule_after_next"),
                _c("operating_capacity"),
                _c("min_part"),
                _c("planned_min_part"),
            )
            < 0
        ),
        lambda: pl.min_horizontal(
            _c("output"),
            _c("output_metal"),
            _c("schedule"),
            _c("schedule_metal"),
            _c("schedule_after_next"),
            _c("operating_capacity"),
            _c("min_part"),
            _c("planned_min_part"),
        ),
        field="quantities",
    ),
    Rule(
        "unknown_status",
        "error",
        "Unknown status",
        "status {status!r} is not one of " + ", ".join(RETURN_STATUSES),
        lambda: ~_c("status").is_in(list(RETURN_STATUSES)),
        lambda: pl.lit(None, pl.Float64),
        field="status",
    ),
    Rule(
        "no_capacity",
        "error",
        "No capacity in force",
        "the producer has no capacity in force in {period}: record its capacity first",
        # A plant whose capacity starts next month may report nil output and its plan.
        lambda: (
            (_c("cap_avg").is_null() | (_c("cap_avg") <= 0))
            & ~((_c("output") == 0) & (_c("next_cap_avg") > 0)).fill_null(False)
        ),
        lambda: _c("output"),
        field="capacity",
    ),
    Rule(
        "above_capacity",
        "error",
        "Output above capacity",
        "output {output:,.1f} is above what capacity {cap_avg:,.0f}/year allows in "
        "{days} days ({potential:,.1f}) plus {tolerance_pct:.0f}%",
        lambda: _c("output") > _potential() * (1.0 + _c("capacity_tolerance")),
        lambda: _c("output"),
    ),
    Rule(
        "metal_above_physical",
        "error",
        "Metal above physical content",
        "metal content {output_metal:,.1f} exceeds physical output {output:,.1f}",
        lambda: _c("output_metal") > _c("output") * (1.0 + 1e-9),
        lambda: _c("output_metal"),
        field="output_metal",
    ),
    Rule(
        "off_formula",
        "error",
        "Metal content off the formula",
        "metal content {output_metal:,.1f} is {grade_pct:.2f}% of physical output {output:,.1f}; "
        "the product's fixed formula gives {formula_pct:.2f}%",
        lambda: (
            _c("fixed_formula")
            & (_c("output") > 0)
            & ((_c("output_metal") / _c("output") / _c("formula_factor") - 1.0).abs() > FORMULA_TOLERANCE)
        ),
        lambda: _c("output_metal"),
    ),
    Rule(
        "breakdown_sum",
        "error",
        "Breakdown does not add up",
        "breakdown {bad_dimension!r} adds up to {bad_sum:,.1f}, output is {output:,.1f}",
        lambda: _c("bad_dimension").is_not_null(),
        lambda: _c("bad_sum"),
        field="breakdown",
    ),
    Rule(
        "unknown_breakdown",
        "error",
        "Unknown breakdown value",
        "breakdown value {unknown_part!r} is not in the catalog for this product",
        lambda: _c("unknown_part").is_not_null(),
        lambda: pl.lit(None, pl.Float64),
        field="breakdown",
    ),
    Rule(
        "planned_breakdown_sum",
        "error",
        "Planned breakdown does not add up",
        "next month's planned breakdown {planned_bad_dimension!r} adds up to {planned_bad_sum:,.1f}, "
        "the schedule is {schedule:,.1f}",
        lambda: _c("planned_bad_dimension").is_not_null(),
        lambda: _c("planned_bad_sum"),
        field="schedule_breakdown",
    ),
    Rule(
        "unknown_planned_breakdown",
        "error",
        "Unknown planned breakdown value",
        "planned breakdown value {planned_unknown_part!r} is not in the catalog for this product",
        lambda: _c("planned_unknown_part").is_not_null(),
        lambda: pl.lit(None, pl.Float64),
        field="schedule_breakdown",
    ),
    Rule(
        "planned_breakdown_without_schedule",
        "error",
        "Planned breakdown without a schedule",
        "next month's planned breakdown is given but the schedule is empty: give the schedule the parts add up to",
        lambda: _c("planned_min_part").is_not_null() & _c("schedule").is_null(),
        lambda: pl.lit(None, pl.Float64),
        field="schedule",
    ),
    Rule(
        "halted_with_output",
        "error",
        "Halted with output",
        "status is halted but output is {output:,.1f}",
        lambda: (_c("status") == "halted") & (_c("output") > 0),
        lambda: _c("output"),
    ),
    Rule(
        "unit_mixup",
        "warning",
        "Unit mix-up?",
        "output {output:,.1f} is {ratio:,.0f}x the producer's usual {usual:,.1f}: check the unit (mt vs kt vs kg)",
        lambda: _c("ratio") >= _c("unit_mixup_factor"),
        lambda: _c("output"),
    ),
    Rule(
        "unexplained_swing",
        "warning",
        "Unexplained swing",
        "daily output changed {swing:+.1f}% MoM (alert at {mom_alert_pct:.0f}%) with "
        "status normal, no reason and no maintenance event",
        lambda: (
            (_daily_change_pct().abs() > _c("mom_alert_pct"))
            & (_c("status") == "normal")
            & (_c("reason").is_null() | (_c("reason").str.strip_chars() == ""))
            & ~_c("event_in_month")
        ),
        lambda: _daily_change_pct(),
    ),
    Rule(
        "far_from_schedule",
        "warning",
        "Far from last month's schedule",
        "output {output:,.1f} is {gap:+.1f}% from the {prev_schedule:,.1f} scheduled last month "
        "(alert at {schedule_gap_pct:.0f}%) without a reason",
        lambda: (
            ((_c("output") / _c("prev_schedule") - 1.0).abs() * 100.0 > _c("schedule_gap_pct"))
            & (_c("prev_schedule") > 0)
            & (_c("reason").is_null() | (_c("reason").str.strip_chars() == ""))
        ),
        lambda: (_c("output") / _c("prev_schedule") - 1.0) * 100.0,
    ),
)

RULES_BY_ID = {r.id: r for r in RULES}


def _thresholds(products: Sequence[Product]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "product": p.code,
                "capacity_tolerance": p.thresholds.capacity_tolerance,
                "mom_alert_pct": p.thresholds.mom_alert_pct,
                "schedule_gap_pct": p.thresholds.schedule_gap_pct,
                "unit_mixup_factor": p.thresholds.unit_mixup_factor,
                "breakdown_tolerance": p.thresholds.breakdown_tolerance,
                "fixed_formula": p.fixed_formula,
                "formula_factor": p.metal_factor if p.fixed_formula else None,
            }
            for p in products
        ]
    )


def _parts_checks(parts_frame: pl.DataFrame, inputs: CycleInputs, products: Sequence[Product]) -> pl.DataFrame:
    """Per return: the smallest part, the sum of each partition (``dimension``,
    ``part_sum``), the first unknown breakdown value, of the actual (``return_parts``) or
    the planned parts (``schedule_parts``)."""
    allowed = pl.DataFrame(
        [
            {"product": p.code, "dimension": d.name, "value": v, "partition": d.kind == "partition"}
            for p in products
            for d in p.dimensions
            if d.source == "return"
            for v in d.value_names()
        ],
        schema={
            "product": pl.Utf8,
            "dimension": pl.Utf8,
            "value": pl.Utf8,
            "partition": pl.Boolean,
        },
    )
    parts = parts_frame.join(inputs.producers.select("producer_id", "product"), on="producer_id").join(
        allowed, on=["product", "dimension", "value"], how="left"
    )
    unknown = (
        parts.filter(pl.col("partition").is_null())
        .group_by("producer_id", "period")
        .agg(unknown_part=(pl.col("dimension") + "=" + pl.col("value")).first())
    )
    sums = (
        parts.filter(pl.col("partition").fill_null(False))
        .group_by("producer_id", "period", "dimension")
        .agg(part_sum=pl.col("quantity").sum())
    )
    mins = parts.group_by("producer_id", "period").agg(min_part=pl.col("quantity").min())
    return mins.join(unknown, on=["producer_id", "period"], how="full", coalesce=True).join(
        sums.group_by("producer_id", "period").agg(pl.all().sort_by("dimension")),
        on=["producer_id", "period"],
        how="full",
        coalesce=True,
    )


def check_returns(
    period: str | date | None,
    inputs: CycleInputs,
    products: Sequence[Product],
    *,
    cells: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Confront the returns of ``period`` (or of every period present) with the rules.

    Returns one finding per rule fired per return, in the FINDINGS shape; ``confirmed`` is true
    where an analyst confirmed that warning. ``cells``: the month's cells when the caller has
    built them already (they must cover the checked months and, for a plant about to start, the
    month after).
    """
    inputs = inputs.checked()
    ctx = _context(period, inputs, products, cells=cells)
    if ctx is None:
        return pl.DataFrame(schema=FINDINGS)
    return _findings(ctx, inputs.confirmations)


def _context(
    period: str | date | None,
    inputs: CycleInputs,
    products: Sequence[Product],
    *,
    cells: pl.DataFrame | None = None,
) -> pl.DataFrame | None:
    """The checked returns (of ``period`` or of every period) with every column the rules'
    tests and messages read; None when there is no return to check. ``inputs`` are checked."""
    codes = [p.code for p in products]
    returns = inputs.returns.join(
        inputs.producers.filter(pl.col("product").is_in(codes)).select("producer_id", "product"),
        on="producer_id",
    )
    if period is not None:
        returns = returns.filter(pl.col("period") == month_start(period))
    if returns.is_empty():
        return None
    periods = returns.get_column("period")
    first, last = periods.min(), periods.max()
    assert isinstance(first, date) and isinstance(last, date)
    if cells is None:
        cells = build_cells(inputs, products, months_between(add_months(first, -12), add_months(last, 1)))
    next_cap = cells.select("producer_id", period=pl.col("period").dt.offset_by("-1mo"), next_cap_avg=pl.col("cap_avg"))
    cells = cells.select("producer_id", "period", "days", "cap_avg", "event_in_month")
    history = inputs.returns.filter(pl.col("period").is_between(add_months(first, -12), last)).select(
        "producer_id", "period", "output", "schedule"
    )
    prev = history.select(
        "producer_id",
        period=pl.col("period").dt.offset_by("1mo"),
        prev_output=pl.col("output"),
        prev_schedule=pl.col("schedule"),
    )
    usual = (
        returns.select("producer_id", "period")
        .join(history.rename({"period": "hist_period", "output": "hist_output"}), on="producer_id")
        .filter(
            (pl.col("hist_period") < pl.col("period"))
            & (pl.col("hist_period") >= pl.col("period").dt.offset_by("-12mo"))
            & (pl.col("hist_output") > 0)
        )
        .group_by("producer_id", "period")
        .agg(usual=pl.col("hist_output").median())
    )
    ctx = (
        returns.join(cells, on=["producer_id", "period"], how="left")
        .join(next_cap, on=["producer_id", "period"], how="left")
        .join(prev, on=["producer_id", "period"], how="left")
        .join(usual, on=["producer_id", "period"], how="left")
        .join(_thresholds(products), on="product", how="left")
        .join(_parts_checks(inputs.return_parts, inputs, products), on=["producer_id", "period"], how="left")
        .join(
            _parts_checks(inputs.schedule_parts, inputs, products).select(
                "producer_id", "period", pl.all().exclude("producer_id", "period").name.prefix("planned_")
            ),
            on=["producer_id", "period"],
            how="left",
        )
        .with_columns(
            prev_days=pl.col("period").dt.offset_by("-1mo").dt.month_end().dt.day().cast(pl.Int64),
            event_in_month=pl.col("event_in_month").fill_null(False),
        )
    )
    # The first partition whose parts do not add up to the output (planned: to the schedule).
    bad = pl.Struct({"bad_dimension": pl.Utf8, "bad_sum": pl.Float64})
    ctx = ctx.with_columns(
        bad=pl.struct(
            pl.col("dimension"), pl.col("part_sum"), pl.col("output"), pl.col("breakdown_tolerance")
        ).map_elements(_first_bad_partition, return_dtype=bad),
        planned_bad=pl.struct(
            dimension=pl.col("planned_dimension"),
            part_sum=pl.col("planned_part_sum"),
            output=pl.col("schedule"),
            breakdown_tolerance=pl.col("breakdown_tolerance"),
        ).map_elements(_first_bad_partition, return_dtype=bad),
    ).unnest("bad")
    ctx = ctx.with_columns(
        planned_bad_dimension=pl.col("planned_bad").struct.field("bad_dimension"),
        planned_bad_sum=pl.col("planned_bad").struct.field("bad_sum"),
    ).drop("planned_bad")
    ctx = ctx.with_columns(
        potential=_potential(),
        tolerance_pct=pl.col("capacity_tolerance") * 100.0,
        # A zero (a halt) is no unit mix-up: compare positive values only.
        ratio=pl.when((pl.col("output") > 0) & (pl.col("usual") > 0)).then(
            pl.max_horizontal(pl.col("output") / pl.col("usual"), pl.col("usual") / pl.col("output"))
        ),
        swing=_daily_change_pct(),
        gap=(pl.col("output") / pl.col("prev_schedule") - 1.0) * 100.0,
        grade_pct=pl.col("output_metal") / pl.col("output") * 100.0,
        formula_pct=pl.col("formula_factor") * 100.0,
    )
    return ctx


def _findings(ctx: pl.DataFrame, confirmations: pl.DataFrame, rules: Sequence[Rule] = RULES) -> pl.DataFrame:
    """One row per rule fired per row of ``ctx``, in ``rules`` order, in the FINDINGS shape."""
    confirmed = confirmations.with_columns(confirmed=pl.lit(True))
    found = []
    for rule in rules:
        hits = ctx.filter(rule.test().fill_null(False))
        if hits.is_empty():
            continue
        hits = hits.with_columns(_value=rule.value())
        found.append(
            hits.select(
                pl.col("producer_id").cast(pl.Utf8),
                pl.col("product").cast(pl.Utf8),
                pl.col("period").cast(pl.Date),
                rule=pl.lit(rule.id, pl.Utf8),
                severity=pl.lit(rule.severity, pl.Utf8),
                message=pl.lit(_messages(rule.message, hits)),
                value=pl.col("_value").cast(pl.Float64),
            )
        )
    if not found:
        return pl.DataFrame(schema=FINDINGS)
    return (
        pl.concat(found)
        .join(confirmed, on=["producer_id", "period", "rule"], how="left")
        .with_columns(pl.col("confirmed").fill_null(False))
        .select(list(FINDINGS))
    )


Field = tuple[str, str | None, str]  # name, conversion, format spec


def _template(template: str) -> list[tuple[str, Field | None]] | None:
    """A message template as (literal text, field) pieces, or None when it has a field the
    column-wise formatting does not handle (positional, attribute or index, nested spec)."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return None
    pieces: list[tuple[str, Field | None]] = []
    for literal, name, spec, conversion in parsed:
        if name is None:
            pieces.append((literal, None))
        elif name.isidentifier() and "{" not in (spec or "") and conversion in (None, "r", "s", "a"):
            pieces.append((literal, (name, conversion, spec or "")))
        else:
            return None
    return pieces


def _render(value: object, conversion: str | None, spec: str) -> str | None:
    """One field as str.format_map renders it; None where that raises (see _format)."""
    try:
        if conversion == "r":
            value = repr(value)
        elif conversion == "s":
            value = str(value)
        elif conversion == "a":
            value = ascii(value)
        return format(value, spec)
    except (ValueError, TypeError):
        return None


def _field(rows: pl.DataFrame, name: str, conversion: str | None, spec: str) -> pl.Series:
    """A field of a message template rendered for every row as _format renders it: None as
    NaN, the period as YYYY-MM, ``?`` for a key that is not a column; null where the
    formatting fails. Strings, integers and the period without conversion or spec are
    rendered by polars; other values (floats with a spec, mostly) by format(), once per
    distinct value where there are few."""
    if name == "period":
        period = rows.get_column("period")
        if period.dtype == pl.Date and not (period.dt.year() < 1000).any():
            labels = period.dt.strftime("%Y-%m").fill_null("?")
            if conversion is None and not spec:
                return labels
            return _formatted(labels, conversion, spec)
        values = [f"{v:%Y-%m}" if isinstance(v, date) else "?" for v in period.to_list()]
        return _formatted(pl.Series(values, dtype=pl.Utf8), conversion, spec)
    if name not in rows.columns:
        return pl.repeat(_render("?", conversion, spec), rows.height, dtype=pl.Utf8, eager=True)
    column = rows.get_column(name)
    if conversion is None and not spec:
        if column.dtype == pl.Utf8:
            return column.fill_null("nan")
        if column.dtype.is_integer():
            return column.cast(pl.Utf8).fill_null("nan")
    return _formatted(column, conversion, spec)


def _formatted(column: pl.Series, conversion: str | None, spec: str) -> pl.Series:
    """_render of every value of a column (None as NaN)."""
    # Few distinct values (a threshold, a status): render each once. Not for floats with
    # zeros or NaNs, which unique() merges (0.0 and -0.0 format differently).
    distinct = column.unique()
    if 2 * distinct.len() <= column.len() and not (
        column.dtype.is_float() and ((column == 0.0).any() or column.is_nan().any())
    ):
        rendered = pl.Series([_render(_nan(v), conversion, spec) for v in distinct.to_list()], dtype=pl.Utf8)
        lookup = pl.DataFrame({"v": distinct, "text": rendered})
        return (
            column.to_frame("v")
            .join(lookup, on="v", how="left", nulls_equal=True, maintain_order="left")
            .get_column("text")
        )
    if column.dtype.is_float() and conversion is None:
        values = column.fill_null(float("nan")).to_list()
        try:  # the common case, without a call per value
            return pl.Series([format(v, spec) for v in values], dtype=pl.Utf8)
        except (ValueError, TypeError):
            pass
    return pl.Series([_render(_nan(v), conversion, spec) for v in column.to_list()], dtype=pl.Utf8)


def _nan(value: object) -> object:
    return float("nan") if value is None else value


def _messages(template: str, rows: pl.DataFrame) -> pl.Series:
    """``_format(template, row)`` for every row, built a column at a time."""
    pieces = _template(template)
    if pieces is None:
        return pl.Series([_format(template, row) for row in rows.iter_rows(named=True)], dtype=pl.Utf8)
    parts: list[pl.Expr] = [pl.lit("", pl.Utf8)]
    for literal, field in pieces:
        if literal:
            parts.append(pl.lit(literal, pl.Utf8))
        if field is not None:
            parts.append(pl.lit(_field(rows, *field)))
    # A field that fails to format makes the whole message the bare template, as in _format.
    message = pl.concat_str(parts).fill_null(pl.lit(template, pl.Utf8))
    # with_columns, not select: a template without fields is a literal to spread over the rows
    return rows.with_columns(_message=message).get_column("_message").alias("message")


def _first_bad_partition(row: dict[str, object]) -> dict[str, object]:
    dims = row["dimension"] or []
    sums = row["part_sum"] or []
    output = row["output"]
    tol = row["breakdown_tolerance"] or 0.0
    assert isinstance(dims, list) and isinstance(sums, list) and isinstance(tol, float)
    if isinstance(output, float):
        for dim, total in zip(dims, sums, strict=True):
            if abs(total - output) > tol * max(abs(output), 1e-9):
                return {"bad_dimension": dim, "bad_sum": total}
    return {"bad_dimension": None, "bad_sum": None}


class _Blank(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "?"


def _format(template: str, row: dict[str, object]) -> str:
    values = _Blank({k: (v if v is not None else float("nan")) for k, v in row.items()})
    values["period"] = f"{row['period']:%Y-%m}" if isinstance(row["period"], date) else "?"
    try:
        return template.format_map(values)
    except (ValueError, TypeError):
        return template


def errors(findings: pl.DataFrame) -> pl.DataFrame:
    """Findings that stop the cycle until the value is corrected."""
    return findings.filter(pl.col("severity") == "error")


def unconfirmed_warnings(findings: pl.DataFrame) -> pl.DataFrame:
    """Warnings an analyst still has to confirm (with a reason) or correct."""
    return findings.filter((pl.col("severity") == "warning") & ~pl.col("confirmed"))
