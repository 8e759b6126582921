"""The benchmarks' starting values and length rules, the accuracy window, the headline
history, and the month arithmetic they stand on: small series worked out by hand."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from metalstat.engine.calendar import (
    add_months,
    days_in_month,
    estimation_window,
    month_end,
    months_between,
    next_day,
)
from metalstat.engine.forecast import (
    ETS_MAX_MONTHS,
    SEASON,
    accuracy,
    benchmarks,
    headline_history,
    holt_winters,
)
from metalstat.engine.inputs import InputError, conform, month_start, period_label

T = date(2025, 6, 1)


def test_initial_level_and_trend_without_seasonality() -> None:
    # Under two years: level0 = y[0] = 10, trend0 = y[1] − y[0] = 3, no season.
    hw = holt_winters(np.array([10.0, 13.0, 15.0, 14.0, 16.0, 18.0]))
    assert hw is not None
    assert (hw.level0, hw.trend0, hw.season0) == (10.0, 3.0, ())


def test_initial_states_with_seasonality() -> None:
    # Three years 100..135: level0 = mean of year 1 (100..111) = 105.5; trend0 = (mean of
    # year 2, 117.5, − 105.5) / 12 = 1 (year 3 plays no part); season0 = year 1 − 105.5 =
    # −5.5, −4.5, ..., 5.5.
    y = np.arange(100.0, 136.0)
    hw = holt_winters(y)
    assert hw is not None
    assert hw.level0 == 105.5 and hw.trend0 == 1.0
    assert hw.season0 == tuple(k - 5.5 for k in range(SEASON))


def test_a_flat_series_is_forecast_flat() -> None:
    # Every step's error is 0 whatever the parameters; the level stays 100 and the trend 0.
    hw = holt_winters(np.full(8, 100.0))
    assert hw is not None and hw.forecast == 100.0
    hw = holt_winters(np.full(30, 100.0))
    assert hw is not None and hw.forecast == 100.0 and hw.season0 == (0.0,) * SEASON


def test_length_rules() -> None:
    assert holt_winters(np.arange(1.0, 6.0)) is None  # 5 months: too short
    assert holt_winters(np.arange(1.0, 7.0)) is not None  # 6 months
    short, full = holt_winters(np.arange(1.0, 24.0)), holt_winters(np.arange(1.0, 25.0))
    assert short is not None and short.season0 == ()  # 23 months: no season
    assert full is not None and len(full.season0) == SEASON  # 24 months: seasonal


def test_only_the_last_sixty_months_are_fitted() -> None:
    rng = np.random.default_rng(7)
    y = 1_000.0 + rng.normal(0, 10, ETS_MAX_MONTHS)
    with_outlier = np.concatenate([[1e9], y])  # one more month, far in the past
    a, b = holt_winters(with_outlier), holt_winters(y)
    assert a is not None and b is not None
    assert (a.forecast, a.level0, a.trend0) == (b.forecast, b.level0, b.trend0)


def history(months: list[date], values: list[float | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {"product": "x", "period": months, "value": values},
        schema={"product": pl.Utf8, "period": pl.Date, "value": pl.Float64},
    )


def test_benchmarks_use_months_up_to_t_only() -> None:
    months = months_between(date(2023, 1, 1), T)
    values: list[float | None] = [1_000.0 + i for i in range(len(months))]
    base = benchmarks(history(months, values), T)
    # A value after t (a later vintage) changes nothing.
    later = benchmarks(history([*months, add_months(T, 1)], [*values, 9e9]), T)
    assert base.sort("method").equals(later.sort("method"))
    assert set(base.get_column("period")) == {add_months(T, 1)}
    # Seasonal naive: July 2024 is month index 18 -> 1,018.
    assert base.filter(pl.col("method") == "seasonal_naive").item(0, "value") == 1_018.0
    # Without ETS only the seasonal naive; with July 2024 missing, no seasonal naive.
    assert benchmarks(history(months, values), T, with_ets=False).get_column("method").to_list() == ["seasonal_naive"]
    gap = [v if m != date(2024, 7, 1) else None for m, v in zip(months, values, strict=True)]
    assert "seasonal_naive" not in benchmarks(history(months, gap), T, with_ets=False).get_column("method")


def test_ets_needs_a_gap_free_run_ending_at_t() -> None:
    months = months_between(date(2024, 1, 1), T)  # 18 months
    values: list[float | None] = [100.0] * len(months)
    assert benchmarks(history(months, values), T).filter(pl.col("method") == "ets").item(0, "value") == pytest.approx(
        100.0
    )
    # Ending in May, not at t: no series to fit.
    assert benchmarks(history(months[:-1], values[:-1]), T).filter(pl.col("method") == "ets").is_empty()
    # A gap 6 months before t leaves 5 months: too few.
    cut = [m for m in months if m != add_months(T, -5)]
    assert benchmarks(history(cut, [100.0] * len(cut)), T).filter(pl.col("method") == "ets").is_empty()
    # A gap 7 months before t leaves the last 6: enough.
    cut = [m for m in months if m != add_months(T, -6)]
    assert not benchmarks(history(cut, [100.0] * len(cut)), T).filter(pl.col("method") == "ets").is_empty()


def test_accuracy_window_is_the_last_twelve_months_with_a_nonzero_actual() -> None:
    """t = June 2025. June 2025: forecast 110 against 100 (+10 %). July 2024 (t − 11): 90
    against 100 (−10 %). June 2024 (t − 12): outside. January 2025: actual 0, no %.
    July 2025: after t. MAPE = (10 + 10) / 2 = 10 over 2 months."""
    f = pl.DataFrame(
        {"product": "x", "period": [T, date(2024, 7, 1), date(2024, 6, 1), date(2025, 1, 1),
                                    date(2025, 7, 1)],
         "value": [110.0, 90.0, 300.0, 5.0, 500.0]}
    )  # fmt: skip
    a = f.with_columns(value=pl.when(pl.col("period") == date(2025, 1, 1)).then(0.0).otherwise(100.0))
    got = {r["statistic"]: (r["value"], r["n"]) for r in accuracy(f, a, T).iter_rows(named=True)}
    assert got == {
        "abs": (10.0, 1),
        "pct": (pytest.approx(10.0), 1),
        "mape": (pytest.approx(10.0), 2),
    }
    one = {r["statistic"]: r["n"] for r in accuracy(f, a, T, window=1).iter_rows(named=True)}
    assert one["mape"] == 1


def test_headline_history_takes_published_months_only_before_the_vintages_first() -> None:
    # Own estimates from 2024-01; published 2023-11..2024-02: only 2023-11 and 2023-12 are
    # taken from it, the vintage's own values win from 2024-01.
    own = pl.DataFrame(
        {"product": "x", "period": [date(2024, 1, 1), date(2024, 2, 1)], "value": [10.0, 20.0],
         "measure": "production", "breakdown": ""}
    )  # fmt: skip
    other = own.with_columns(breakdown=pl.lit("size_class=large"), value=pl.lit(1.0))
    published = pl.DataFrame(
        {"product": ["x"] * 4 + ["y"], "period": [*months_between(date(2023, 11, 1), date(2024, 2, 1)),
                                                   date(2023, 1, 1)],
         "value": [1.0, 2.0, 3.0, 4.0, 5.0]}
    )  # fmt: skip
    from tests.engine.products import COPPER

    x = COPPER.model_copy(update={"code": "x"})
    h = headline_history(pl.concat([own, other]), published, [x])
    assert h.get_column("value").to_list() == [1.0, 2.0, 10.0, 20.0]
    assert h.get_column("period").to_list() == months_between(date(2023, 11, 1), date(2024, 2, 1))


# --- month arithmetic and the engine's edge -----------------------------------------------


def test_month_arithmetic() -> None:
    assert add_months(date(2025, 1, 1), -1) == date(2024, 12, 1)
    assert add_months(date(2024, 12, 1), 1) == date(2025, 1, 1)
    assert add_months(date(2025, 6, 1), -18) == date(2023, 12, 1)
    assert (days_in_month(date(2024, 2, 1)), days_in_month(date(2025, 2, 1))) == (29, 28)
    assert month_end(date(2025, 6, 1)) == date(2025, 6, 30)
    assert next_day(date(2025, 6, 30)) == date(2025, 7, 1)
    assert months_between(date(2025, 5, 1), date(2025, 6, 1)) == [date(2025, 5, 1), T]
    assert months_between(T, date(2025, 5, 1)) == []


def test_the_estimation_window() -> None:
    # June 2025: from the earlier of t − 13 (May 2024) and January 2024, to June 2025: 18 months.
    w = estimation_window(T)
    assert (w[0], w[-1], len(w)) == (date(2024, 1, 1), T, 18)
    # January 2025: t − 13 = December 2023 is before January 2024.
    w = estimation_window(date(2025, 1, 1))
    assert (w[0], len(w)) == (date(2023, 12, 1), 14)


def test_periods_and_frames_at_the_edge() -> None:
    assert month_start("2025-06") == T and month_start(date(2025, 6, 17)) == T
    assert period_label(date(2025, 6, 1)) == "2025-06"
    assert month_start(" 2025-6 ") == T
    # what int() alone would take: a space inside, a sign, an underscore, other digits, month 13
    for text in ("June 2025", "2025 -06", "+2025-06", "2025-0_6", "٢٠٢٥-06", "2025-13", "2025-06-01"):
        with pytest.raises(InputError, match="YYYY-MM"):
            month_start(text)
    with pytest.raises(InputError, match="returns: missing column"):
        conform("returns", pl.DataFrame({"producer_id": ["A"]}))
    with pytest.raises(InputError, match="wrong type"):
        conform("prior_forecasts", pl.DataFrame({"product": ["x"], "period": ["2025-06"],
                                                 "value": [1.0]}))  # fmt: skip


def test_the_chosen_parameters_have_the_smallest_one_step_error_of_the_grid() -> None:
    """A level shift (100 for 6 months, then 200 for 6): statsmodels, given each grid point
    and the same starting values, finds no smaller sum of squared one-step errors than at
    the parameters chosen."""
    import warnings

    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    from metalstat.engine.forecast import ALPHAS, BETAS, PHIS

    warnings.filterwarnings("ignore")
    y = np.array([100.0] * 6 + [200.0] * 6)
    hw = holt_winters(y)
    assert hw is not None

    def sse(a: float, b: float, phi: float) -> float:
        m = ExponentialSmoothing(y, trend="add", damped_trend=True, initialization_method="known",
                                 initial_level=hw.level0, initial_trend=hw.trend0)  # fmt: skip
        fit = m.fit(optimized=False, smoothing_level=a, smoothing_trend=b, damping_trend=phi)
        return float(fit.sse)

    best = sse(hw.alpha, hw.beta, hw.phi)
    assert all(best <= sse(a, b, f) * (1 + 1e-12) for a in ALPHAS for b in BETAS for f in PHIS)
    assert best < sse(ALPHAS[0], BETAS[0], PHIS[0])  # the grid's first point is not the best
