"""Indicators: operating rates, shares, producer counts, quality, and the changes of every
series (MoM, YoY, YTD, pp, like-for-like) from the month's estimates.

Percentages are computed from unrounded levels; rounding happens only when shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from metalstat.catalog.model import Product
from metalstat.catalog.vocabulary import RETURN_STATUSES
from metalstat.engine.calendar import add_months
from metalstat.engine.cells import potential
from metalstat.engine.estimate import LEVELS, domains

RATE_MEASURES = ("operating_rate", "share", "producer_share", "coverage", "response_rate", "imputed_share")
COUNT_MEASURES = ("producer_count", "province_count")
LEVEL_MEASURES = ("production", "capacity", "operating_capacity")


def output_rate_levels(w: pl.DataFrame, products: Sequence[Product]) -> pl.DataFrame:
    """Output-basis operating rate over the sample: Σ y / Σ cap × d/365, in %, overall, per
    size class, and per value of dimensions flagged ``operating_rate``."""
    codes = [p.code for p in products if p.operating_rate == "output"]
    s = w.filter(pl.col("product").is_in(codes)).with_columns(potential=potential())

    def agg() -> list[pl.Expr]:
        return [
            (pl.col("value").sum() / pl.col("potential").sum() * 100.0).alias("value"),
            (pl.col("value") > 0).sum().cast(pl.Int64).alias("n_producers"),
            (pl.col("value").max() / pl.col("value").sum()).fill_nan(None).alias("top_share"),
        ]

    out = [s.group_by("product", "period").agg(agg()).with_columns(breakdown=pl.lit(""))]
    out.append(
        s.group_by("product", "period", "size_class")
        .agg(agg())
        .with_columns(breakdown=pl.lit("size_class=") + pl.col("size_class"))
        .drop("size_class")
    )
    for p in products:
        for d in p.dimensions:
            if d.operating_rate and p.code in codes:
                out.append(
                    s.filter(pl.col("product") == p.code)
                    .group_by("product", "period", d.name)
                    .agg(agg())
                    .with_columns(breakdown=pl.lit(d.name + "=") + pl.col(d.name))
                    .drop(d.name)
                )
    return pl.concat(out, how="diagonal").with_columns(measure=pl.lit("operating_rate")).select(list(LEVELS))


def capacity_rate_levels(levels: pl.DataFrame, products: Sequence[Product]) -> pl.DataFrame:
    """Capacity-basis operating rate: operating capacity / existing capacity, in %."""
    codes = [p.code for p in products if p.operating_rate == "capacity"]
    lv = levels.filter(pl.col("product").is_in(codes) & (pl.col("breakdown") == ""))
    cap = lv.filter(pl.col("measure") == "capacity").select("product", "period", cap="value")
    op = lv.filter(pl.col("measure") == "operating_capacity").select(
        "product", "period", "n_producers", "top_share", op="value"
    )
    return (
        op.join(cap, on=["product", "period"])
        .with_columns(
            value=pl.col("op") / pl.col("cap") * 100.0,
            measure=pl.lit("operating_rate"),
            breakdown=pl.lit(""),
        )
        .select(list(LEVELS))
    )


def share_levels(levels: pl.DataFrame, products: Sequence[Product]) -> pl.DataFrame:
    """Shares of partition breakdowns in the total, in %."""
    partitions = [(p.code, d.name) for p in products for d in p.dimensions if d.kind == "partition"]
    if not partitions:
        return pl.DataFrame(schema=LEVELS)
    dims = pl.DataFrame(partitions, schema={"product": pl.Utf8, "dim": pl.Utf8}, orient="row")
    prod = levels.filter(pl.col("measure") == "production")
    total = prod.filter(pl.col("breakdown") == "").select("product", "period", total="value")
    parts = prod.filter(pl.col("breakdown") != "").with_columns(dim=pl.col("breakdown").str.split("=").list.first())
    return (
        parts.join(dims, on=["product", "dim"], how="semi")
        .join(total, on=["product", "period"])
        .with_columns(value=pl.col("value") / pl.col("total") * 100.0, measure=pl.lit("share"))
        .select(list(LEVELS))
    )


# A relative tolerance, so the same output on the same number of days is "unchanged" whatever
# the float arithmetic did.
CHANGE_TOLERANCE = 1e-9


def change_class(daily: pl.Expr, prev_daily: pl.Expr) -> pl.Expr:
    """ "reduced", "increased" or "unchanged": a producer's daily output against the month before."""
    return (
        pl.when(daily < prev_daily * (1.0 - CHANGE_TOLERANCE))
        .then(pl.lit("reduced"))
        .when(daily > prev_daily * (1.0 + CHANGE_TOLERANCE))
        .then(pl.lit("increased"))
        .otherwise(pl.lit("unchanged"))
    )


