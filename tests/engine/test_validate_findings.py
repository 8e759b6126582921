"""check_returns' findings are those of the original row-by-row loop, rule by rule.

The reference below is the loop check_returns used before its findings were built with
polars expressions: it stays here, in the test, so a change in the vectorised version (rows,
order, dtypes, message text, NaN and None in messages, ``?`` for unknown template keys)
makes the test fail.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from metalstat.catalog import load_catalog
from metalstat.engine import validate
from metalstat.engine.inputs import CycleInputs, empty
from metalstat.engine.validate import FINDINGS, RULES, Rule, check_returns

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from synthetic import synthetic_inputs


class _Blank(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "?"


def reference_format(template: str, row: dict[str, object]) -> str:
    values = _Blank({k: (v if v is not None else float("nan")) for k, v in row.items()})
    values["period"] = f"{row['period']:%Y-%m}" if isinstance(row["period"], date) else "?"
    try:
        return template.format_map(values)
    except (ValueError, TypeError):
        return template


def reference_findings(ctx: pl.DataFrame, confirmations: pl.DataFrame, rules: Sequence[Rule] = RULES) -> pl.DataFrame:
    """The findings loop as it was: one dict per rule and hit row, messages by format_map."""
    confirmed = confirmations.with_columns(confirmed=pl.lit(True))
    found = []
    for rule in rules:
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
                    "message": reference_format(rule.message, row),
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


def messy_inputs(seed: int = 11) -> CycleInputs:
    """The benchmark's catalog-wide panel, small, broken in every way a rule looks for."""
    rng = np.random.default_rng(seed)
    products = list(load_catalog())
    base = synthetic_inputs(2 * len(products), years=2, seed=seed)
    r = base.returns
    n = r.height
    pick = rng.random(n)
    output = r.get_column("output").to_numpy().copy()
    output[pick < 0.03] = np.nan  # becomes null below
    output[(pick >= 0.03) & (pick < 0.05)] *= -1.0
    output[(pick >= 0.05) & (pick < 0.07)] *= 1.5  # above capacity
    output[(pick >= 0.07) & (pick < 0.09)] /= 1000.0  # unit mix-up
    output[(pick >= 0.09) & (pick < 0.11)] = 0.0  # halts, and infinite swings after them
    output[(pick >= 0.11) & (pick < 0.12)] *= 1000.0
    output[(pick >= 0.12) & (pick < 0.13)] = -0.04  # formats as -0.0
    statuses = np.array(["normal", "halted", "closed", "it's", 'say "no"', "cut", "停产"])
    status: list[str | None] = [
        None if u < 0.01 else "normal" if u < 0.8 else str(rng.choice(statuses)) for u in rng.random(n)
    ]
    reasons = ["new line", "  ", "", "检修"]
    reason = [str(rng.choice(reasons)) if u < 0.15 else None for u in rng.random(n)]
    metal = np.where(rng.random(n) < 0.1, output * rng.uniform(0.5, 1.2, n), np.nan)
    schedule = r.get_column("schedule").to_numpy().copy()
    schedule[rng.random(n) < 0.05] *= rng.choice([-1.0, 2.0, 0.0])
    returns = r.with_columns(
        output=pl.Series(output).fill_nan(None),
        output_metal=pl.Series(metal).fill_nan(None),
        schedule=pl.Series(schedule),
        operating_capacity=pl.when(pl.Series(rng.random(n) < 0.02)).then(-1.0).otherwise(None),
        status=pl.Series(status, dtype=pl.Utf8),
        reason=pl.Series(reason, dtype=pl.Utf8),
    )
    # Breakdown quantities for products whose returns carry them: some add up, some do not,
    # some use values the catalog does not know.
    with_parts = {
        p.code: [d for d in p.dimensions if d.source == "return"]
        for p in products
        if any(d.source == "return" for d in p.dimensions)
    }
    rows = returns.join(base.producers.select("producer_id", "product"), on="producer_id")
    # The same for the next month's planned parts, on the schedule (left empty at times).
    frames = []
    for total in ("output", "schedule"):
        parts = []
        for ret in rows.filter(pl.col("product").is_in(list(with_parts))).iter_rows(named=True):
            if rng.random() < 0.4 or (total == "output" and ret[total] is None):
                continue
            base_qty = ret[total] if ret[total] is not None else 100.0
            for dim in with_parts[ret["product"]]:
                names = list(dim.value_names())
                share = rng.dirichlet(np.ones(len(names)))
                scale = rng.choice([1.0, 1.0, 0.5, 1.2])
                for name, s in zip(names, share, strict=True):
                    parts.append((ret["producer_id"], ret["period"], dim.name, name,
                                  float(base_qty * s * scale)))  # fmt: skip
                if rng.random() < 0.1:
                    parts.append((ret["producer_id"], ret["period"], dim.name, "mystery", 1.0))
        frames.append(pl.DataFrame(parts, schema=empty("return_parts").schema, orient="row"))
    return_parts, schedule_parts = frames
    returns = returns.with_columns(
        schedule=pl.when(pl.Series(rng.random(n) < 0.02)).then(None).otherwise(pl.col("schedule"))
    )
    # A producer whose capacity starts later than its returns: no capacity in force.
    late = base.capacity.head(3).with_columns(valid_from=pl.lit(date(2030, 1, 1)))
    capacity = pl.concat([base.capacity.slice(3), late])
    return replace(
        base, returns=returns, return_parts=return_parts, schedule_parts=schedule_parts, capacity=capacity
    ).checked()


