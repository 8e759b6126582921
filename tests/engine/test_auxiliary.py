"""Month-to-month arithmetic of the market series the report quotes."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metalstat.engine.auxiliary import (
    SERIES_KINDS,
    change,
    is_summable,
    kind_problems,
    monthly_values,
    series_month,
    share_of_sums,
    year_to_date,
)


def test_last_observation_of_a_month_counts() -> None:
    m = monthly_values([(date(2025, 6, 27), 623_500.0), (date(2025, 6, 6), 700_000.0), (date(2025, 5, 30), 795_900.0)])
    assert m == {date(2025, 6, 1): 623_500.0, date(2025, 5, 1): 795_900.0}
    s = series_month(m, date(2025, 6, 1), unit="mt", kind="stock")
    assert s is not None
    assert s.mom_abs == pytest.approx(-172_400)
    assert s.mom_pct == pytest.approx(-172_400 / 795_900 * 100)  # -21.66%
    assert s.yoy_pct is None and s.ytd is None


def test_a_negative_base_keeps_the_direction_of_the_move() -> None:
    # A treatment charge from -100 to -80 $/dmt went up by 20, i.e. +20% of its size.
    assert change(-80.0, -100.0) == (pytest.approx(20.0), pytest.approx(20.0))
    assert change(5.0, 0.0) == (5.0, None)
    assert change(None, 3.0) == (None, None)


def test_year_to_date_only_for_flows_in_tonnes_with_every_month() -> None:
    months = {date(2025, k, 1): 10_000.0 + k for k in range(1, 6)}
    # 10,001 + 10,002 + 10,003 + 10,004 + 10,005 = 50,015
    assert series_month(months, date(2025, 5, 1), unit="mt", kind="flow").ytd == pytest.approx(50_015)  # type: ignore[union-attr]
    # the same numbers as an inventory are five month-ends: not summed
    assert series_month(months, date(2025, 5, 1), unit="mt", kind="stock").ytd is None  # type: ignore[union-attr]
    del months[date(2025, 2, 1)]
    assert series_month(months, date(2025, 5, 1), unit="mt", kind="flow").ytd is None  # type: ignore[union-attr]
    assert is_summable("mt", "flow") and is_summable("t (metal content)", "flow")
    assert not is_summable("yuan/mt", "flow") and not is_summable("mt", "stock")


def test_a_stock_summed_over_months_is_refused() -> None:
    months = {date(2025, k, 1): 600_000.0 for k in range(1, 4)}
    with pytest.raises(ValueError, match="a stock in 'mt' is not summed over months"):
        year_to_date(months, date(2025, 3, 1), unit="mt", kind="stock")
    with pytest.raises(ValueError, match="a price"):
        year_to_date(months, date(2025, 3, 1), unit="yuan/mt", kind="price")


def test_a_fact_has_no_monthly_change() -> None:
    # a capacity raised from 250,000 to 300,000 mt/year in the year: said against a year
    # earlier (+50,000, +20%), never as a monthly move
    months = {date(2024, 6, 1): 250_000.0, date(2025, 5, 1): 300_000.0, date(2025, 6, 1): 300_000.0}
    s = series_month(months, date(2025, 6, 1), unit="mt/year", kind="fact")
    assert s is not None and s.mom_abs is None and s.mom_pct is None
    assert (s.yoy_abs, s.yoy_pct) == (pytest.approx(50_000), pytest.approx(20.0))


@pytest.mark.parametrize(
    ("kind", "code", "unit", "problem"),
    [
        ("price", "tc", "USD/dmt", None),
        ("range", "tc_low", "USD/dmt", None),
        ("range", "tc", "USD/dmt", "ends in _low or _high"),
        ("range", "tc_low", "mt", "quoted per a quantity"),
        ("stock", "port_stocks", "mt", None),
        ("stock", "cover", "days", "at the month's end"),
        ("flow", "imports", "mt tin content", None),
        ("flow", "imports", "yuan/mt", "over the month"),
        ("ratio", "share", "%", None),
        ("ratio", "cover", "days", None),
        ("ratio", "share", "mt", "in % or days"),
        ("fact", "quota", "mt WO3", None),
        ("fact", "capacity", "mt/year", None),
        ("average", "x", "mt", "not a kind of market series"),
    ],
)
def test_kinds_and_units_that_contradict_each_other(kind: str, code: str, unit: str, problem: str | None) -> None:
    found = kind_problems(kind, code, unit)
    if problem is None:
        assert found == []
    else:
        assert len(found) == 1 and problem in found[0]


def test_every_kind_has_a_unit_it_fits() -> None:
    fits = {"price": "yuan/mt", "range": "yuan/mt", "flow": "mt", "stock": "mt", "ratio": "%", "fact": "mt/year"}
    assert set(fits) == set(SERIES_KINDS)
    assert all(kind_problems(k, "x_high", u) == [] for k, u in fits.items())


def test_a_share_of_year_to_date_sums_is_not_the_average_of_monthly_shares() -> None:
    # Imports from one origin against all imports, January to March 2025:
    #   January 1,000 of 2,000 (50%), February 100 of 4,000 (2.5%), March 900 of 3,000 (30%).
    # Share of the sums: (1,000 + 100 + 900) / (2,000 + 4,000 + 3,000) = 2,000 / 9,000 = 22.22%;
    # the average of the monthly shares would say (50 + 2.5 + 30) / 3 = 27.5%.
    part = {date(2025, 1, 1): 1_000.0, date(2025, 2, 1): 100.0, date(2025, 3, 1): 900.0}
    whole = {date(2025, 1, 1): 2_000.0, date(2025, 2, 1): 4_000.0, date(2025, 3, 1): 3_000.0}
    assert share_of_sums(part, whole, date(2025, 3, 1)) == pytest.approx(2_000 / 9_000 * 100)
    assert share_of_sums(part, whole, date(2025, 3, 1)) != pytest.approx(27.5)
    # February alone: 1,100 / 6,000 = 18.33%
    assert share_of_sums(part, whole, date(2025, 2, 1)) == pytest.approx(1_100 / 6_000 * 100)
    # a month missing from either, or nothing to divide by: no share
    assert share_of_sums({date(2025, 2, 1): 100.0}, whole, date(2025, 2, 1)) is None
    assert share_of_sums(part, dict.fromkeys(whole, 0.0), date(2025, 3, 1)) is None


@given(
    st.lists(
        st.tuples(st.floats(0, 1e6, allow_nan=False), st.floats(1.0, 1e6, allow_nan=False)), min_size=1, max_size=12
    )
)
def test_a_share_of_sums_lies_between_the_months_shares(months: list[tuple[float, float]]) -> None:
    """Invariant: a share of sums is a weighted mean of the monthly shares (weights: each
    month's denominator), so it lies between the smallest and the largest of them."""
    parts = [(min(p, w), w) for p, w in months]  # a part is at most its whole
    num = {date(2025, k, 1): p for k, (p, _) in enumerate(parts, start=1)}
    den = {date(2025, k, 1): w for k, (_, w) in enumerate(parts, start=1)}
    share = share_of_sums(num, den, date(2025, len(parts), 1))
    shares = [100 * p / w for p, w in parts]
    assert share is not None
    assert min(shares) - 1e-9 <= share <= max(shares) + 1e-9
    assert 0.0 <= share <= 100.0 + 1e-9
