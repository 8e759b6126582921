"""Validation rules at and around their thresholds, and which returns a rule applies to.

Thresholds are read from where the engine reads them: the product's ``thresholds`` (the
packaged catalog's, or a test product's). Two kinds of case:

- on the packaged catalog's thresholds, a value a hair below the limit passes and a hair
  above fires (the limit is where the catalog says, whatever it is tuned to);
- on a test product whose thresholds are binary-exact (25 %, x 512, 12.5 %), a value exactly
  on the limit: every rule's comparison is strict ("above", "more than"), except the unit
  mix-up factor, which fires from the factor on.

One producer A, 730,000/year unless said otherwise: June (30 days) potential 60,000.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from metalstat.catalog import load_catalog
from metalstat.catalog.model import Dimension, Label, Product
from metalstat.catalog.vocabulary import RETURN_STATUSES
from metalstat.engine.validate import RULES_BY_ID, check_returns
from tests.engine.builders import JUN, MAY, Panel
from tests.engine.products import COPPER, NPI, PRECURSOR

CATALOG = load_catalog()
CAT_COPPER = CATALOG.get("copper_cathode")
CAT_NPI = CATALOG.get("npi")
HAIR = 1e-6  # relative distance from a limit, far above float noise, far below any tuning


def exact(product: Product, **thresholds: float) -> Product:
    return product.model_copy(update={"thresholds": product.thresholds.model_copy(update=thresholds)})


EXACT = exact(COPPER, mom_alert_pct=25.0, schedule_gap_pct=25.0, capacity_tolerance=0.25,
              unit_mixup_factor=512.0, breakdown_tolerance=0.125)  # fmt: skip
EXACT_PRECURSOR = exact(PRECURSOR, breakdown_tolerance=0.125)


def one(capacity: float = 730_000, product: str = "copper_cathode") -> Panel:
    p = Panel(product=product)
    p.producer("A", capacity, feedstock="copper concentrate" if product == "copper_cathode" else None)
    return p


def rules(p: Panel, product: Product, period: str = "2025-06") -> set[str]:
    f = check_returns(period, p.inputs(), [product])
    assert set(f.get_column("rule")) <= set(RULES_BY_ID)
    return set(f.filter(pl.col("producer_id") == "A").get_column("rule"))


# --- above_capacity: output > capacity × days/365 × (1 + tolerance) ---------------------------


@pytest.mark.parametrize(("period", "days"), [("2025-02", 28), ("2025-06", 30), ("2025-07", 31)])
def test_above_capacity_flips_at_the_months_potential_plus_tolerance(period: str, days: int) -> None:
    # 365,000/year: the month's potential is 1,000 × days; tolerance 25 % -> limit 1,250 × days
    # (35,000 in February, 37,500 in June, 38,750 in July), exact in binary.
    tol = EXACT.thresholds.capacity_tolerance
    limit = 1_000.0 * days * (1.0 + tol)
    m = date(int(period[:4]), int(period[5:]), 1)
    assert "above_capacity" not in rules(one(365_000).ret("A", m, limit), EXACT, period)
    assert "above_capacity" in rules(one(365_000).ret("A", m, limit + 0.5), EXACT, period)


def test_above_capacity_on_the_catalog_tolerance() -> None:
    limit = 60_000.0 * (1.0 + CAT_COPPER.thresholds.capacity_tolerance)  # 66,000 at 10 %
    assert "above_capacity" not in rules(one().ret("A", JUN, limit * (1 - HAIR)), CAT_COPPER)
    assert "above_capacity" in rules(one().ret("A", JUN, limit * (1 + HAIR)), CAT_COPPER)


# --- unit_mixup: max(y/usual, usual/y) >= factor, usual = median of the 12 months before ------


def test_unit_mixup_fires_from_the_factor_on_both_sides() -> None:
    k = EXACT.thresholds.unit_mixup_factor  # 512
    usual = 64.0 * k  # 32,768 in May: June 64 is exactly 512x smaller
    p = lambda june: one(1e12).ret("A", MAY, usual).ret("A", JUN, june)  # noqa: E731
    assert "unit_mixup" in rules(p(64.0), EXACT)
    assert "unit_mixup" not in rules(p(64.5), EXACT)  # 508x
    assert "unit_mixup" in rules(p(usual * k), EXACT)  # 512x larger
    assert "unit_mixup" not in rules(p(usual * (k - 1)), EXACT)


def test_unit_mixup_on_the_catalog_factor() -> None:
    k = CAT_COPPER.thresholds.unit_mixup_factor
    p = lambda june: one(1e12).ret("A", MAY, 64.0 * k).ret("A", JUN, june)  # noqa: E731
    assert "unit_mixup" in rules(p(64.0 * (1 - HAIR)), CAT_COPPER)
    assert "unit_mixup" not in rules(p(64.0 * (1 + HAIR)), CAT_COPPER)


def test_usual_output_is_the_median_of_the_twelve_months_before_ignoring_zeros() -> None:
    k = EXACT.thresholds.unit_mixup_factor
    usual = 64.0 * k
    # Only June 2024 (t-12) before: it counts, June 2025 64 is 512x smaller.
    p = one(1e12).ret("A", date(2024, 6, 1), usual).ret("A", JUN, 64.0)
    assert "unit_mixup" in rules(p, EXACT)
    # Only May 2024 (t-13) before: no usual output, no mix-up.
    p = one(1e12).ret("A", date(2024, 5, 1), usual).ret("A", JUN, 64.0)
    assert "unit_mixup" not in rules(p, EXACT)
    # A halt (0) in May is no usual month: usual stays 32,768 (with the 0 it would be 16,384).
    p = one(1e12).ret("A", date(2025, 4, 1), usual).ret("A", MAY, 0.0, status="halted")
    assert "unit_mixup" in rules(p.ret("A", JUN, 64.0), EXACT)
    # Three months before (16,384, 32,768, 65,536): the median is 32,768, not the mean 38,229.
    p = one(1e12).ret("A", date(2025, 3, 1), usual / 2).ret("A", date(2025, 4, 1), usual)
    assert "unit_mixup" in rules(p.ret("A", MAY, usual * 2).ret("A", JUN, 64.0), EXACT)


# --- unexplained_swing: |daily MoM %| > alert, status normal, no reason, no event -----------
# May 31,744 over 31 days is 1,024 a day; June over 30 days.


def swing(june: float, **kw: object) -> Panel:
    return one().ret("A", MAY, 31_744.0).ret("A", JUN, june, **kw)  # type: ignore[arg-type]


def test_unexplained_swing_is_strictly_above_the_alert_both_ways() -> None:
    a = EXACT.thresholds.mom_alert_pct  # 25 %: 1,280 or 768 a day, × 30 days
    up, down = 30 * 1_024 * (1 + a / 100), 30 * 1_024 * (1 - a / 100)  # 38,400 and 23,040
    assert "unexplained_swing" not in rules(swing(up), EXACT)
    assert "unexplained_swing" in rules(swing(up + 1), EXACT)
    assert "unexplained_swing" not in rules(swing(down), EXACT)
    assert "unexplained_swing" in rules(swing(down - 1), EXACT)


def test_unexplained_swing_on_the_catalog_alert() -> None:
    a = CAT_COPPER.thresholds.mom_alert_pct
    for sign in (1, -1):
        below = 30 * 1_024 * (1 + sign * a / 100 * (1 - HAIR))
        above = 30 * 1_024 * (1 + sign * a / 100 * (1 + HAIR))
        assert "unexplained_swing" not in rules(swing(below), CAT_COPPER)
        assert "unexplained_swing" in rules(swing(above), CAT_COPPER)


def test_a_swing_needs_status_normal_and_a_blank_reason() -> None:
    big = 30 * 1_024 * 2.0  # +100 %
    assert "unexplained_swing" in rules(swing(big), EXACT)
    assert "unexplained_swing" in rules(swing(big, reason="   "), EXACT)  # blank is no reason
    assert "unexplained_swing" not in rules(swing(big, reason="new line"), EXACT)
    for status in RETURN_STATUSES:
        expected = status == "normal"
        assert ("unexplained_swing" in rules(swing(big, status=status), EXACT)) is expected


# --- far_from_schedule: |y / last month's schedule − 1| > gap, schedule > 0, no reason -------


def scheduled(schedule: float, june: float, **kw: object) -> Panel:
    p = one(1e12).ret("A", MAY, schedule, schedule=schedule)
    return p.ret("A", JUN, june, **kw)  # type: ignore[arg-type]


def test_far_from_schedule_is_strictly_beyond_the_gap_both_ways() -> None:
    g = EXACT.thresholds.schedule_gap_pct  # 25 % of 32,768 is 8,192
    s = 32_768.0
    assert "far_from_schedule" not in rules(scheduled(s, s * (1 + g / 100)), EXACT)
    assert "far_from_schedule" in rules(scheduled(s, s * (1 + g / 100) + 1), EXACT)
    assert "far_from_schedule" not in rules(scheduled(s, s * (1 - g / 100)), EXACT)
    assert "far_from_schedule" in rules(scheduled(s, s * (1 - g / 100) - 1), EXACT)
    assert "far_from_schedule" not in rules(scheduled(s, 2 * s, reason="restart"), EXACT)
    assert "far_from_schedule" in rules(scheduled(s, 2 * s, reason=" "), EXACT)


def test_far_from_schedule_on_the_catalog_gap() -> None:
    g, s = CAT_COPPER.thresholds.schedule_gap_pct, 32_768.0
    assert "far_from_schedule" not in rules(scheduled(s, s * (1 + g / 100 * (1 - HAIR))), CAT_COPPER)
    assert "far_from_schedule" in rules(scheduled(s, s * (1 + g / 100 * (1 + HAIR))), CAT_COPPER)


def test_a_scheduled_halt_is_not_a_schedule_to_be_far_from() -> None:
    # May scheduled 0 for June (a planned stop); any June output is no gap "from 0".
    p = one(1e12).ret("A", MAY, 1_000.0, schedule=0.0).ret("A", JUN, 1_000.0)
    assert "far_from_schedule" not in rules(p, EXACT)


# --- the other rules' edges ------------------------------------------------------------------


def test_metal_equal_to_physical_is_allowed() -> None:
    p = one(365_000, "npi").ret("A", JUN, 20_000, output_metal=20_000)
    assert "metal_above_physical" not in rules(p, NPI)
    p = one(365_000, "npi").ret("A", JUN, 20_000, output_metal=20_000.01)
    assert "metal_above_physical" in rules(p, NPI)


def test_halted_with_output_needs_halted_and_a_positive_output() -> None:
    assert "halted_with_output" not in rules(one().ret("A", JUN, 0.0, status="halted"), EXACT)
    assert "halted_with_output" in rules(one().ret("A", JUN, 0.5, status="halted"), EXACT)
    for status in RETURN_STATUSES:
        if status != "halted":
            assert "halted_with_output" not in rules(one().ret("A", JUN, 500, status=status), EXACT)


@pytest.mark.parametrize(
    "kw",
    [
        {"output_metal": -1.0},
        {"schedule_metal": -1.0},
        {"operating_capacity": -1.0},
        {"parts": {"grade": {"high-grade": -1.0, "low-grade": 1_001.0}}},
    ],
)
def test_every_quantity_is_checked_for_a_negative(kw: dict[str, object]) -> None:
    npi = one(365_000, "npi")
    clean = npi.ret("A", JUN, 1_000.0, output_metal=100.0)
    assert "negative_value" not in rules(clean, CAT_NPI)
    base = {"output_metal": 100.0, **kw}
    p = one(365_000, "npi").ret("A", JUN, 1_000.0, **base)  # type: ignore[arg-type]
    f = check_returns("2025-06", p.inputs(), [CAT_NPI])
    neg = f.filter(pl.col("rule") == "negative_value")
    assert neg.height == 1 and neg.item(0, "value") == -1.0


def test_zero_everywhere_is_not_negative() -> None:
    p = one(365_000, "npi").ret(
        "A", JUN, 0.0, status="halted", output_metal=0.0, schedule=0.0, schedule_metal=0.0,
        operating_capacity=0.0, parts={"grade": {"high-grade": 0.0, "low-grade": 0.0}},
    )  # fmt: skip
    assert rules(p, CAT_NPI) == set()


def test_breakdown_sum_is_strictly_beyond_the_tolerance() -> None:
    tol = EXACT_PRECURSOR.thresholds.breakdown_tolerance  # 12.5 % of 1,024 is 128

    def parts(second: float) -> set[str]:
        p = one(365_000, "ternary_precursor")
        p.ret("A", JUN, 1_024.0, parts={"series": {"5-series": 512.0, "6-series": second}})
        return rules(p, EXACT_PRECURSOR)

    assert "breakdown_sum" not in parts(512.0 + tol * 1_024)  # sums to 1,152
    assert "breakdown_sum" in parts(512.0 + tol * 1_024 + 1)
    assert "breakdown_sum" not in parts(512.0 - tol * 1_024)  # sums to 896
    assert "breakdown_sum" in parts(512.0 - tol * 1_024 - 1)
    # A zero output with parts: any part is too much.
    p = one(365_000, "ternary_precursor").ret("A", JUN, 0.0, status="halted", parts={"series": {"5-series": 0.5}})
    assert "breakdown_sum" in rules(p, EXACT_PRECURSOR)


def test_breakdown_sum_on_the_catalog_tolerance() -> None:
    tol = PRECURSOR.thresholds.breakdown_tolerance

    def parts(total: float) -> set[str]:
        p = one(365_000, "ternary_precursor")
        p.ret("A", JUN, 20_000.0, parts={"series": {"5-series": 10_000.0,
                                                     "6-series": total - 10_000.0}})  # fmt: skip
        return rules(p, PRECURSOR)

    assert "breakdown_sum" not in parts(20_000 * (1 + tol * (1 - HAIR)))
    assert "breakdown_sum" in parts(20_000 * (1 + tol * (1 + HAIR)))


def test_a_component_breakdown_need_not_add_up() -> None:
    component = PRECURSOR.model_copy(
        update={"dimensions": (Dimension(name="series", label="Series", label_zh="系列",
                                         source="return", kind="component",
                                         values=(Label(name="5-series", name_zh="5"),)),)}
    )  # fmt: skip
    p = one(365_000, "ternary_precursor")
    p.ret("A", JUN, 20_000.0, parts={"series": {"5-series": 5_000.0}})
    assert rules(p, component) == set()
    assert "breakdown_sum" in rules(p, PRECURSOR)  # the same parts as a partition


def test_every_known_status_is_accepted() -> None:
    for status in RETURN_STATUSES:
        p = one().ret("A", JUN, 0.0 if status == "halted" else 1_000.0, status=status)
        assert "unknown_status" not in rules(p, EXACT)


def test_capacity_from_mid_month_is_capacity_in_force_and_a_closure_is_none() -> None:
    p = one(365_000).capacity_change("A", date(2025, 6, 16), 0.0, "closure")
    assert "no_capacity" not in rules(p.ret("A", JUN, 1_000.0), EXACT)  # 15 days in force
    p = one(365_000).capacity_change("A", JUN, 0.0, "closure")
    assert "no_capacity" in rules(p.ret("A", JUN, 1_000.0), EXACT)


def test_only_the_asked_month_is_checked_and_none_checks_every_month() -> None:
    p = one().ret("A", MAY, -1.0).ret("A", JUN, 1_000.0, reason="May was a typo")
    assert check_returns("2025-06", p.inputs(), [EXACT]).is_empty()
    f = check_returns("2025-05", p.inputs(), [EXACT])
    assert f.get_column("rule").to_list() == ["negative_value"]
    assert f.item(0, "period") == MAY
    every = check_returns(None, p.inputs(), [EXACT])
    assert set(every.get_column("period")) == {MAY}  # June is clean
    p.ret("A", JUN, -2.0)
    p.returns = [r for r in p.returns if not (r["period"] == JUN and r["output"] == 1_000.0)]
    every = check_returns(None, p.inputs(), [EXACT])
    assert set(every.filter(pl.col("rule") == "negative_value").get_column("period")) == {MAY, JUN}


def test_products_not_asked_for_are_not_checked() -> None:
    p = one().ret("A", JUN, -1.0)
    assert check_returns("2025-06", p.inputs(), [NPI]).is_empty()


# --- what a finding says: its value and its message ------------------------------------------


def finding(p: Panel, product: Product, rule: str) -> dict[str, object]:
    f = check_returns("2025-06", p.inputs(), [product]).filter(pl.col("rule") == rule)
    assert f.height == 1, f
    return f.row(0, named=True)


def test_each_finding_carries_the_value_it_is_about() -> None:
    # Above capacity: 365,000/year, June potential 30,000, 25 % tolerance -> "plus 25%".
    r = finding(one(365_000).ret("A", JUN, 40_000.0), EXACT, "above_capacity")
    assert r["value"] == 40_000.0 and r["severity"] == "error"
    assert "(30,000.0) plus 25%" in str(r["message"]) and "30 days" in str(r["message"])
    # A swing: 1,024 a day in May, 2,048 in June (61,440 over 30 days): +100 % daily.
    r = finding(swing(61_440.0), EXACT, "unexplained_swing")
    assert r["value"] == pytest.approx(100.0, rel=1e-12) and r["severity"] == "warning"
    assert "+100.0% MoM (alert at 25%)" in str(r["message"])
    # Against last month's schedule of 32,768: 49,152 is +50 %.
    r = finding(scheduled(32_768.0, 49_152.0), EXACT, "far_from_schedule")
    assert r["value"] == pytest.approx(50.0, rel=1e-12)
    assert "+50.0% from the 32,768.0 scheduled" in str(r["message"])
    assert "(alert at 25%)" in str(r["message"])
    # A mix-up: 64 against a usual 32,768 is 512x.
    r = finding(one(1e12).ret("A", MAY, 32_768.0).ret("A", JUN, 64.0), EXACT, "unit_mixup")
    assert r["value"] == 64.0 and "is 512x the producer's usual 32,768.0" in str(r["message"])
    r = finding(one().ret("A", JUN, 5.0, status="halted"), EXACT, "halted_with_output")
    assert r["value"] == 5.0
    r = finding(one(365_000, "npi").ret("A", JUN, 100.0, output_metal=101.0), NPI,
                "metal_above_physical")  # fmt: skip
    assert r["value"] == 101.0
    p = one(365_000, "ternary_precursor")
    p.ret("A", JUN, 1_024.0, parts={"series": {"5-series": 512.0, "6-series": 1_024.0}})
    r = finding(p, EXACT_PRECURSOR, "breakdown_sum")
    assert r["value"] == 1_536.0 and "'series' adds up to 1,536.0" in str(r["message"])
    p = one(365_000).capacity_change("A", JUN, 0.0, "closure").ret("A", JUN, 7.0)
    r = finding(p, EXACT, "no_capacity")
    assert r["value"] == 7.0 and "2025-06" in str(r["message"])


def test_a_confirmation_confirms_only_its_own_rule_and_month() -> None:
    from dataclasses import replace

    p = one(1e12).ret("A", MAY, 32_768.0).ret("A", JUN, 64.0)  # mix-up and swing warnings
    inputs = p.inputs()
    confirm = pl.DataFrame({"producer_id": ["A", "A"], "period": [JUN, MAY],
                            "rule": ["unit_mixup", "unexplained_swing"]})  # fmt: skip
    f = check_returns("2025-06", replace(inputs, confirmations=confirm), [EXACT])
    confirmed = dict(zip(f.get_column("rule"), f.get_column("confirmed"), strict=True))
    assert confirmed == {"unit_mixup": True, "unexplained_swing": False}


def test_a_usual_output_below_one_tonne_still_counts() -> None:
    # Usual 0.125 (a producer that reported in kt for a year): 64 is 512x that.
    p = one(1e12).ret("A", MAY, 0.125).ret("A", JUN, 64.0)
    assert "unit_mixup" in rules(p, EXACT)


def test_the_tolerance_is_quoted_in_percent() -> None:
    wide = exact(COPPER, capacity_tolerance=0.75)  # 365,000/year: June limit 52,500
    r = finding(one(365_000).ret("A", JUN, 60_000.0), wide, "above_capacity")
    assert "plus 75%" in str(r["message"])


def test_errors_and_unconfirmed_warnings_split_the_findings() -> None:
    from metalstat.engine.validate import errors, unconfirmed_warnings

    # 64 against a usual 32,768 in May (a mix-up and a swing: warnings), a negative schedule
    # (an error).
    p = one(1e12).ret("A", MAY, 32_768.0).ret("A", JUN, 64.0, schedule=-1.0)
    f = check_returns("2025-06", p.inputs(), [EXACT])
    assert set(errors(f).get_column("rule")) == {"negative_value"}
    assert set(unconfirmed_warnings(f).get_column("rule")) == {"unit_mixup", "unexplained_swing"}
