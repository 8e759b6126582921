"""The benchmark forecasts: the Holt-Winters recursion against statsmodels, the seasonal
naive, and the grid's choice."""

from __future__ import annotations

import warnings
from datetime import date

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metalstat.engine.calendar import months_between
from metalstat.engine.forecast import benchmarks, holt_winters


def _statsmodels_forecast(y: np.ndarray, hw) -> float:  # type: ignore[no-untyped-def]
    warnings.filterwarnings("ignore")
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    seasonal = bool(hw.season0)
    model = ExponentialSmoothing(
        y,
        trend="add",
        damped_trend=True,
        seasonal="add" if seasonal else None,
        seasonal_periods=12 if seasonal else None,
        initialization_method="known",
        initial_level=hw.level0,
        initial_trend=hw.trend0,
        initial_seasonal=np.array(hw.season0) if seasonal else None,
    )
    fit = model.fit(
        optimized=False,
        smoothing_level=hw.alpha,
        smoothing_trend=hw.beta,
        smoothing_seasonal=hw.gamma if seasonal else None,
        damping_trend=hw.phi,
    )
    return float(fit.forecast(1)[0])


@settings(max_examples=20, deadline=None)
@given(
    st.integers(6, 60),
    st.floats(100.0, 1e6),
    st.floats(0.0, 0.3),
    st.integers(0, 2**32 - 1),
)
def test_holt_winters_matches_statsmodels_with_the_same_parameters(
    n: int, level: float, seasonality: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = level * (1 + seasonality * np.sin(t / 12 * 2 * np.pi)) + rng.normal(0, level * 0.02, n)
    hw = holt_winters(y)
    assert hw is not None
    assert hw.forecast == pytest.approx(_statsmodels_forecast(y, hw), rel=1e-9)
    assert bool(hw.season0) == (n >= 24)


def test_holt_winters_follows_a_clean_seasonal_pattern() -> None:
    season = np.array([90, 80, 100, 105, 110, 100, 95, 100, 105, 110, 110, 120], float)
    y = np.tile(season, 4) * 100
    hw = holt_winters(y)
    assert hw is not None
    # The next month is a January: the pattern says 9,000.
    assert hw.forecast == pytest.approx(9_000, rel=0.01)


def test_too_short_or_broken_series_get_no_forecast() -> None:
    assert holt_winters(np.array([1.0, 2.0, 3.0])) is None
    assert holt_winters(np.array([1.0, 2.0, np.nan, 4.0, 5.0, 6.0])) is None


def test_seasonal_naive_and_gaps() -> None:
    months = months_between(date(2023, 1, 1), date(2025, 6, 1))
    history = pl.DataFrame({"product": "x", "period": months, "value": [float(i) for i in range(len(months))]})
    b = benchmarks(history, date(2025, 6, 1))
    # Seasonal naive for July 2025 is July 2024, the 19th month (index 18).
    snaive = b.filter(pl.col("method") == "seasonal_naive").item(0, "value")
    assert snaive == 18.0
    # A gap in the series: ETS only uses the gap-free months ending at t (here 4, too few).
    gappy = history.filter(pl.col("period") != date(2025, 2, 1))
    b2 = benchmarks(gappy, date(2025, 6, 1))
    assert b2.filter(pl.col("method") == "ets").is_empty()
