"""Imputation of missing returns: an ordered list of methods, the first that applies wins.

Methods (DESIGN §3), tried in this order for a panel producer without a return in month m:

0. ``halted``: a maintenance event stops at least its whole capacity for the whole month -> 0.
1. ``schedule``: the output the producer scheduled for m in its return for m-1.
2. ``stratum_trend``: its (completed) output in m-1 × Σy(m)/Σy(m-1) over the producers of its
   stratum that returned in both months (needs at least ``min_respondents`` of them).
3. ``stratum_rate``: capacity × days/365 × the operating rate of the stratum's respondents.
4. ``product_rate``: the same with the operating rate of all the product's respondents, when
   the stratum has none (documented fallback; DESIGN leaves the case open).

Months are completed in order, so a producer missing two months running is carried forward
from its imputed value (rule 2 reads the completed m-1). The reported value is never
overwritten: ``value`` holds the completed value, ``reported`` what the producer said,
``method`` how the value was obtained ("reported" or one of the above).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from metalstat.catalog.model import Product
from metalstat.engine.cells import potential


@dataclass(frozen=True)
class Method:
    name: str
    min_respondents: int = 0


METHODS: tuple[Method, ...] = (
    Method("halted"),
    Method("schedule"),
    Method("stratum_trend", min_respondents=1),
    Method("stratum_rate", min_respondents=1),
    Method("product_rate", min_respondents=1),
)

KEY = ["producer_id", "period"]


def complete_month(cur: pl.DataFrame, prev: pl.DataFrame | None, products: Sequence[Product]) -> pl.DataFrame:
    """Complete one month's panel. ``cur``: the month's panel cells. ``prev``: the previous
    month's completed panel (producer_id, value, responded, output, schedule) or None."""
    if prev is None:
        prev = pl.DataFrame(
            schema={
                "producer_id": pl.Utf8,
                "value": pl.Float64,
                "responded": pl.Boolean,
                "output": pl.Float64,
                "schedule": pl.Float64,
                "grade": pl.Float64,
            }
        )
    p = prev.select(
        "producer_id",
        prev_value=pl.col("value"),
        prev_grade=pl.col("grade"),
        prev_reported=pl.when(pl.col("responded")).then(pl.col("output")),
        prev_schedule=pl.col("schedule"),
    )
    df = cur.join(p, on="producer_id", how="left").with_columns(potential=potential())
    resp = pl.col("responded")
    both = resp & (pl.col("prev_reported") > 0)
    by_stratum = df.group_by("product", "stratum").agg(
        trend_n=both.sum(),
        trend_ratio=pl.col("output").filter(both).sum() / pl.col("prev_reported").filter(both).sum(),
        rate_n=resp.sum(),
        stratum_rate=pl.col("output").filter(resp).sum() / pl.col("potential").filter(resp).sum(),
    )
    by_product = df.group_by("product").agg(
        product_n=resp.sum(),
        product_rate=pl.col("output").filter(resp).sum() / pl.col("potential").filter(resp).sum(),
    )
    df = df.join(by_stratum, on=["product", "stratum"], how="left").join(by_product, on="product", how="left")
    m = {x.name: x.min_respondents for x in METHODS}
    candidates: list[tuple[str, pl.Expr, pl.Expr]] = [
        ("halted", pl.col("halt_known"), pl.lit(0.0)),
        ("schedule", pl.col("prev_schedule").is_not_null(), pl.col("prev_schedule")),
        (
            "stratum_trend",
            pl.col("prev_value").is_not_null() & (pl.col("trend_n") >= max(m["stratum_trend"], 1)),
            pl.col("prev_value") * pl.col("trend_ratio"),
        ),
        (
            "stratum_rate",
            pl.col("rate_n") >= max(m["stratum_rate"], 1),
            pl.col("potential") * pl.col("stratum_rate"),
        ),
        (
            "product_rate",
            pl.col("product_n") >= max(m["product_rate"], 1),
            pl.col("potential") * pl.col("product_rate"),
        ),
    ]
    # polars' when/then builders change type as they chain.
    method: Any = pl.when(resp).then(pl.lit("reported"))
    value: Any = pl.when(resp).then(pl.col("output"))
    for name, cond, val in candidates:
        method = method.when(cond.fill_null(False) & val.is_finite().fill_null(False)).then(pl.lit(name))
        value = value.when(cond.fill_null(False) & val.is_finite().fill_null(False)).then(val)
    df = df.with_columns(method=method.otherwise(pl.lit("none")), value=value.otherwise(None))
    return _complete_metal_and_capacity(df, products)


def _complete_metal_and_capacity(df: pl.DataFrame, products: Sequence[Product]) -> pl.DataFrame:
    """Metal content of completed values (the producer's own grade when it reported both, else
    the grade it had last month, else the product's factor) and operating capacity of non-respondents (its capacity at
    month end × the stratum respondents' running share)."""
    factor = pl.DataFrame(
        {
            "product": [p.code for p in products],
            "metal_factor": [
                p.metal_factor if p.metal_factor is not None else (1.0 if p.content == "metal" else None)
                for p in products
            ],
        },
        schema={"product": pl.Utf8, "metal_factor": pl.Float64},
    )
    own_grade = pl.when(pl.col("responded") & (pl.col("output") > 0)).then(pl.col("output_metal") / pl.col("output"))
    df = df.join(factor, on="product", how="left").with_columns(
        grade=pl.coalesce(own_grade, pl.col("prev_grade"), pl.col("metal_factor"))
    )
    running = pl.col("responded") & pl.col("operating_capacity").is_not_null()
    share = df.group_by("product", "stratum").agg(
        run_share=pl.col("operating_capacity").filter(running).sum() / pl.col("cap_end").filter(running).sum()
    )
    df = df.join(share, on=["product", "stratum"], how="left")
    return df.with_columns(
        value_metal=pl.when(pl.col("responded") & pl.col("output_metal").is_not_null())
        .then(pl.col("output_metal"))
        .otherwise(pl.col("value") * pl.col("grade")),
        opcap=pl.when(pl.col("operating_capacity").is_not_null())
        .then(pl.col("operating_capacity"))
        .when(pl.col("method") == "halted")
        .then(0.0)
        .otherwise(pl.col("cap_end") * pl.col("run_share").fill_nan(None)),
        imputed=pl.col("method").is_in(["reported", "none"]).not_(),
    )


def complete_panel(cells: pl.DataFrame, months: Sequence[date], products: Sequence[Product]) -> pl.DataFrame:
    """Complete every month in order. ``months[0]`` serves only as context for ``months[1]``
    (its non-respondents are imputed without a prior month)."""
    panel = cells.filter(pl.col("in_panel"))
    parts: list[pl.DataFrame] = []
    prev: pl.DataFrame | None = None
    by_month = panel.partition_by("period", as_dict=True, maintain_order=False)
    empty = panel.clear()
    for m in months:
        cur = by_month.get((m,), empty)
        done = complete_month(cur, prev, products)
        parts.append(done)
        prev = done.select("producer_id", "value", "responded", "output", "schedule", "grade")
    return pl.concat(parts, how="vertical_relaxed") if parts else empty


def imputation_log(completed: pl.DataFrame) -> pl.DataFrame:
    """One row per imputed cell: which producer, month, method and value (the lineage)."""
    return completed.filter(pl.col("imputed")).select(
        "product", "producer_id", "period", "method", "value", "value_metal"
    )
