"""The forecast for the next month, its statistical benchmarks, and its track record.

- Schedule-based: the estimator of ``estimate.py`` run on the producers' schedules for t+1
  given in their returns for t (a missing schedule is the producer's completed output for t ×
  its stratum's schedule ratio Σ schedule / Σ output among producers that gave one), and the
  entrants that gave one for t+1 (``entrants``: a plant commissioned in t+1 plans its first
  month in its return for t), weighted by the frame and capacity in force in t+1.
- Planned composition: the return-reported breakdowns of t+1 from the planned parts of the
  schedules (``estimate.part_levels`` over the producers that gave a schedule, applied to the
  scheduled total), with their shares, exactly as the actual month's.
- The month after next (t+2): from the schedules given that far ahead only, expanded by
  capacity coverage; withheld unless at least ``MIN_OUTLOOK_PRODUCERS`` give one and they
  cover the product's minimum coverage.
- Benchmarks on the headline series (published history + this vintage's estimates): seasonal
  naive (the same month a year earlier) and exponential smoothing (Holt-Winters, damped
  additive trend, additive seasonality once there are two full years; the recursion of
  statsmodels' ExponentialSmoothing, checked against it in the tests).
- Accuracy: last month's published forecast for t against this vintage's estimate for t, and
  the mean absolute % error over the last 12 months that have both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from metalstat.catalog.model import Product
from metalstat.engine.calendar import add_months
from metalstat.engine.impute import metal_factors

# Five years are plenty for a monthly smoothing model.
ETS_MAX_MONTHS = 60

SCHEDULE_METHODS = ("scheduled", "schedule_ratio", "product_schedule_ratio", "halted")
# The columns a month's cells carry from its own return, which a forecast month replaces.
_RETURN_COLUMNS = (
    "output",
    "output_metal",
    "schedule",
    "schedule_metal",
    "schedule_after_next",
    "operating_capacity",
    "schedule_operating_capacity",
    "status",
    "reason",
    "responded",
    "in_panel",
)


def scheduled_panel(
    completed_t: pl.DataFrame,
    cells_next: pl.DataFrame,
    returns_t: pl.DataFrame | None = None,
    products: Sequence[Product] = (),
) -> pl.DataFrame:
    """The sample for t+1, placed in the frame of t+1 (capacity, size class and stratum in
    force then): month-t panel producers with their schedules as values, and the entrants
    (``entrants``: producers of t+1's panel and frame outside month t's sample, whose
    return for t, ``returns_t``, gives a schedule for t+1)."""
    t_part = completed_t.select(
        "producer_id",
        "stratum",
        out_t=pl.col("value"),
        metal_t=pl.col("value_metal"),
        opcap_t=pl.col("opcap"),
        grade_t=pl.col("grade"),
        sched=pl.when(pl.col("responded")).then(pl.col("schedule")),
        sched_metal=pl.when(pl.col("responded")).then(pl.col("schedule_metal")),
        sched_opcap=pl.when(pl.col("responded")).then(pl.col("schedule_operating_capacity")),
    )
    gave = pl.col("sched").is_not_null() & (pl.col("out_t") > 0)
    ratio_s = (
        t_part.join(completed_t.select("producer_id", "product"), on="producer_id")
        .group_by("product", "stratum")
        .agg(s_ratio=pl.col("sched").filter(gave).sum() / pl.col("out_t").filter(gave).sum())
    )
    ratio_p = (
        t_part.join(completed_t.select("producer_id", "product"), on="producer_id")
        .group_by("product")
        .agg(p_ratio=pl.col("sched").filter(gave).sum() / pl.col("out_t").filter(gave).sum())
    )
    nxt = cells_next.drop([c for c in _RETURN_COLUMNS if c in cells_next.columns])
    df = (
        nxt.join(t_part.rename({"stratum": "stratum_t"}), on="producer_id", how="inner")
        .join(ratio_s.rename({"stratum": "stratum_t"}), on=["product", "stratum_t"], how="left")
        .join(ratio_p, on="product", how="left")
    )
    if returns_t is not None:
        df = pl.concat([df, entrants(completed_t, cells_next, returns_t, products)], how="diagonal_relaxed")
    method = (
        pl.when(pl.col("halt_known"))
        .then(pl.lit("halted"))
        .when(pl.col("sched").is_not_null())
        .then(pl.lit("scheduled"))
        .when(pl.col("s_ratio").is_finite())
        .then(pl.lit("schedule_ratio"))
        .when(pl.col("p_ratio").is_finite())
        .then(pl.lit("product_schedule_ratio"))
        .otherwise(pl.lit("carried_forward"))
    )
    value = (
        pl.when(pl.col("method") == "halted")
        .then(0.0)
        .when(pl.col("method") == "scheduled")
        .then(pl.col("sched"))
        .when(pl.col("method") == "schedule_ratio")
        .then(pl.col("out_t") * pl.col("s_ratio"))
        .when(pl.col("method") == "product_schedule_ratio")
        .then(pl.col("out_t") * pl.col("p_ratio"))
        .otherwise(pl.col("out_t"))
    )
    df = df.with_columns(method=method).with_columns(value=value)
    return df.with_columns(
        value_metal=pl.when(pl.col("method") == "scheduled")
        .then(pl.coalesce(pl.col("sched_metal"), pl.col("value") * pl.col("grade_t")))
        .otherwise(pl.col("value") * pl.col("grade_t")),
        opcap=pl.when(pl.col("method") == "halted")
        .then(0.0)
        .otherwise(pl.coalesce(pl.col("sched_opcap"), pl.col("opcap_t"))),
        responded=pl.lit(True),
        imputed=pl.col("method") != "scheduled",
        in_panel=pl.lit(True),
    )


def entrants(
    completed_t: pl.DataFrame,
    cells_next: pl.DataFrame,
    returns_t: pl.DataFrame,
    products: Sequence[Product] = (),
) -> pl.DataFrame:
    """Producers entering the sample in t+1 with a schedule: in t+1's panel and frame, not in
    month t's completed sample (no capacity in force in t, typically a plant commissioned in
    t+1), and with a return for t giving a schedule for t+1 (a plant about to start reports
    nil output for t and its plan). Valued by ``scheduled_panel`` at that schedule (or 0 when
    a known halt stops it): its metal content is the schedule's where given, else the
    schedule × the product's metal factor; its running capacity the planned one where given,
    else its capacity at the end of t+1 × its stratum's running share in t (the rule for a
    non-respondent's). An entrant without a schedule is not in the sample: its capacity is in
    the frame, so the expansion weights give it its stratum's scheduled rate."""
    gave = returns_t.filter(pl.col("schedule").is_not_null()).select(
        "producer_id",
        sched="schedule",
        sched_metal="schedule_metal",
        sched_opcap="schedule_operating_capacity",
    )
    share = completed_t.group_by("product", "stratum").agg(run_share=pl.col("run_share").first())
    return (
        cells_next.filter(pl.col("in_panel"))
        .join(completed_t.select("producer_id"), on="producer_id", how="anti")
        .drop([c for c in _RETURN_COLUMNS if c in cells_next.columns])
        .join(gave, on="producer_id", how="inner")
        .join(metal_factors(products), on="product", how="left")
        .join(share, on=["product", "stratum"], how="left")
        .with_columns(
            grade_t=pl.col("metal_factor"),
            opcap_t=pl.col("cap_end") * pl.col("run_share").fill_nan(None),
        )
        .drop("metal_factor", "run_share")
    )


