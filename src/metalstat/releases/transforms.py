"""Changes of a level series computed on the server, each from the levels of one vintage.

FRED-style units: a client asks a level series for its month-on-month or year-on-year
change, or its year-to-date sum, and gets them computed from the levels that one release
published (never a June level from one release against a May level from another). Where the
engine itself published the statistic in that release, its figure is returned instead (the
tests hold the two equal). Pure polars: no Django.
"""

from __future__ import annotations

import polars as pl

# transform -> (the engine's statistic, months back, how): "diff", "pct" or a YTD flavour.
TRANSFORMS: dict[str, tuple[str, int, str]] = {
    "mom": ("mom_abs", 1, "diff"),
    "mom_pct": ("mom_pct", 1, "pct"),
    "yoy": ("yoy_abs", 12, "diff"),
    "yoy_pct": ("yoy_pct", 12, "pct"),
    "ytd": ("ytd_level", 0, "ytd"),
    "ytd_yoy_pct": ("ytd_pct", 12, "ytd_pct"),
}
_RELEASE = ["release_period", "vintage"]
_SERIES = ["product", "kind", "measure", "breakdown"]


def _month_index(col: str) -> pl.Expr:
    year = pl.col(col).str.slice(0, 4).cast(pl.Int32)
    month = pl.col(col).str.slice(5, 2).cast(pl.Int32)
    return year * 12 + month - 1


def _ytd(levels: pl.DataFrame) -> pl.DataFrame:
    """Within each release and series, the January-to-month sum where every month is there."""
    idx = levels.with_columns(_i=_month_index("month"), _year=pl.col("month").str.slice(0, 4))
    months = (pl.col("_i") % 12) + 1
    return (
        idx.sort("_i")
        .with_columns(
            _sum=pl.col("value").cum_sum().over([*_SERIES, *_RELEASE, "_year"]),
            _n=pl.col("value").is_not_null().cum_sum().over([*_SERIES, *_RELEASE, "_year"]),
        )
        .with_columns(value=pl.when(pl.col("_n") == months).then(pl.col("_sum")))
        .drop("_sum", "_n", "_year", "_i")
    )


def transform(levels: pl.DataFrame, name: str) -> pl.DataFrame:
    """``levels``: every vintage of level figures (``series_observations(view="all")`` rows of
    statistic ``level``). Returns the same rows with ``value`` replaced by the transform,
    computed within each release; ``statistic`` becomes the engine's name for it."""
    statistic, back, how = TRANSFORMS[name]
    base = levels.with_columns(_i=_month_index("month"))
    if how in ("ytd", "ytd_pct"):
        base = _ytd(levels).with_columns(_i=_month_index("month"))
        if how == "ytd":
            return base.drop("_i").with_columns(statistic=pl.lit(statistic))
    earlier = base.select(*_SERIES, *_RELEASE, _i=pl.col("_i") + back, _then=pl.col("value"))
    joined = base.join(earlier, on=[*_SERIES, *_RELEASE, "_i"], how="left")
    if how == "diff":
        value = pl.col("value") - pl.col("_then")
    else:
        value = pl.when(pl.col("_then") != 0).then((pl.col("value") / pl.col("_then") - 1.0) * 100.0)
    unit = pl.lit("%") if how != "diff" else pl.col("unit")
    return joined.with_columns(value=value, statistic=pl.lit(statistic), unit=unit).drop("_i", "_then")


def prefer_published(computed: pl.DataFrame, published: pl.DataFrame) -> pl.DataFrame:
    """The computed rows, with the engine's own figure (value and status) wherever the same
    release published one for the same series and month."""
    keys = [*_SERIES, *_RELEASE, "month"]
    engine = published.select(
        *keys, _v=pl.col("value"), _s=pl.col("status"), _f=pl.col("flags"), _p=pl.lit(True)
    ).unique(subset=keys, keep="last")
    out = computed.join(engine, on=keys, how="left")
    has = pl.col("_p").fill_null(False)
    return out.with_columns(
        value=pl.when(has).then(pl.col("_v")).otherwise(pl.col("value")),
        status=pl.when(has).then(pl.col("_s")).otherwise(pl.col("status")),
        flags=pl.when(has).then(pl.col("_f")).otherwise(pl.col("flags")),
        computed=~has,
    ).drop("_v", "_s", "_f", "_p")
