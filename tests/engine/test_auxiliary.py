"""Month-to-month arithmetic of the market series the report quotes."""

from __future__ import annotations

from datetime import date

import pytest

from metalstat.engine.auxiliary import change, is_summable, monthly_values, series_month


def test_last_observation_of_a_month_counts() -> None:
    m = monthly_values([(date(2025, 6, 27), 623_500.0), (date(2025, 6, 6), 700_000.0), (date(2025, 5, 30), 795_900.0)])
    assert m == {date(2025, 6, 1): 623_500.0, date(2025, 5, 1): 795_900.0}
    s = series_month(m, date(2025, 6, 1), summable=False)
    assert s is not None
    assert s.mom_abs == pytest.approx(-172_400)
    assert s.mom_pct == pytest.approx(-172_400 / 795_900 * 100)  # -21.66%
    assert s.yoy_pct is None and s.ytd is None


def test_a_negative_base_keeps_the_direction_of_the_move() -> None:
    # A treatment charge from -100 to -80 $/dmt went up by 20, i.e. +20% of its size.
    assert change(-80.0, -100.0) == (pytest.approx(20.0), pytest.approx(20.0))
    assert change(5.0, 0.0) == (5.0, None)
    assert change(None, 3.0) == (None, None)


def test_year_to_date_only_for_quantities_with_every_month() -> None:
    months = {date(2025, k, 1): 10_000.0 + k for k in range(1, 6)}
    assert series_month(months, date(2025, 5, 1), summable=True).ytd == pytest.approx(50_015)  # type: ignore[union-attr]
    del months[date(2025, 2, 1)]
    assert series_month(months, date(2025, 5, 1), summable=True).ytd is None  # type: ignore[union-attr]
    assert is_summable("mt") and is_summable("t (metal content)") and not is_summable("yuan/mt")
