"""Validation rules for survey returns, as data, confronted with the data.

Each rule has an id, a severity (``error`` holds the cycle until the value is corrected;
``warning`` holds it until an analyst confirms the value with a reason), a label, a message
template filled from the offending row, and a test: a polars expression over the returns in
context that is true where the rule fires. ``metalstat rules`` lists them.
"""

from __future__ import annotations

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

    def describe(self) -> dict[str, str]:
        return {"id": self.id, "severity": self.severity, "label": self.label, "message": self.message}


def _c(name: str) -> pl.Expr:
    return pl.col(name)


def _potential() -> pl.Expr:
    """The most a producer can make in the month at its capacity in force."""
    return _c("cap_avg") * _c("days") / 365.0


def _daily_change_pct() -> pl.Expr:
    return ((_c("output") / _c("days")) / (_c("prev_output") / _c("prev_days")) - 1.0) * 100.0


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
                _c("operating_capacity"),
                _c("min_part"),
            )
            < 0
        ),
        lambda: pl.min_horizontal(
            _c("output"),
            _c("output_metal"),
            _c("schedule"),
            _c("schedule_metal"),
            _c("operating_capacity"),
            _c("min_part"),
        ),
    ),
    Rule(
        "unknown_status",
        "error",
        "Unknown status",
        "status {status!r} is not one of " + ", ".join(RETURN_STATUSES),
        lambda: ~_c("status").is_in(list(RETURN_STATUSES)),
        lambda: pl.lit(None, pl.Float64),
    ),
    Rule(
        "no_capacity",
        "error",
        "No capacity in force",
        "the producer has no capacity in force in {period}: record its capacity first",
        lambda: _c("cap_avg").is_null() | (_c("cap_avg") <= 0),
        lambda: _c("output"),
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
    ),
    Rule(
        "breakdown_sum",
        "error",
        "Breakdown does not add up",
        "breakdown {bad_dimension!r} adds up to {bad_sum:,.1f}, output is {output:,.1f}",
        lambda: _c("bad_dimension").is_not_null(),
        lambda: _c("bad_sum"),
    ),
    Rule(
        "unknown_breakdown",
        "error",
        "Unknown breakdown value",
        "breakdown value {unknown_part!r} is not in the catalog for this product",
        lambda: _c("unknown_part").is_not_null(),
        lambda: pl.lit(None, pl.Float64),
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
            }
            for p in products
        ]
    )


def _parts_checks(inputs: CycleInputs, products: Sequence[Product]) -> pl.DataFrame:
    """Per return: the smallest part, the first partition that does not add up, the first
    unknown breakdown value."""
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
    parts = inputs.return_parts.join(inputs.producers.select("producer_id", "product"), on="producer_id").join(
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
    built them already (they must cover the checked months).
    """
    inputs = inputs.checked()
    codes = [p.code for p in products]
    returns = inputs.returns.join(
        inputs.producers.filter(pl.col("product").is_in(codes)).select("producer_id", "product"),
        on="producer_id",
    )
    if period is not None:
        returns = returns.filter(pl.col("period") == month_start(period))
    if returns.is_empty():
        return pl.DataFrame(schema=FINDINGS)
    periods = returns.get_column("period")
    first, last = periods.min(), periods.max()
    assert isinstance(first, date) and isinstance(last, date)
    if cells is None:
        cells = build_cells(inputs, products, months_between(add_months(first, -12), last))
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
        .join(prev, on=["producer_id", "period"], how="left")
        .join(usual, on=["producer_id", "period"], how="left")
        .join(_thresholds(products), on="product", how="left")
        .join(_parts_checks(inputs, products), on=["producer_id", "period"], how="left")
        .with_columns(
            prev_days=pl.col("period").dt.offset_by("-1mo").dt.month_end().dt.day().cast(pl.Int64),
            event_in_month=pl.col("event_in_month").fill_null(False),
        )
    )
    # The first partition whose parts do not add up to the output.
    ctx = ctx.with_columns(
        bad=pl.struct(
            pl.col("dimension"), pl.col("part_sum"), pl.col("output"), pl.col("breakdown_tolerance")
        ).map_elements(
            _first_bad_partition,
            return_dtype=pl.Struct({"bad_dimension": pl.Utf8, "bad_sum": pl.Float64}),
        )
    ).unnest("bad")
    ctx = ctx.with_columns(
        potential=_potential(),
        tolerance_pct=pl.col("capacity_tolerance") * 100.0,
        # A zero (a halt) is no unit mix-up: compare positive values only.
        ratio=pl.when((pl.col("output") > 0) & (pl.col("usual") > 0)).then(
            pl.max_horizontal(pl.col("output") / pl.col("usual"), pl.col("usual") / pl.col("output"))
        ),
        swing=_daily_change_pct(),
        gap=(pl.col("output") / pl.col("prev_schedule") - 1.0) * 100.0,
    )
    confirmed = inputs.confirmations.with_columns(confirmed=pl.lit(True))
    found = []
    for rule in RULES:
        hits = ctx.filter(rule.test().fill_null(False))
        if hits.is_empty():
            continue
        for row in hits.with_columns(_value=rule.value()).iter_rows(named=True):
            found.append(
                {
                    "producer_id": row["producer_id"],
                    "product": row["product"],
                    "period": row["period"],
                    "rule": rule.id,
                    "severity": rule.severity,
                    "message": _format(rule.message, row),
                    "value": row["_value"],
                }
            )
    if not found:
        return pl.DataFrame(schema=FINDINGS)
    df = pl.DataFrame(found, schema={k: v for k, v in FINDINGS.items() if k != "confirmed"})
    return (
        df.join(confirmed, on=["producer_id", "period", "rule"], how="left")
        .with_columns(pl.col("confirmed").fill_null(False))
        .select(list(FINDINGS))
    )


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
