"""The month's cells: one row per producer of the frame and month, with everything the
engine needs to know about it (capacity in force, size class, stratum, panel membership, its
return, known halts). Every later step reads this table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from metalstat.catalog.model import Product
from metalstat.engine.calendar import add_months, days_in_month
from metalstat.engine.inputs import CycleInputs

FAR_FUTURE = date(9999, 12, 31)


def months_frame(months: Sequence[date]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "period": list(months),
            "m_start": list(months),
            "m_next": [add_months(m, 1) for m in months],
            "days": [days_in_month(m) for m in months],
        },
        schema={"period": pl.Date, "m_start": pl.Date, "m_next": pl.Date, "days": pl.Int64},
    )


def capacity_by_month(capacity: pl.DataFrame, months: pl.DataFrame) -> pl.DataFrame:
    """Capacity of each producer in each month: day-weighted average (the month's potential
    output is cap_avg × days / 365, or / 12 for products that count months so), in force at
    month end, and the largest in force on any day
    (which decides the size class, so a plant commissioned mid-month is classed by nameplate)."""
    recs = (
        capacity.sort("producer_id", "valid_from")
        .with_columns(valid_to=pl.col("valid_from").shift(-1).over("producer_id").fill_null(FAR_FUTURE))
        .join(months, how="cross")
        .with_columns(
            overlap=(pl.min_horizontal("valid_to", "m_next") - pl.max_horizontal("valid_from", "m_start"))
            .dt.total_days()
            .clip(lower_bound=0)
        )
        .filter(pl.col("overlap") > 0)
    )
    return recs.group_by("producer_id", "period").agg(
        cap_avg=(pl.col("capacity") * pl.col("overlap")).sum() / pl.col("days").first(),
        cap_end=pl.col("capacity").filter(pl.col("valid_to") >= pl.col("m_next")).last(),
        cap_max=pl.col("capacity").max(),
    )


def panel_by_month(panel: pl.DataFrame, months: pl.DataFrame) -> pl.DataFrame:
    return (
        panel.join(months.select("period"), how="cross")
        .filter(
            (pl.col("first_period") <= pl.col("period"))
            & (pl.col("last_period").is_null() | (pl.col("last_period") >= pl.col("period")))
        )
        .select("producer_id", "period")
        .unique()
        .with_columns(in_panel=pl.lit(True))
    )


def halts_by_month(events: pl.DataFrame, months: pl.DataFrame) -> pl.DataFrame:
    """Per producer and month: whether a stop covers the whole month (the capacity it affects is
    compared later) and whether any event touches the month (it explains a swing)."""
    ev = events.join(months, how="cross").with_columns(end_or_far=pl.col("end").fill_null(FAR_FUTURE))
    touching = ev.filter((pl.col("start") < pl.col("m_next")) & (pl.col("end_or_far") >= pl.col("m_start")))
    return touching.group_by("producer_id", "period").agg(
        event_in_month=pl.lit(True),
        halt_capacity=pl.col("capacity_affected")
        .filter(
            (pl.col("start") <= pl.col("m_start")) & (pl.col("end_or_far") >= pl.col("m_next") - pl.duration(days=1))
        )
        .sum(),
    )


def size_class_table(products: Sequence[Product]) -> pl.DataFrame:
    rows = [(p.code, s.name, float(s.min_capacity)) for p in products for s in p.size_classes]
    return pl.DataFrame(
        rows,
        schema={"product": pl.Utf8, "size_class": pl.Utf8, "min_capacity": pl.Float64},
        orient="row",
    ).sort("min_capacity")


def stratum_expr(products: Sequence[Product]) -> pl.Expr:
    """The stratum label: the product's strata attributes joined by "|". One branch per
    distinct strata list, not per product (most products stratify by size class alone)."""
    by_strata: dict[tuple[str, ...], list[str]] = {}
    for p in products:
        by_strata.setdefault(p.strata or ("all",), []).append(p.code)
    expr: pl.Expr = pl.lit("all")
    for strata, codes in by_strata.items():
        parts = [pl.col(s).fill_null("?") if s != "all" else pl.lit("all") for s in strata]
        label = parts[0] if len(parts) == 1 else pl.concat_str(parts, separator="|")
        expr = pl.when(pl.col("product").is_in(codes)).then(label).otherwise(expr)
    return expr


def potential() -> pl.Expr:
    """A producer's potential output in the month at its capacity in force, as its product
    counts a month's capacity (``month_share``: days/365, or 1/12)."""
    return pl.col("cap_avg") * pl.col("month_share")


def month_share_expr(products: Sequence[Product]) -> pl.Expr:
    twelfth = [p.code for p in products if p.month_capacity == "twelfth"]
    days = pl.col("days").cast(pl.Float64) / 365.0
    if not twelfth:
        return days
    return pl.when(pl.col("product").is_in(twelfth)).then(pl.lit(1.0 / 12.0)).otherwise(days)


def build_cells(inputs: CycleInputs, products: Sequence[Product], months: Sequence[date]) -> pl.DataFrame:
    """One row per (producer, month) for producers in the frame (capacity in force on some day
    of the month) of the given products and months."""
    codes = [p.code for p in products]
    mf = months_frame(months)
    producers = inputs.producers.filter(pl.col("product").is_in(codes))
    ids = producers.select("producer_id")
    caps = capacity_by_month(inputs.capacity.join(ids, on="producer_id", how="semi"), mf)
    cells = (
        caps.filter(pl.col("cap_max") > 0)
        .join(producers, on="producer_id", how="inner")
        .join(mf.select("period", "days"), on="period", how="left")
        .with_columns(pl.col("cap_end").fill_null(0.0))
    )
    cells = (
        cells.sort("cap_max")
        .join_asof(
            size_class_table(products),
            left_on="cap_max",
            right_on="min_capacity",
            by="product",
            strategy="backward",
            check_sortedness=False,  # sorted by cap_max above; groups can't be checked
        )
        .drop("min_capacity")
    )
    cells = cells.with_columns(stratum=stratum_expr(products), month_share=month_share_expr(products))
    panel = panel_by_month(inputs.panel.join(ids, on="producer_id", how="semi"), mf)
    cells = cells.join(panel, on=["producer_id", "period"], how="left").with_columns(
        pl.col("in_panel").fill_null(False)
    )
    returns = (
        inputs.returns.filter(pl.col("period").is_between(min(months), max(months)))
        .join(ids, on="producer_id", how="semi")
        .with_columns(responded=pl.col("output").is_not_null())
    )
    cells = cells.join(returns, on=["producer_id", "period"], how="left").with_columns(
        pl.col("responded").fill_null(False) & pl.col("in_panel")
    )
    halts = halts_by_month(inputs.events.join(ids, on="producer_id", how="semi"), mf)
    cells = cells.join(halts, on=["producer_id", "period"], how="left").with_columns(
        pl.col("event_in_month").fill_null(False),
        halt_known=(pl.col("halt_capacity").fill_null(0.0) >= pl.col("cap_end"))
        & (pl.col("halt_capacity").fill_null(0.0) > 0),
    )
    return cells.drop("halt_capacity")
