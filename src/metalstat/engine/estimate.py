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


def _cell(value: pl.Expr) -> list[pl.Expr]:
    """Aggregations of one estimated cell: its value, producers behind it, dominance."""
    contribution = value
    return [
        contribution.sum().alias("value"),
        (contribution > 0).sum().cast(pl.Int64).alias("n_producers"),
        (contribution.max() / contribution.sum()).fill_nan(None).alias("top_share"),
    ]


PRODUCER_DIMS = ("region", "province", "feedstock", "nature")


def domains(products: Sequence[Product]) -> dict[str, list[str]]:
    """Each producer attribute a breakdown can use -> the products that publish it (size
    class: every product)."""
    out: dict[str, list[str]] = {"size_class": [p.code for p in products]}
    for p in products:
        for d in p.dimensions:
            if d.source == "producer":
                out.setdefault(d.name, []).append(p.code)
    return out


def _contents(products: Sequence[Product]) -> list[tuple[list[str], str, str]]:
    """(products, value column, breakdown prefix) for every content a product publishes:
    the headline content without a label, and for content "both" each content labelled."""
    headline_metal = [p.code for p in products if p.content == "both" and p.headline_content == "metal"]
    both = [p.code for p in products if p.content == "both"]
    others = [p.code for p in products if p.code not in headline_metal]
    out = [(others, "value", ""), (headline_metal, "value_metal", "")]
    if both:
        out += [(both, "value", "content=physical"), (both, "value_metal", "content=metal")]
    return [(codes, col, prefix) for codes, col, prefix in out if codes]


def _key(prefix: str, dim: str | None) -> pl.Expr:
    """The breakdown key of a cell: dimensions sorted by name (see figures.breakdown_key)."""
    if dim is None:
        return pl.lit(prefix)
    cell = pl.lit(dim + "=") + pl.col(dim)
    if not prefix:
        return cell
    first, second = (pl.lit(prefix), cell) if prefix < dim else (cell, pl.lit(prefix))
    return first + pl.lit(";") + second


def production_levels(w: pl.DataFrame, products: Sequence[Product]) -> pl.DataFrame:
    """National production: the total and every producer-attribute domain (size class,
    region, province, feedstock), in the headline content and, for products reported in both
    contents, in each content."""
    out = []
    by_domain = domains(products)
    for codes, column, prefix in _contents(products):
        sub = w.filter(pl.col("product").is_in(codes))
        weighted = pl.col("w") * pl.col(column)
        out.append(sub.group_by("product", "period").agg(_cell(weighted)).with_columns(breakdown=_key(prefix, None)))
        for dim, dim_codes in by_domain.items():
            d = sub.filter(pl.col("product").is_in(dim_codes) & pl.col(dim).is_not_null())
            out.append(
                d.group_by("product", "period", dim)
                .agg(_cell(weighted))
                .with_columns(breakdown=_key(prefix, dim))
                .drop(dim)
            )
    return pl.concat(out, how="diagonal").with_columns(measure=pl.lit("production")).select(list(LEVELS))