def change_crossings(completed: pl.DataFrame, t: date, products: Sequence[Product]) -> pl.DataFrame:
    """Output of the producers that lowered (raised) daily output, by the producer domains
    each product's catalog entry asks for (``change_crossings``): for each cell such as
    ``change=reduced;province=Shaanxi``, the completed output of those producers in t and in
    t-1 (matched sample, unweighted sums, like the like-for-like change), the number of
    producers, and the largest single producer's share of the cell's change (for disclosure).

    Columns: product, breakdown, level, base_level, n_producers, top_share."""
    asked = [(p.code, dim) for p in products for dim in p.change_crossings]
    schema = {
        "product": pl.String,
        "breakdown": pl.String,
        "level": pl.Float64,
        "base_level": pl.Float64,
        "n_producers": pl.Int64,
        "top_share": pl.Float64,
    }
    if not asked:
        return pl.DataFrame(schema=schema)
    cur = completed.filter(pl.col("period") == t)
    prev = completed.filter(pl.col("period") == add_months(t, -1)).select(
        "producer_id", value_b=pl.col("value"), days_b=pl.col("days")
    )
    m = (
        cur.join(prev, on="producer_id", how="inner")
        .filter(pl.col("value").is_not_null() & pl.col("value_b").is_not_null())
        .with_columns(change=change_class(pl.col("value") / pl.col("days"), pl.col("value_b") / pl.col("days_b")))
        .filter(pl.col("change") != "unchanged")
        .with_columns(delta=(pl.col("value") - pl.col("value_b")).abs())
    )
    out = [
        m.filter((pl.col("product") == code) & pl.col(dim).is_not_null())
        .group_by("product", dim, "change")
        .agg(
            level=pl.col("value").sum(),
            base_level=pl.col("value_b").sum(),
            n_producers=pl.len().cast(pl.Int64),
            top_share=pl.when(pl.col("delta").sum() > 0).then(pl.col("delta").max() / pl.col("delta").sum()),
        )
        .with_columns(breakdown=cross_breakdown("change", dim))
        .select(list(schema))
        for code, dim in asked
    ]
    return pl.concat([pl.DataFrame(schema=schema), *out], how="vertical_relaxed")


def change_counts(
    matched: pl.DataFrame, daily: pl.Expr, prev_daily: pl.Expr, products: Sequence[Product]
) -> pl.DataFrame:
    """Among producers seen in both months (``matched``): how many were compared
    (``change=compared``, the denominator of the shares), how many and what % of them lowered or
    raised their daily output, overall and by producer domain (counts only); and, overall, how many
    did so by more than the product's ``significant_change_pct`` (``reduced_significantly``,
    ``increased_significantly``: a subset of the plain counts). A producer with no output the
    month before and some now has increased significantly."""
    tol = CHANGE_TOLERANCE
    limits = pl.DataFrame(
        {"product": [p.code for p in products], "sig": [p.thresholds.significant_change_pct / 100 for p in products]},
        schema={"product": pl.String, "sig": pl.Float64},
    )
    m = matched.join(limits, on="product", how="left").with_columns(
        change=change_class(daily, prev_daily),
        # Strictly beyond the threshold: a 10 % cut is not "more than 10 %".
        significant=(daily - prev_daily).abs() > prev_daily * pl.col("sig") * (1.0 + tol),
    )
    totals = m.group_by("product", "period").agg(
        n=pl.len(),
        reduced=(pl.col("change") == "reduced").sum(),
        increased=(pl.col("change") == "increased").sum(),
        reduced_significantly=((pl.col("change") == "reduced") & pl.col("significant")).sum(),
        increased_significantly=((pl.col("change") == "increased") & pl.col("significant")).sum(),
    )
    long = totals.unpivot(
        index=["product", "period", "n"],
        on=["reduced", "increased", "reduced_significantly", "increased_significantly"],
        variable_name="change",
    )
    out = [
        # the producers compared, the denominator of the shares below
        totals.select(
            "product",
            "period",
            measure=pl.lit("producer_count"),
            breakdown=pl.lit("change=compared"),
            value=pl.col("n").cast(pl.Float64),
        ),
        long.select(
            "product",
            "period",
            measure=pl.lit("producer_count"),
            breakdown=pl.lit("change=") + pl.col("change"),
            value=pl.col("value").cast(pl.Float64),
        ),
        long.select(
            "product",
            "period",
            measure=pl.lit("producer_share"),
            breakdown=pl.lit("change=") + pl.col("change"),
            value=pl.col("value") / pl.col("n") * 100.0,
        ),
    ]
    moved = m.filter(pl.col("change") != "unchanged")
    for dim, codes in domains(products).items():
        if dim == "size_class":
            continue
        out.append(
            moved.filter(pl.col("product").is_in(codes) & pl.col(dim).is_not_null())
            .group_by("product", "period", dim, "change")
            .agg(value=pl.len().cast(pl.Float64))
            .select(
                "product",
                "period",
                "value",
                measure=pl.lit("producer_count"),
                breakdown=cross_breakdown("change", dim),
            )
        )
    return pl.concat(out, how="diagonal")