# The second month ahead is stated only when at least this many producers give a schedule
# for it and their capacity covers at least the product's minimum coverage; otherwise it is
# withheld (U), with the producers and coverage it would rest on published beside it.
MIN_OUTLOOK_PRODUCERS = 3


def outlook_panel(completed_t: pl.DataFrame, cells_after: pl.DataFrame) -> pl.DataFrame:
    """The sample for t+2: the month-t respondents that gave a schedule for the month after
    next, with it as value ("scheduled"), and producers known to be stopped for all of t+2
    (value 0, "halted"), placed in the frame of t+2. Nobody else is imputed: the outlook is
    expanded from these producers alone by capacity coverage (``estimate.weights``)."""
    t_part = completed_t.filter(pl.col("responded") & pl.col("schedule_after_next").is_not_null()).select(
        "producer_id",
        sched2=pl.col("schedule_after_next"),
        grade_t=pl.col("grade"),
    )
    nxt = cells_after.drop([c for c in _RETURN_COLUMNS if c in cells_after.columns])
    df = nxt.join(t_part, on="producer_id", how="left").filter(pl.col("sched2").is_not_null() | pl.col("halt_known"))
    method = pl.when(pl.col("halt_known")).then(pl.lit("halted")).otherwise(pl.lit("scheduled"))
    value = pl.when(pl.col("halt_known")).then(0.0).otherwise(pl.col("sched2"))
    return df.with_columns(method=method, value=value).with_columns(
        value_metal=pl.when(pl.col("method") == "halted").then(0.0).otherwise(pl.col("value") * pl.col("grade_t")),
        opcap=pl.lit(None, pl.Float64),
        responded=pl.lit(True),
        imputed=pl.lit(False),
        in_panel=pl.lit(True),
    )