def part_levels(
    w: pl.DataFrame, parts: pl.DataFrame, totals: pl.DataFrame, products: Sequence[Product]
) -> pl.DataFrame:
    """Return-reported breakdowns: the respondents' weighted composition applied to the
    estimated total, so a partition adds up to the total whatever imputation did:

        Ŷ_v = Ŷ × Σ_{resp} w_i q_iv / Σ_{resp reporting the dimension} w_i y_i

    In metal content the composition is weighted by each producer's grade g_i (metal per
    physical tonne), so high- and low-grade parts take their own metal. Crossed with a
    producer domain (size class, region, ...) the numerator runs over the domain's
    respondents and the base stays the product's, so the domain cells add up to the part.
    """
    has_dims = any(d.source == "return" for p in products for d in p.dimensions)
    if not has_dims or parts.is_empty():
        return pl.DataFrame(schema=LEVELS)
    dims = [c for c in ("size_class", *PRODUCER_DIMS) if c in w.columns]
    resp = w.filter(pl.col("responded")).select(
        "product",
        "producer_id",
        "period",
        "w",
        "value",
        *dims,
        grade=pl.when(pl.col("value") > 0).then(pl.col("value_metal") / pl.col("value")),
    )
    p = parts.rename({"value": "part"}).join(resp, on=["producer_id", "period"], how="inner")
    by_domain = domains(products)
    out = []
    for codes, column, prefix in _contents(products):
        metal = column == "value_metal"
        factor = pl.col("grade") if metal else pl.lit(1.0)
        sub = p.filter(pl.col("product").is_in(codes))
        base = (
            sub.unique(["producer_id", "period", "dimension"])
            .group_by("product", "period", "dimension")
            .agg(base=(pl.col("w") * pl.col("value") * factor).sum())
        )
        key = prefix if prefix else ""
        total = totals.filter(pl.col("breakdown") == key).select("product", "period", total=pl.col("value"))
        numerator = pl.col("w") * pl.col("quantity") * factor
        groupings: list[str | None] = [None, *by_domain]
        for dim in groupings:
            cols = ["product", "period", "dimension", "part"] + ([dim] if dim else [])
            g = sub if dim is None else sub.filter(pl.col("product").is_in(by_domain[dim]) & pl.col(dim).is_not_null())
            cells = g.group_by(cols).agg(_cell(numerator))
            part_key = pl.col("dimension") + "=" + pl.col("part")
            crossed = [prefix] if prefix else []
            label = _join_keys(part_key, crossed, dim)
            out.append(
                cells.join(base, on=["product", "period", "dimension"])
                .join(total, on=["product", "period"])
                .with_columns(
                    value=pl.col("value") / pl.col("base") * pl.col("total"),
                    measure=pl.lit("production"),
                    breakdown=label,
                )
                .select(list(LEVELS))
            )
    return pl.concat(out)


def _join_keys(part_key: pl.Expr, fixed: list[str], dim: str | None) -> pl.Expr:
    """A breakdown key from a part (dimension=value expression), fixed "k=v" items and an
    optional producer domain column, with the items sorted by dimension name."""
    items: list[tuple[pl.Expr, pl.Expr]] = [(pl.col("dimension"), part_key)]
    items += [(pl.lit(f.split("=")[0]), pl.lit(f)) for f in fixed]
    if dim:
        items.append((pl.lit(dim), pl.lit(dim + "=") + pl.col(dim)))
    keys = pl.concat_list([k for k, _ in items])
    vals = pl.concat_list([v for _, v in items])
    order = keys.list.eval(pl.element().arg_sort())
    return vals.list.gather(order).list.join(";")


def capacity_levels(
    cells: pl.DataFrame, w: pl.DataFrame, panel: pl.DataFrame, products: Sequence[Product]
) -> pl.DataFrame:
    """Existing capacity (the frame's, in force at month end), operating capacity (Σ w × the
    sample's running capacity), each also by producer domain, and the sample's own capacity."""
    running = w.filter(pl.col("opcap").is_not_null()).with_columns(wo=pl.col("w") * pl.col("opcap"))
    out = [
        panel.group_by("product", "period")
        .agg(_cell(pl.col("cap_end")))
        .with_columns(measure=pl.lit("capacity"), breakdown=pl.lit("basis=sample"))
    ]
    for measure, frame, value in (
        ("capacity", cells, pl.col("cap_end")),
        ("operating_capacity", running, pl.col("wo")),
    ):
        out.append(
            frame.group_by("product", "period")
            .agg(_cell(value))
            .with_columns(measure=pl.lit(measure), breakdown=pl.lit(""))
        )
        for dim, codes in domains(products).items():
            out.append(
                frame.filter(pl.col("product").is_in(codes) & pl.col(dim).is_not_null())
                .group_by("product", "period", dim)
                .agg(_cell(value))
                .with_columns(measure=pl.lit(measure), breakdown=_key("", dim))
                .drop(dim)
            )
    return pl.concat(out, how="diagonal").select(list(LEVELS))