def cross_breakdown(a: str, b: str) -> pl.Expr:
    """``a=<a>;b=<b>`` with the two dimensions in name order."""
    first, second = sorted((a, b))
    return pl.lit(first + "=") + pl.col(first) + pl.lit(f";{second}=") + pl.col(second)


def count_levels(completed: pl.DataFrame, products: Sequence[Product]) -> pl.DataFrame:
    """Sample producers by status (what they reported; a known halt counts as halted), also
    by producer domain; the sample size; the provinces it spans; and how many producers
    lowered or raised their daily output against the previous month."""
    s = completed.with_columns(
        status_seen=pl.when(pl.col("responded"))
        .then(pl.col("status"))
        .when(pl.col("method") == "halted")
        .then(pl.lit("halted"))
    )
    # Every status is counted, zero included, so "no smelter halted" is a figure too.
    statuses = pl.DataFrame({"status_seen": list(RETURN_STATUSES)})
    seen = s.filter(pl.col("status_seen").is_not_null())
    by_status = (
        seen.select("product", "period")
        .unique()
        .join(statuses, how="cross")
        .join(
            seen.group_by("product", "period", "status_seen").agg(n=pl.len()),
            on=["product", "period", "status_seen"],
            how="left",
        )
        .select(
            "product",
            "period",
            value=pl.col("n").fill_null(0).cast(pl.Float64),
            measure=pl.lit("producer_count"),
            breakdown=pl.lit("status=") + pl.col("status_seen"),
        )
    )
    crossed = []
    for dim, codes in domains(products).items():
        if dim == "size_class":
            continue
        crossed.append(
            seen.filter(pl.col("product").is_in(codes) & pl.col(dim).is_not_null())
            .rename({"status_seen": "status_"})
            .group_by("product", "period", dim, "status_")
            .agg(value=pl.len().cast(pl.Float64))
            .select(
                "product",
                "period",
                "value",
                measure=pl.lit("producer_count"),
                breakdown=cross_breakdown("status_", dim).str.replace("status_=", "status="),
            )
        )
    size = (
        s.group_by("product", "period")
        .agg(value=pl.len().cast(pl.Float64))
        .with_columns(measure=pl.lit("producer_count"), breakdown=pl.lit(""))
    )
    provinces = (
        s.group_by("product", "period")
        .agg(value=pl.col("province").n_unique().cast(pl.Float64))
        .with_columns(measure=pl.lit("province_count"), breakdown=pl.lit(""))
    )
    prev = s.select(
        "producer_id",
        period=pl.col("period").dt.offset_by("1mo"),
        prev_daily=pl.col("value") / pl.col("days"),
    )
    matched = s.join(prev, on=["producer_id", "period"], how="inner").filter(
        pl.col("value").is_not_null() & pl.col("prev_daily").is_not_null()
    )
    changes = change_counts(matched, pl.col("value") / pl.col("days"), pl.col("prev_daily"), products)
    return (
        pl.concat([by_status, *crossed, size, provinces, changes], how="diagonal")
        .with_columns(n_producers=pl.lit(None, pl.Int64), top_share=pl.lit(None, pl.Float64))
        .select(list(LEVELS))
    )


def quality(cells: pl.DataFrame, completed: pl.DataFrame) -> pl.DataFrame:
    """Per product and month: coverage (sample capacity / frame capacity), response rate
    (respondents / panel), imputed share (imputed / completed sample output), as fractions."""
    frame = cells.group_by("product", "period").agg(C=pl.col("cap_avg").sum())
    sample = completed.group_by("product", "period").agg(
        c=pl.col("cap_avg").filter(pl.col("value").is_not_null()).sum(),
        panel_n=pl.len(),
        resp_n=pl.col("responded").sum(),
        imputed=pl.col("value").filter(pl.col("imputed")).sum(),
        total=pl.col("value").sum(),
    )
    return frame.join(sample, on=["product", "period"], how="left").select(
        "product",
        "period",
        coverage=(pl.col("c").fill_null(0.0) / pl.col("C")),
        response_rate=(pl.col("resp_n") / pl.col("panel_n")).fill_null(0.0),
        imputed_share=(pl.col("imputed") / pl.col("total")).fill_nan(0.0).fill_null(0.0),
    )