# Holt-Winters grid: smoothing of level, trend, season, and trend damping.
ALPHAS = (0.1, 0.3, 0.5, 0.7, 0.9)
BETAS = (0.01, 0.1, 0.3)
GAMMAS = (0.05, 0.2, 0.5)
PHIS = (0.8, 0.9, 0.98)
SEASON = 12


@dataclass(frozen=True)
class HoltWinters:
    """Additive Holt-Winters with damped trend (additive season once there are two years):
    the recursion statsmodels' ExponentialSmoothing runs, with the parameters chosen by the
    smallest one-step-ahead squared error over a fixed grid. Written out and vectorised over
    the grid because statsmodels' optimiser takes 0.1-0.4 s a series, too slow for 54
    products a month; tests check it against statsmodels with the same parameters."""

    alpha: float
    beta: float
    gamma: float
    phi: float
    level0: float
    trend0: float
    season0: tuple[float, ...]  # empty: no seasonality
    forecast: float


def initial_states(y: np.ndarray, seasonal: bool) -> tuple[float, float, np.ndarray]:
    if seasonal:
        first, second = y[:SEASON].mean(), y[SEASON : 2 * SEASON].mean()
        return float(first), float((second - first) / SEASON), y[:SEASON] - first
    return float(y[0]), float(y[1] - y[0]), np.zeros(0)


def holt_winters(y: np.ndarray) -> HoltWinters | None:
    y = np.asarray(y, dtype=float)[-ETS_MAX_MONTHS:]
    if len(y) < 6 or not np.all(np.isfinite(y)):
        return None
    seasonal = len(y) >= 2 * SEASON
    grid = np.array(
        [
            (a, b, g if seasonal else 0.0, f)
            for a in ALPHAS
            for b in BETAS
            for g in (GAMMAS if seasonal else (0.0,))
            for f in PHIS
        ]
    )
    alpha, beta, gamma, phi = grid.T
    level0, trend0, season0 = initial_states(y, seasonal)
    n = grid.shape[0]
    level = np.full(n, level0)
    trend = np.full(n, trend0)
    season = np.tile(season0, (n, 1)) if seasonal else np.zeros((n, 1))
    sse = np.zeros(n)
    for t, obs in enumerate(y):
        s = season[:, t % SEASON] if seasonal else 0.0
        damped = phi * trend
        err = obs - (level + damped + s)
        sse += err * err
        new_level = alpha * (obs - s) + (1 - alpha) * (level + damped)
        trend = beta * (new_level - level) + (1 - beta) * damped
        if seasonal:
            season[:, t % SEASON] = gamma * (obs - level - damped) + (1 - gamma) * s
        level = new_level
    best = int(np.argmin(sse))
    nxt = len(y) % SEASON
    fc = level[best] + phi[best] * trend[best] + (season[best, nxt] if seasonal else 0.0)
    return HoltWinters(
        alpha=float(alpha[best]),
        beta=float(beta[best]),
        gamma=float(gamma[best]),
        phi=float(phi[best]),
        level0=level0,
        trend0=trend0,
        season0=tuple(float(v) for v in season0),
        forecast=float(fc),
    )


