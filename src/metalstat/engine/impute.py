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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from metalstat.catalog.model import Product
from metalstat.engine.cells import potential


@dataclass(frozen=True)
class Method:
    """One imputation method: when it applies to a non-respondent (``applies``, over the
    month's panel joined with last month and the stratum and product aggregates) and the
    value it gives (``value``). ``min_respondents``: the fewest respondents its aggregate
    needs (the ``n`` column it counts, if any)."""

    name: str
    applies: Callable[[int], pl.Expr]
    value: Callable[[], pl.Expr]
    min_respondents: int = 0


def _at_least(column: str) -> Callable[[int], pl.Expr]:
    return lambda n: pl.col(column) >= max(n, 1)


# The table that runs: tried in this order, the first that applies (with a finite value) wins.
METHODS: tuple[Method, ...] = (
    Method("halted", lambda _n: pl.col("halt_known"), lambda: pl.lit(0.0)),
    Method("schedule", lambda _n: pl.col("prev_schedule").is_not_null(), lambda: pl.col("prev_schedule")),
    Method(
        "stratum_trend",
        lambda n: pl.col("prev_value").is_not_null() & _at_least("trend_n")(n),
        lambda: pl.col("prev_value") * pl.col("trend_ratio"),
        min_respondents=1,
    ),
    Method(
        "stratum_rate",
        _at_least("rate_n"),
        lambda: pl.col("potential") * pl.col("stratum_rate"),
        min_respondents=1,
    ),
    Method(
        "product_rate",
        _at_least("product_n"),
        lambda: pl.col("potential") * pl.col("product_rate"),
        min_respondents=1,
    ),
)

KEY = ["producer_id", "period"]


def complete_month(
    cur: pl.DataFrame,
    prev: pl.DataFrame | None,
    products: Sequence[Product],
    methods: Sequence[Method] = METHODS,
) -> pl.DataFrame:
    """Complete one month's panel. ``cur``: the month's panel cells. ``prev``: the previous
    month's completed panel (producer_id, value, responded, output, schedule) or None.
    ``methods``: the imputation table, tried in its order."""
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
    # polars' when/then builders change type as they chain.
    method: Any = pl.when(resp).then(pl.lit("reported"))
    value: Any = pl.when(resp).then(pl.col("output"))
    for m in methods:
        val = m.value()
        usable = m.applies(m.min_respondents).fill_null(False) & val.is_finite().fill_null(False)
        method = method.when(usable).then(pl.lit(m.name))
        value = value.when(usable).then(val)
    df = df.with_columns(method=method.otherwise(pl.lit("none")), value=value.otherwise(None))
    return _complete_metal_and_capacity(df, products)


def metal_factors(products: Sequence[Product]) -> pl.DataFrame:
    """Each product's metal per physical tonne where it has one (product, metal_factor): its
    catalog factor, 1 for a product counted in metal, else null."""
    return pl.DataFrame(
        {
            "product": [p.code for p in products],
            "metal_factor": [
                p.metal_factor if p.metal_factor is not None else (1.0 if p.content == "metal" else None)
                for p in products
            ],
        },
        schema={"product": pl.Utf8, "metal_factor": pl.Float64},
    )


def _complete_metal_and_capacity(df: pl.DataFrame, products: Sequence[Product]) -> pl.DataFrame:
    """Metal content of completed values (the producer's own grade when it reported both, else
    the grade it had last month, else the product's factor) and operating capacity of non-respondents (its capacity at
    month end × the stratum respondents' running share)."""
    factor = metal_factors(products)
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


def complete_panel(
    cells: pl.DataFrame,
    months: Sequence[date],
    products: Sequence[Product],
    methods: Sequence[Method] = METHODS,
) -> pl.DataFrame:
    """Complete every month in order. ``months[0]`` serves only as context for ``months[1]``
    (its non-respondents are imputed without a prior month)."""
    panel = cells.filter(pl.col("in_panel"))
    parts: list[pl.DataFrame] = []
    prev: pl.DataFrame | None = None
    by_month = panel.partition_by("period", as_dict=True, maintain_order=False)
    empty = panel.clear()
    for m in months:
        cur = by_month.get((m,), empty)
        done = complete_month(cur, prev, products, methods)
        parts.append(done)
        prev = done.select("producer_id", "value", "responded", "output", "schedule", "grade")
    return pl.concat(parts, how="vertical_relaxed") if parts else empty


def imputation_log(completed: pl.DataFrame) -> pl.DataFrame:
    """One row per imputed cell: which producer, month, method and value (the lineage)."""
    return completed.filter(pl.col("imputed")).select(
        "product", "producer_id", "period", "method", "value", "value_metal"
    )


CELL_STATUSES = {
    "product": pl.Utf8,
    "producer_id": pl.Utf8,
    "period": pl.Date,
    "field": pl.Utf8,  # a return field: output, output_metal, operating_capacity
    "status": pl.Utf8,  # reported | imputed | missing
    "method": pl.Utf8,  # how the value was obtained ("reported", an imputation method, a grade source)
    "value": pl.Float64,
}


def cell_statuses(completed: pl.DataFrame) -> pl.DataFrame:
    """One status per cell of the completed panel (Banff's status table): for each producer,
    month and completed field, whether the value is the reported one, imputed (and by which
    method) or still missing. Output carries the imputation method; metal content not reported
    comes from the producer's grade last month (``last_grade``) or the product's factor
    (``product_factor``); operating
    capacity of a non-respondent is 0 when halted, else its capacity × the stratum's running
    share (``running_share``)."""
    if completed.is_empty():
        return pl.DataFrame(schema=CELL_STATUSES)
    resp = pl.col("responded")
    keys = [pl.col("product"), pl.col("producer_id").cast(pl.Utf8), pl.col("period")]

    def rows(field: str, value: pl.Expr, reported: pl.Expr, method: pl.Expr) -> pl.DataFrame:
        status = pl.when(reported).then(pl.lit("reported")).when(value.is_null()).then(pl.lit("missing"))
        return completed.select(
            *keys,
            field=pl.lit(field),
            status=status.otherwise(pl.lit("imputed")),
            method=pl.when(reported).then(pl.lit("reported")).when(value.is_null()).then(None).otherwise(method),
            value=value.cast(pl.Float64),
        )

    output = rows("output", pl.col("value"), resp, pl.col("method"))
    grade_source = (
        pl.when(pl.col("prev_grade").is_not_null()).then(pl.lit("last_grade")).otherwise(pl.lit("product_factor"))
    )
    metal = rows(
        "output_metal", pl.col("value_metal"), resp & pl.col("output_metal").is_not_null(), grade_source
    ).filter(pl.col("value").is_not_null() | (pl.col("status") == "reported"))
    opcap_method = pl.when(pl.col("method") == "halted").then(pl.lit("halted")).otherwise(pl.lit("running_share"))
    opcap = rows("operating_capacity", pl.col("opcap"), pl.col("operating_capacity").is_not_null(), opcap_method)
    return pl.concat([output, metal, opcap]).select([pl.col(c).cast(t) for c, t in CELL_STATUSES.items()])