@pytest.fixture(scope="module")
def messy() -> CycleInputs:
    inputs = messy_inputs()
    # Confirm some of the warnings that fire, so the join on confirmations is exercised.
    ctx = validate._context(None, inputs, list(load_catalog()))
    assert ctx is not None
    some = (
        reference_findings(ctx, inputs.confirmations)
        .filter(pl.col("severity") == "warning")
        .gather_every(3)
        .select("producer_id", "period", "rule")
    )
    return replace(inputs, confirmations=some)


@pytest.mark.parametrize("period", [None, "2025-06", "2024-09"])
def test_findings_match_the_row_by_row_loop(messy: CycleInputs, period: str | None) -> None:
    products = list(load_catalog())
    ctx = validate._context(period, messy, products)
    assert ctx is not None
    expected = reference_findings(ctx, messy.confirmations)
    got = check_returns(period, messy, products)
    assert got.schema == expected.schema == pl.Schema(FINDINGS)
    for rule in RULES:
        assert_frame_equal(
            got.filter(pl.col("rule") == rule.id),
            expected.filter(pl.col("rule") == rule.id),
            check_exact=True,
        )
    assert_frame_equal(got, expected, check_exact=True)
    if period is None:  # the messy panel breaks every rule, and some warnings are confirmed
        assert set(got.get_column("rule")) == {r.id for r in RULES}
        assert got.get_column("confirmed").any()


def test_messages_with_odd_templates_match_format_map(messy: CycleInputs) -> None:
    """Unknown keys, conversions, NaN and None, escaped braces, bad specs and fields the
    vectorised path does not handle give what str.format_map gave."""
    ctx = validate._context(None, messy, list(load_catalog()))
    assert ctx is not None
    # Null integers, NaN and infinite floats, as a context could hold them.
    k = pl.int_range(pl.len()) % 7
    ctx = ctx.with_columns(
        days=pl.when(k == 0).then(None).otherwise("days"),
        output=pl.when(k == 1).then(float("nan")).otherwise("output"),
        swing=pl.when(k == 2).then(float("-inf")).when(k == 3).then(None).otherwise("swing"),
    )
    assert ctx.get_column("days").dtype.is_integer()
    templates = [
        "{missing} and {missing!r} and {missing:>3}",
        "{missing:,.1f}",  # "?" with a float spec: the template itself
        "{status!r} {status} {reason!r} {reason:>6} {unknown_part!s}",
        "{days} {days:03d} {days!r} {prev_days:,.1f}",
        "{days} days, {prev_days} before",
        "{output} {output!r} {swing:+.1f} {ratio:,.0f} {usual:.3e} {output_metal:,.2f}",
        "{event_in_month} {event_in_month!r} {period!r} {period:>9} {_value:.2f}",
        "{{literal}} {output:,.1f}%% {{{output:.0f}}}",
        "{status:,.1f}",  # a string with a float spec: the template itself
        "{output:d}",  # a float with an int spec: the template itself
        "{0} {}",  # positional fields
        "{output:{days}}",  # nested spec
        "{product[0]}",
        "{ unbalanced",
        "no fields at all",
        "",
    ]
    rules = tuple(
        Rule(f"t{i}", "warning", "odd", t, lambda: pl.lit(True), lambda: pl.col("output"))
        for i, t in enumerate(templates)
    )
    expected = reference_findings(ctx, messy.confirmations, rules)
    got = validate._findings(ctx, messy.confirmations, rules)
    for rule in rules:
        assert_frame_equal(
            got.filter(pl.col("rule") == rule.id),
            expected.filter(pl.col("rule") == rule.id),
            check_exact=True,
        )
