"""Estimation: sample values expanded to national totals by capacity coverage.

Per product, month and stratum h: Ŷ_h = Σ_{i∈s_h} y_i × C_h / c_h, with C_h the frame's and
c_h the sample's day-weighted capacity. A stratum of the frame with no sample producer
("uncovered") is estimated at the product's covered ratio Σy/Σc, so each sample producer's
weight is w_i = C_h/c_h + C_uncovered/c_covered (documented in docs/methodology.md).
Domain estimates (a region, a feedstock route, a size class) are Σ_{i∈domain} w_i y_i.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from metalstat.catalog.model import Product
from metalstat.engine.figures import breakdown_key

LEVELS = {
    "product": pl.Utf8,
    "period": pl.Date,
    "measure": pl.Utf8,
    "breakdown": pl.Utf8,
    "value": pl.Float64,
    "n_producers": pl.Int64,
    "top_share": pl.Float64,  # largest single producer's part of the cell (dominance)
}


def weights(cells: pl.DataFrame, completed: pl.DataFrame) -> pl.DataFrame:
    """The expansion weight of each completed sample producer in each month."""
    frame = cells.group_by("product", "period", "stratum").agg(C=pl.col("cap_avg").sum())
    sample = (
        completed.filter(pl.col("value").is_not_null())
        .group_by("product", "period", "stratum")
        .agg(c=pl.col("cap_avg").sum())
    )
    strata = frame.join(sample, on=["product", "period", "stratum"], how="left").with_columns(
        pl.col("c").fill_null(0.0)
    )
    covered = pl.col("c") > 0
    totals = strata.group_by("product", "period").agg(
        C_uncovered=pl.col("C").filter(~covered).sum(),
        c_covered=pl.col("c").filter(covered).sum(),
    )
    strata = (
        strata.filter(covered)
        .join(totals, on=["product", "period"])
        .with_columns(w=pl.col("C") / pl.col("c") + pl.col("C_uncovered") / pl.col("c_covered"))
    )
    return completed.filter(pl.col("value").is_not_null()).join(
        strata.select("product", "period", "stratum", "w"),
        on=["product", "period", "stratum"],
        how="inner",
    )


def _cell(measure: str, dim: str | None, value: pl.Expr) -> list[pl.Expr]:
    """Aggregations of one estimated cell: its value, producers behind it, dominance."""
    contribution = value
    return [
        contribution.sum().alias("value"),
        (contribution > 0).sum().cast(pl.Int64).alias("n_producers"),
        (contribution.max() / contribution.sum()).fill_nan(None).alias("top_share"),
    ]


def _domain_levels(
    w: pl.DataFrame, measure: str, column: str, dim: str, values_expr: pl.Expr
) -> pl.DataFrame:
    return (
        w.filter(pl.col(dim).is_not_null())
        .group_by("product", "period", dim)
        .agg(_cell(measure, dim, values_expr))
        .with_columns(
            measure=pl.lit(measure),
            breakdown=pl.lit(dim + "=") + pl.col(dim),
        )
        .drop(dim)
    )


def production_levels(w: pl.DataFrame, products: Sequence[Product]) -> pl.DataFrame:
    """National production: the total, by content, and by every producer-attribute domain."""
    out = []
    weighted = pl.col("w") * pl.col("value")
    weighted_metal = pl.col("w") * pl.col("value_metal")
    total = w.group_by("product", "period").agg(_cell("production", None, weighted))
    out.append(total.with_columns(measure=pl.lit("production"), breakdown=pl.lit("")))
    both = [p.code for p in products if p.content == "both"]
    headline_metal = [
        p.code for p in products if p.content == "both" and p.headline_content == "metal"
    ]
    if both:
        wb = w.filter(pl.col("product").is_in(both))
        metal = wb.group_by("product", "period").agg(_cell("production", None, weighted_metal))
        out.append(metal.with_columns(measure=pl.lit("production"),
                                      breakdown=pl.lit(breakdown_key({"content": "metal"}))))  # fmt: skip
        out.append(total.filter(pl.col("product").is_in(both)).with_columns(
            measure=pl.lit("production"), breakdown=pl.lit(breakdown_key({"content": "physical"}))
        ))  # fmt: skip
        if headline_metal:
            # The headline total of a metal-headline product is its metal content.
            out[0] = pl.concat(
                [
                    out[0].filter(~pl.col("product").is_in(headline_metal)),
                    metal.filter(pl.col("product").is_in(headline_metal)).with_columns(
                        measure=pl.lit("production"), breakdown=pl.lit("")
                    ),
                ],
                how="diagonal",
            )
    out.append(_domain_levels(w, "production", "value", "size_class", weighted))
    for p in products:
        for d in p.dimensions:
            if d.source == "producer":
                out.append(
                    _domain_levels(
                        w.filter(pl.col("product") == p.code),
                        "production",
                        "value",
                        d.name,
                        weighted,
                    )
                )
    return pl.concat(out, how="diagonal").select(list(LEVELS))


def part_levels(
    w: pl.DataFrame, parts: pl.DataFrame, totals: pl.DataFrame, products: Sequence[Product]
) -> pl.DataFrame:
    """Return-reported breakdowns: the respondents' weighted composition applied to the
    estimated total, so a partition adds up to the total whatever the imputation did.

    Level of part v of dimension D = Ŷ × Σ_{resp} w_i q_iv / Σ_{resp reporting D} w_i y_i.
    """
    has_dims = any(d.source == "return" for p in products for d in p.dimensions)
    if not has_dims or parts.is_empty():
        return pl.DataFrame(schema=LEVELS)
    resp = w.filter(pl.col("responded")).select("product", "producer_id", "period", "w", "value")
    p = parts.rename({"value": "part"}).join(resp, on=["producer_id", "period"], how="inner")
    base = (
        p.unique(["producer_id", "period", "dimension"])
        .group_by("product", "period", "dimension")
        .agg(base=(pl.col("w") * pl.col("value")).sum())
    )
    cells = p.group_by("product", "period", "dimension", "part").agg(
        _cell("production", None, pl.col("w") * pl.col("quantity"))
    )
    headline = totals.filter(pl.col("breakdown") == "").select(
        "product", "period", total=pl.col("value")
    )
    return (
        cells.join(base, on=["product", "period", "dimension"])
        .join(headline, on=["product", "period"])
        .with_columns(
            value=pl.col("value") / pl.col("base") * pl.col("total"),
            measure=pl.lit("production"),
            breakdown=pl.col("dimension") + "=" + pl.col("part"),
        )
        .select(list(LEVELS))
    )


def capacity_levels(cells: pl.DataFrame, w: pl.DataFrame, panel: pl.DataFrame) -> pl.DataFrame:
    """Existing capacity (the frame's, in force at month end), operating capacity (Σ w × the
    sample's running capacity) and the sample's own capacity."""
    existing = (
        cells.group_by("product", "period")
        .agg(_cell("capacity", None, pl.col("cap_end")))
        .with_columns(measure=pl.lit("capacity"), breakdown=pl.lit(""))
    )
    sample = (
        panel.group_by("product", "period")
        .agg(_cell("capacity", None, pl.col("cap_end")))
        .with_columns(measure=pl.lit("capacity"), breakdown=pl.lit("basis=sample"))
    )
    running = w.filter(pl.col("opcap").is_not_null()).with_columns(wo=pl.col("w") * pl.col("opcap"))
    operating = (
        running.group_by("product", "period")
        .agg(_cell("operating_capacity", None, pl.col("wo")))
        .with_columns(measure=pl.lit("operating_capacity"), breakdown=pl.lit(""))
    )
    by_region = (
        running.filter(pl.col("region").is_not_null())
        .group_by("product", "period", "region")
        .agg(_cell("operating_capacity", None, pl.col("wo")))
        .with_columns(
            measure=pl.lit("operating_capacity"), breakdown=pl.lit("region=") + pl.col("region")
        )
        .drop("region")
    )
    return pl.concat([existing, sample, operating, by_region], how="diagonal").select(list(LEVELS))