def benchmarks(history: pl.DataFrame, t: date, with_ets: bool = True) -> pl.DataFrame:
    """Seasonal-naive and ETS forecasts of the headline level for t+1, per product.

    ``history``: product, period, value (the headline level, oldest first; gaps allowed)."""
    target = add_months(t, 1)
    rows = []
    for (product,), g in history.sort("period").group_by("product", maintain_order=True):
        g = g.filter(pl.col("period") <= t)
        snaive = g.filter(pl.col("period") == add_months(target, -12)).get_column("value")
        if len(snaive) and snaive[0] is not None:
            rows.append((product, "seasonal_naive", float(snaive[0])))
        if with_ets:
            # Only a gap-free run of months ending at t is a time series.
            months = g.get_column("period").to_list()
            values = g.get_column("value").to_numpy()
            start = len(months)
            while start > 0 and months[start - 1] == add_months(t, start - len(months)):
                start -= 1
            fit = holt_winters(values[start:].astype(float))
            if fit is not None and np.isfinite(fit.forecast):
                rows.append((product, "ets", fit.forecast))
    return pl.DataFrame(
        rows, schema={"product": pl.Utf8, "method": pl.Utf8, "value": pl.Float64}, orient="row"
    ).with_columns(period=pl.lit(target))


def accuracy(prior_forecasts: pl.DataFrame, actuals: pl.DataFrame, t: date, window: int = 12) -> pl.DataFrame:
    """Forecast errors: for t, (F − A) and (F − A)/A in %; and the mean absolute % error over
    the last ``window`` months with both a forecast and an actual."""
    start = add_months(t, -(window - 1))
    both = (
        prior_forecasts.rename({"value": "forecast"})
        .join(actuals.rename({"value": "actual"}), on=["product", "period"])
        .filter((pl.col("period") >= start) & (pl.col("period") <= t) & (pl.col("actual") != 0))
    )
    both = both.with_columns(
        err=pl.col("forecast") - pl.col("actual"),
        pct=(pl.col("forecast") - pl.col("actual")) / pl.col("actual") * 100.0,
    )
    now = both.filter(pl.col("period") == t)
    mape = both.group_by("product").agg(value=pl.col("pct").abs().mean(), n=pl.len())
    return pl.concat(
        [
            now.select("product", statistic=pl.lit("abs"), value="err", n=pl.lit(1, pl.UInt32)),
            now.select("product", statistic=pl.lit("pct"), value="pct", n=pl.lit(1, pl.UInt32)),
            mape.select("product", statistic=pl.lit("mape"), value="value", n="n"),
        ]
    )


def headline_history(
    levels: pl.DataFrame, published_history: pl.DataFrame, products: Sequence[Product]
) -> pl.DataFrame:
    """The headline production series: this vintage's estimates, preceded by the published
    values of months before its window."""
    codes = [p.code for p in products]
    own = levels.filter((pl.col("measure") == "production") & (pl.col("breakdown") == "")).select(
        "product", "period", "value"
    )
    first = own.group_by("product").agg(first=pl.col("period").min())
    older = (
        published_history.filter(pl.col("product").is_in(codes))
        .join(first, on="product", how="left")
        .filter(pl.col("first").is_null() | (pl.col("period") < pl.col("first")))
        .select("product", "period", "value")
    )
    return pl.concat([older, own]).sort("product", "period")