def quality_levels(q: pl.DataFrame) -> pl.DataFrame:
    return (
        q.unpivot(
            index=["product", "period"],
            on=["coverage", "response_rate", "imputed_share"],
            variable_name="measure",
        )
        .with_columns(
            value=pl.col("value") * 100.0,
            breakdown=pl.lit(""),
            n_producers=pl.lit(None, pl.Int64),
            top_share=pl.lit(None, pl.Float64),
        )
        .select(list(LEVELS))
    )


def like_for_like(completed: pl.DataFrame, t: date, offset: str) -> pl.DataFrame:
    """Production change and output-basis rate change over the producers in the sample in both
    t and t-offset (matched sample, unweighted sums)."""
    cur = completed.filter(pl.col("period") == t).with_columns(potential=potential())
    base_period = pl.lit(t).dt.offset_by(offset)
    base = completed.filter(pl.col("period") == base_period).with_columns(potential=potential())
    m = cur.join(base, on="producer_id", suffix="_b")
    return matched_change(m)


def forecast_like_for_like(completed_t: pl.DataFrame, scheduled: pl.DataFrame) -> pl.DataFrame:
    """The forecast's like-for-like change from t to t+1: over the producers in both months
    (month-t sample producers still in t+1's frame, valued at their schedules as the forecast
    values them: ``forecast.scheduled_panel``), Σ planned / Σ output in t − 1, and the
    output-basis rate change Σ planned / Σ potential in t+1 − Σ output / Σ potential in t.
    The rest of the forecast's change (``panel_effect``) is capacity entering or leaving the
    frame and the weights that follow it."""
    cur = scheduled.with_columns(potential=potential()).select(
        "producer_id", "product", "size_class", "value", "potential"
    )
    base = completed_t.with_columns(potential=potential()).select(
        "producer_id", value_b="value", potential_b="potential"
    )
    return matched_change(cur.join(base, on="producer_id"))


def matched_change(m: pl.DataFrame) -> pl.DataFrame:
    """Change over a matched sample (``value``, ``potential`` now; ``value_b``,
    ``potential_b`` then; producers with both values only), overall and per size class:
    ``lfl_pct`` (unweighted sums) and the output-basis rate change ``lfl_pp``."""
    m = m.filter(pl.col("value").is_not_null() & pl.col("value_b").is_not_null())

    def agg(prefix: str) -> list[pl.Expr]:
        return [
            ((pl.col("value").sum() / pl.col("value_b").sum() - 1.0) * 100.0).alias(prefix + "_pct"),
            (
                (
                    pl.col("value").sum() / pl.col("potential").sum()
                    - pl.col("value_b").sum() / pl.col("potential_b").sum()
                )
                * 100.0
            ).alias(prefix + "_pp"),
        ]

    total = m.group_by("product").agg(agg("lfl")).with_columns(breakdown=pl.lit(""))
    by_class = (
        m.group_by("product", "size_class")
        .agg(agg("lfl"))
        .with_columns(breakdown=pl.lit("size_class=") + pl.col("size_class"))
        .drop("size_class")
    )
    return pl.concat([total, by_class], how="diagonal")


def panel_changed(cells: pl.DataFrame, t: date, offset: str) -> pl.DataFrame:
    """Per product: did the panel or the frame (which producers) change between t-offset and t?"""
    base = pl.lit(t).dt.offset_by(offset)

    def members(flag: pl.Expr, when: pl.Expr) -> pl.DataFrame:
        return cells.filter(flag & (pl.col("period") == when)).select("product", "producer_id")

    out = []
    for label, flag in (("panel", pl.col("in_panel")), ("frame", pl.lit(True))):
        a, b = members(flag, pl.lit(t)), members(flag, base)
        diff = pl.concat(
            [a.join(b, on=["product", "producer_id"], how="anti"), b.join(a, on=["product", "producer_id"], how="anti")]
        )
        out.append(diff.select("product").unique().with_columns(changed=pl.lit(label)))
    return pl.concat(out).group_by("product").agg(pl.col("changed").unique().sort())
