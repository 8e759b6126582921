"""Hand-computed cases for every formula of the method (docs/methodology.md).

Each expected value is worked out in the comments from the inputs, not taken from the code.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from metalstat.engine.cycle import run_cycle
from tests.engine.builders import JUN, MAY, Panel, fig, row
from tests.engine.products import ALUMINA, COPPER, NPI, PRECURSOR


def two_strata_panel() -> Panel:
    """Large stratum: L1, L2 (365,000 each, surveyed), L3 (730,000, not surveyed).
    Small stratum: S1, S2 (73,000 each, surveyed), S3 (146,000, not surveyed).
    2024-01..2025-04 steady: L1 20,000, L2 20,000, S1 4,000, S2 4,000.
    May 2025: L1 25,000, L2 26,000, S1 5,000, S2 5,000.
    June 2025: L1 24,000, L2 27,000, S1 5,000, S2 4,000."""
    p = Panel()
    p.producer("L1", 365_000).producer("L2", 365_000).producer("L3", 730_000, in_panel=False)
    p.producer("S1", 73_000).producer("S2", 73_000).producer("S3", 146_000, in_panel=False)
    for pid, base in (("L1", 20_000), ("L2", 20_000), ("S1", 4_000), ("S2", 4_000)):
        p.steady(pid, date(2024, 1, 1), date(2025, 4, 1), base)
    for pid, may, jun in (("L1", 25_000, 24_000), ("L2", 26_000, 27_000), ("S1", 5_000, 5_000), ("S2", 5_000, 4_000)):
        p.ret(pid, MAY, may, schedule=jun).ret(pid, JUN, jun)
    return p


def test_ratio_estimator_by_stratum_and_changes() -> None:
    f = run_cycle("2025-06", two_strata_panel().inputs(), [COPPER], with_benchmarks=False).figures
    # w_large = C/c = 1,460,000 / 730,000 = 2; w_small = 292,000 / 146,000 = 2.
    # June: large (24,000 + 27,000) × 2 = 102,000; small (5,000 + 4,000) × 2 = 18,000.
    assert fig(f, "level") == pytest.approx(120_000)
    assert fig(f, "level", breakdown="size_class=large") == pytest.approx(102_000)
    assert fig(f, "level", breakdown="size_class=small") == pytest.approx(18_000)
    # May: large 51,000 × 2 = 102,000; small 10,000 × 2 = 20,000; total 122,000.
    assert fig(f, "level", period="2025-05") == pytest.approx(122_000)
    assert fig(f, "mom_abs") == pytest.approx(-2_000)
    assert fig(f, "mom_pct") == pytest.approx((120_000 / 122_000 - 1) * 100)
    # June 2024: (40,000 + 8,000) × 2 = 96,000.
    assert fig(f, "yoy_abs") == pytest.approx(24_000)
    assert fig(f, "yoy_pct") == pytest.approx(25.0)
    # YTD 2025: 4 × 96,000 + 122,000 + 120,000 = 626,000; 2024: 6 × 96,000 = 576,000.
    assert fig(f, "ytd_level", period="2025-01..2025-06") == pytest.approx(626_000)
    assert fig(f, "ytd_abs", period="2025-01..2025-06") == pytest.approx(50_000)
    assert fig(f, "ytd_pct", period="2025-01..2025-06") == pytest.approx(50_000 / 576_000 * 100)
    # Daily average: 120,000 / 30 days.
    assert fig(f, "daily_avg") == pytest.approx(4_000)
    # Daily average against May's 122,000 / 31 = 3,935.48...: 4,000 / 3,935.48 - 1 = +1.64%
    # while the total fell 1.64% (30 days against 31).
    assert fig(f, "daily_mom_pct") == pytest.approx((4_000 / (122_000 / 31) - 1) * 100)
    assert fig(f, "daily_mom_pct") == pytest.approx(1.639, abs=1e-3)
    # Coverage: 876,000 / 1,752,000.
    assert fig(f, "level", measure="coverage") == pytest.approx(50.0)
    assert fig(f, "level", measure="response_rate") == pytest.approx(100.0)


def test_output_basis_operating_rates_and_pp_changes() -> None:
    f = run_cycle("2025-06", two_strata_panel().inputs(), [COPPER], with_benchmarks=False).figures
    # June (30 days): sample output 60,000; potential 876,000 × 30/365 = 72,000.
    assert fig(f, "level", measure="operating_rate") == pytest.approx(60_000 / 72_000 * 100)
    # Large: 51,000 / (730,000 × 30/365 = 60,000) = 85%; small: 9,000 / 12,000 = 75%.
    assert fig(f, "level", measure="operating_rate", breakdown="size_class=large") == pytest.approx(85.0)
    assert fig(f, "level", measure="operating_rate", breakdown="size_class=small") == pytest.approx(75.0)
    # May (31 days): 61,000 / (876,000 × 31/365 = 74,400).
    may_rate = 61_000 / 74_400 * 100
    assert fig(f, "pp_mom", measure="operating_rate") == pytest.approx(60_000 / 72_000 * 100 - may_rate)
    # Feedstock route rate: every producer is on concentrate, so it equals the overall rate.
    assert fig(f, "level", measure="operating_rate", breakdown="feedstock=copper concentrate") == pytest.approx(
        60_000 / 72_000 * 100
    )


def test_full_coverage_and_response_is_the_plain_sum() -> None:
    p = Panel()
    p.producer("A", 400_000).producer("B", 100_000).producer("C", 50_000)
    for pid, v in (("A", 30_000), ("B", 7_000), ("C", 3_500)):
        p.steady(pid, date(2024, 1, 1), JUN, v)
    f = run_cycle("2025-06", p.inputs(), [COPPER], with_benchmarks=False).figures
    assert fig(f, "level") == pytest.approx(40_500)
    assert row(f, "level")["status"] == "P"  # latest month: provisional, nothing estimated


@pytest.mark.parametrize(("period", "days"), [("2025-02", 28), ("2025-06", 30), ("2025-07", 31)])
def test_operating_rate_uses_days_in_month(period: str, days: int) -> None:
    p = Panel()
    for pid in ("A", "B", "C"):
        p.producer(pid, 365_000)
        p.steady(pid, date(2024, 1, 1), date(2025, 7, 1), 10_000)
    f = run_cycle(period, p.inputs(), [COPPER], with_benchmarks=False).figures
    # potential per producer = 365,000 × days / 365 = 1,000 × days
    expected = 30_000 / (3 * 1_000 * days) * 100
    assert fig(f, "level", measure="operating_rate", period=period) == pytest.approx(expected)
    assert fig(f, "daily_avg", period=period) == pytest.approx(30_000 / days)


def test_capacity_replacement_within_month_is_day_weighted() -> None:
    p = Panel()
    p.producer("A", 365_000).producer("B", 365_000).producer("C", 365_000)
    p.capacity_change("A", date(2025, 2, 15), 730_000, "replacement")
    for pid in ("A", "B", "C"):
        p.steady(pid, date(2024, 1, 1), date(2025, 2, 1), 14_000)
    f = run_cycle("2025-02", p.inputs(), [COPPER], with_benchmarks=False).figures
    # February 2025 has 28 days: A has 365,000 for 14 days and 730,000 for 14 days,
    # potential = (365,000 × 14 + 730,000 × 14) / 365 = 42,000; B and C 28,000 each.
    assert fig(f, "level", measure="operating_rate", period="2025-02") == pytest.approx(
        42_000 / (42_000 + 28_000 + 28_000) * 100
    )
    # Existing capacity at month end: 730,000 + 365,000 + 365,000.
    assert fig(f, "level", measure="capacity", period="2025-02") == pytest.approx(1_460_000)
    # A is classed by the largest capacity in force during the month (730,000 -> large).
    assert fig(f, "level", measure="production", breakdown="size_class=large", period="2025-02") == pytest.approx(
        42_000
    )


def imputation_panel() -> Panel:
    """Large stratum L1, L2 report; L3 (365,000) is missing in June. May: L1 20,000,
    L2 30,000, L3 10,000. June: L1 22,000, L2 33,000."""
    p = Panel()
    for pid in ("L1", "L2", "L3"):
        p.producer(pid, 365_000)
    for pid, v in (("L1", 20_000), ("L2", 30_000), ("L3", 10_000)):
        p.steady(pid, date(2024, 1, 1), date(2025, 4, 1), v, schedule_next=False)
    return p


def _imputed(result, pid: str = "L3", period: date = JUN) -> tuple[str, float]:  # type: ignore[no-untyped-def]
    r = result.imputations.filter((pl.col("producer_id") == pid) & (pl.col("period") == period))
    assert r.height == 1, result.imputations
    return r.item(0, "method"), r.item(0, "value")


def test_imputation_rule_1_last_months_schedule() -> None:
    p = imputation_panel()
    p.ret("L1", MAY, 20_000).ret("L2", MAY, 30_000).ret("L3", MAY, 10_000, schedule=12_345)
    p.ret("L1", JUN, 22_000).ret("L2", JUN, 33_000)
    r = run_cycle("2025-06", p.inputs(), [COPPER], with_benchmarks=False)
    assert _imputed(r) == ("schedule", pytest.approx(12_345))
    assert fig(r.figures, "level") == pytest.approx(22_000 + 33_000 + 12_345)


def test_imputation_rule_2_stratum_trend() -> None:
    p = imputation_panel()
    p.ret("L1", MAY, 20_000).ret("L2", MAY, 30_000).ret("L3", MAY, 10_000)
    p.ret("L1", JUN, 22_000).ret("L2", JUN, 33_000)
    r = run_cycle("2025-06", p.inputs(), [COPPER], with_benchmarks=False)
    # ratio = (22,000 + 33,000) / (20,000 + 30,000) = 1.1 -> 10,000 × 1.1
    assert _imputed(r) == ("stratum_trend", pytest.approx(11_000))
    # imputed share 11,000 / 66,000; response 2 of 3
    assert fig(r.figures, "level", measure="imputed_share") == pytest.approx(11_000 / 66_000 * 100)
    assert fig(r.figures, "level", measure="response_rate") == pytest.approx(200 / 3)
    assert "E" in row(r.figures, "level")["flags"]


def test_imputation_rule_2_chains_through_two_missing_months() -> None:
    p = imputation_panel()
    p.ret("L1", MAY, 24_000).ret("L2", MAY, 36_000)  # L3 missing May and June
    p.ret("L1", JUN, 26_400).ret("L2", JUN, 39_600)
    r = run_cycle("2025-06", p.inputs(), [COPPER], with_benchmarks=False)
    # May: 10,000 (April) × 60,000/50,000 = 12,000; June: 12,000 × 66,000/60,000 = 13,200
    assert _imputed(r, period=MAY) == ("stratum_trend", pytest.approx(12_000))
    assert _imputed(r) == ("stratum_trend", pytest.approx(13_200))


def test_imputation_rule_3_stratum_operating_rate_for_a_new_panel_member() -> None:
    p = imputation_panel()
    p.producer("L4", 730_000, panel_from=JUN)  # joins in June, never answered
    p.ret("L1", MAY, 20_000).ret("L2", MAY, 30_000).ret("L3", MAY, 10_000)
    p.ret("L1", JUN, 22_000).ret("L2", JUN, 33_000).ret("L3", JUN, 5_000)
    r = run_cycle("2025-06", p.inputs(), [COPPER], with_benchmarks=False)
    # stratum rate = 60,000 / (3 × 30,000) ; L4 potential = 730,000 × 30/365 = 60,000
    assert _imputed(r, "L4") == ("stratum_rate", pytest.approx(60_000 * 60_000 / 90_000))


def test_imputation_falls_back_to_the_products_rate_when_the_stratum_has_no_respondent() -> None:
    p = imputation_panel()
    p.producer("S1", 73_000, panel_from=JUN)  # the only small producer, silent
    p.ret("L1", MAY, 20_000).ret("L2", MAY, 30_000).ret("L3", MAY, 10_000)
    p.ret("L1", JUN, 22_000).ret("L2", JUN, 33_000).ret("L3", JUN, 5_000)
    r = run_cycle("2025-06", p.inputs(), [COPPER], with_benchmarks=False)
    # product rate = 60,000 / 90,000; S1 potential = 73,000 × 30/365 = 6,000
    assert _imputed(r, "S1") == ("product_rate", pytest.approx(6_000 * 60_000 / 90_000))


def test_known_halt_is_imputed_as_zero_even_with_a_schedule() -> None:
    p = imputation_panel()
    p.ret("L1", MAY, 20_000).ret("L2", MAY, 30_000).ret("L3", MAY, 10_000, schedule=9_000)
    p.ret("L1", JUN, 22_000).ret("L2", JUN, 33_000)
    p.event("L3", date(2025, 5, 25), date(2025, 7, 10), 365_000, "environmental_inspection")
    r = run_cycle("2025-06", p.inputs(), [COPPER], with_benchmarks=False)
    assert _imputed(r) == ("halted", 0.0)
    assert fig(r.figures, "count", measure="producer_count", breakdown="status=halted") == 1


def test_metal_and_physical_content() -> None:
    p = Panel(product="npi")
    for pid in ("A", "B", "C"):
        p.producer(pid, 365_000, feedstock=None)
    for pid, phys, metal in (("A", 10_000, 1_200), ("B", 20_000, 2_000), ("C", 5_000, 400)):
        for m in (date(2025, 4, 1), MAY):
            p.ret(pid, m, phys, output_metal=metal)
    p.ret("A", JUN, 11_000, output_metal=1_320).ret("B", JUN, 20_000, output_metal=2_000)
    p.ret("C", MAY, 5_000, output_metal=400, schedule=6_000)  # C silent in June
    p.returns = [r for r in p.returns if not (r["producer_id"] == "C" and r["period"] == MAY and r["schedule"] is None)]
    r = run_cycle("2025-06", p.inputs(), [NPI], with_benchmarks=False)
    # C is imputed from its schedule, 6,000 physical, at its own May grade 400/5,000 = 8%.
    assert fig(r.figures, "level") == pytest.approx(37_000)
    assert fig(r.figures, "level", breakdown="content=physical") == pytest.approx(37_000)
    assert fig(r.figures, "level", breakdown="content=metal") == pytest.approx(1_320 + 2_000 + 480)
    # May: metal 3,600, physical 35,000.
    assert fig(r.figures, "mom_pct", breakdown="content=metal") == pytest.approx((3_800 / 3_600 - 1) * 100)


def test_producer_entering_the_panel_breaks_the_series_and_like_for_like_explains_it() -> None:
    p = Panel()
    p.producer("L1", 365_000).producer("L2", 365_000)
    p.producer("L3", 365_000, since=JUN, panel_from=JUN)  # commissioned and surveyed in June
    for pid, v in (("L1", 25_000), ("L2", 27_000)):
        p.steady(pid, date(2024, 1, 1), JUN, v)
    p.ret("L3", JUN, 6_000)
    f = run_cycle("2025-06", p.inputs(), [COPPER], with_benchmarks=False).figures
    # June 58,000 vs May 52,000; matched sample (L1, L2) unchanged.
    assert fig(f, "mom_pct") == pytest.approx((58_000 / 52_000 - 1) * 100)
    assert fig(f, "lfl_mom_pct") == pytest.approx(0.0)
    assert fig(f, "panel_effect_pct") == pytest.approx((58_000 / 52_000 - 1) * 100)
    june, may = 58_000 / 90_000 * 100, 52_000 / 62_000 * 100
    matched = 52_000 / 60_000 * 100 - may
    assert fig(f, "pp_mom", measure="operating_rate") == pytest.approx(june - may)
    assert fig(f, "lfl_pp_mom", measure="operating_rate") == pytest.approx(matched)
    assert fig(f, "panel_effect_pp", measure="operating_rate") == pytest.approx(june - may - matched)
    r = row(f, "mom_pct")
    assert r["status"] == "B" and "P" in r["flags"]
    assert row(f, "level")["status"] == "P"  # the level itself is not a break


def test_producer_leaving_the_panel_lowers_coverage_not_the_estimate_scale() -> None:
    p = Panel()
    for pid in ("L1", "L2", "L3"):
        p.producer(pid, 365_000, panel_to=MAY if pid == "L3" else None)
        p.steady(pid, date(2024, 1, 1), MAY, 20_000)
    p.ret("L1", JUN, 21_000).ret("L2", JUN, 19_000)
    f = run_cycle("2025-06", p.inputs(), [COPPER], with_benchmarks=False).figures
    # Frame 1,095,000, sample 730,000: w = 1.5; (21,000 + 19,000) × 1.5 = 60,000.
    assert fig(f, "level") == pytest.approx(60_000)
    assert fig(f, "level", measure="coverage") == pytest.approx(200 / 3)
    assert row(f, "mom_pct")["status"] == "B"


def test_shares_and_parts_use_the_respondents_composition() -> None:
    p = Panel(product="ternary_precursor")
    parts = {
        "P1": (1_000, {"5-series": 200, "6-series": 500, "8-series": 300}),
        "P2": (3_000, {"5-series": 300, "6-series": 1_500, "8-series": 1_200}),
        "P3": (2_000, {"5-series": 500, "6-series": 1_000, "8-series": 500}),
    }
    for pid in parts:
        p.producer(pid, 365_000, feedstock=None)
    for pid, (out, split) in parts.items():
        p.ret(pid, MAY, out, schedule=out, parts={"series": split})
    for pid in ("P1", "P2"):
        out, split = parts[pid]
        p.ret(pid, JUN, out, parts={"series": split})
    r = run_cycle("2025-06", p.inputs(), [PRECURSOR], with_benchmarks=False)
    f = r.figures
    # June: P3 imputed 2,000 from its schedule: total 6,000. Respondents' composition
    # (P1+P2): 5-series 500/4,000, 6-series 2,000/4,000, 8-series 1,500/4,000.
    assert fig(f, "level") == pytest.approx(6_000)
    assert fig(f, "level", breakdown="series=5-series") == pytest.approx(750)
    assert fig(f, "level", measure="share", breakdown="series=6-series") == pytest.approx(50.0)
    assert fig(f, "level", measure="share", breakdown="series=8-series") == pytest.approx(37.5)
    # May (all three reported): 8-series 2,000 / 6,000.
    assert fig(f, "pp_mom", measure="share", breakdown="series=8-series") == pytest.approx(37.5 - 2_000 / 6_000 * 100)


def test_capacity_basis_operating_rate() -> None:
    p = Panel(product="alumina")
    for pid, cap in (("A", 4_000_000), ("B", 2_000_000), ("C", 2_000_000)):
        p.producer(pid, cap, feedstock=None)
    for pid, run in (("A", 3_000_000), ("B", 2_000_000), ("C", 1_000_000)):
        p.ret(pid, MAY, 200_000, operating_capacity=run)
    p.ret("A", JUN, 250_000, operating_capacity=3_600_000)
    p.ret("B", JUN, 160_000, operating_capacity=2_000_000)
    p.ret("C", JUN, 80_000, operating_capacity=1_000_000)
    f = run_cycle("2025-06", p.inputs(), [ALUMINA], with_benchmarks=False).figures
    assert fig(f, "level", measure="capacity") == pytest.approx(8_000_000)
    assert fig(f, "level", measure="operating_capacity") == pytest.approx(6_600_000)
    assert fig(f, "mom_pct", measure="operating_capacity") == pytest.approx(10.0)
    assert fig(f, "level", measure="operating_rate") == pytest.approx(82.5)
    assert fig(f, "pp_mom", measure="operating_rate") == pytest.approx(82.5 - 75.0)


def test_status_counts_and_the_share_that_reduced_output() -> None:
    p = Panel()
    for pid in ("A", "B", "C", "D", "E"):
        p.producer(pid, 365_000)
    may = {"A": 31_000, "B": 31_000, "C": 31_000, "D": 31_000, "E": 0}
    jun = {"A": 30_000, "B": 28_000, "C": 25_000, "D": 0, "E": 0}
    status_may = {"A": "normal", "B": "normal", "C": "normal", "D": "normal", "E": "halted"}
    status_jun = {"A": "normal", "B": "cut", "C": "cut", "D": "halted", "E": "halted"}
    for pid in may:
        p.ret(pid, MAY, may[pid], status=status_may[pid])
        p.ret(pid, JUN, jun[pid], status=status_jun[pid])
    f = run_cycle("2025-06", p.inputs(), [COPPER], with_benchmarks=False).figures
    assert fig(f, "count", measure="producer_count", breakdown="status=halted") == 2
    assert fig(f, "count_change", measure="producer_count", breakdown="status=halted") == 1
    assert fig(f, "count", measure="producer_count", breakdown="status=cut") == 2
    assert fig(f, "count", measure="producer_count") == 5
    # Daily output: A 1,000 -> 1,000 (same), B, C, D lower, E 0 -> 0: 3 of 5 reduced.
    assert fig(f, "level", measure="producer_share", breakdown="change=reduced") == pytest.approx(60.0)
    assert fig(f, "level", measure="producer_share", breakdown="change=increased") == pytest.approx(0.0)
    # the denominator of those shares: the five producers with output in both months
    assert fig(f, "count", measure="producer_count", breakdown="change=compared") == 5


def test_forecast_from_schedules_with_a_missing_schedule_imputed_by_ratio() -> None:
    p = two_strata_panel()
    p.returns = [r for r in p.returns if r["period"] != JUN]
    p.ret("L1", JUN, 25_000, schedule=26_000).ret("L2", JUN, 27_000)  # L2 gives no schedule
    p.ret("S1", JUN, 5_000, schedule=5_500).ret("S2", JUN, 4_000, schedule=4_400)
    f = run_cycle("2025-06", p.inputs(), [COPPER], with_benchmarks=False).figures
    # L2's July = 27,000 × (26,000 / 25,000); weights stay 2 (same frame in July).
    july = 2 * (26_000 + 27_000 * 1.04) + 2 * (5_500 + 4_400)
    june = 2 * (25_000 + 27_000) + 2 * (5_000 + 4_000)
    assert fig(f, "level", period="2025-07", kind="forecast") == pytest.approx(july)
    assert fig(f, "mom_pct", period="2025-07", kind="forecast") == pytest.approx((july / june - 1) * 100)
    # 31 days of July against 30 of June: (july / 31) / (june / 30) - 1
    daily = (july / 31 / (june / 30) - 1) * 100
    assert fig(f, "daily_mom_pct", period="2025-07", kind="forecast") == pytest.approx(daily)
    # July 2024 = 96,000.
    assert fig(f, "yoy_pct", period="2025-07", kind="forecast") == pytest.approx((july / 96_000 - 1) * 100)
    ytd = 4 * 96_000 + 122_000 + june + july
    assert fig(f, "ytd_level", period="2025-01..2025-07", kind="forecast") == pytest.approx(ytd)
    rate = (26_000 + 27_000 * 1.04 + 5_500 + 4_400) / (876_000 * 31 / 365) * 100
    assert fig(f, "level", measure="operating_rate", period="2025-07", kind="forecast") == pytest.approx(rate)
    assert row(f, "level", period="2025-07", kind="forecast")["status"] == "F"


def test_forecast_accuracy_and_rolling_mape() -> None:
    p = two_strata_panel()
    p.forecasts = [
        {"product": "copper_cathode", "period": JUN, "value": 125_000.0},
        {"product": "copper_cathode", "period": MAY, "value": 122_000 * 1.1},
    ]
    f = run_cycle("2025-06", p.inputs(), [COPPER], with_benchmarks=False).figures
    assert fig(f, "abs", measure="forecast_error") == pytest.approx(5_000)
    assert fig(f, "pct", measure="forecast_error") == pytest.approx(5_000 / 120_000 * 100)
    assert fig(f, "mape", measure="forecast_error") == pytest.approx((5_000 / 120_000 * 100 + 10) / 2)


def test_low_response_withholds_the_estimate() -> None:
    p = imputation_panel()
    p.ret("L1", MAY, 20_000).ret("L2", MAY, 30_000).ret("L3", MAY, 10_000)
    p.ret("L1", JUN, 22_000)
    strict = ALUMINA.model_copy(
        update={
            "code": "copper_cathode",
            "thresholds": COPPER.thresholds.model_copy(update={"min_response": 0.5}),
        }
    )
    f = run_cycle("2025-06", p.inputs(), [strict], with_benchmarks=False).figures
    r = row(f, "level")
    assert r["value"] is None and r["status"] == "U"
    assert fig(f, "level", period="2025-05") == pytest.approx(60_000)  # May was fine


def test_disclosure_control_primary_and_secondary() -> None:
    p = Panel(product="copper_cathode")
    # Large: 3 producers, one dominant (90%). Small: 4 balanced producers. Feedstock: the
    # scrap route has 2 producers (primary), so the smallest other route cell is secondary.
    for pid, cap, out, feed in (
        ("L1", 400_000, 27_000, "copper concentrate"),
        ("L2", 400_000, 1_500, "copper concentrate"),
        ("L3", 400_000, 1_500, "copper concentrate"),
        ("S1", 100_000, 5_000, "copper concentrate"),
        ("S2", 100_000, 5_000, "copper concentrate"),
        ("S3", 100_000, 5_000, "copper scrap or anode"),
        ("S4", 100_000, 5_000, "copper scrap or anode"),
    ):
        p.producer(pid, cap, feedstock=feed)
        p.ret(pid, MAY, out).ret(pid, JUN, out)
    f = run_cycle("2025-06", p.inputs(), [COPPER], with_benchmarks=False).figures
    assert row(f, "level", breakdown="size_class=large")["conf_status"] == "C"  # 90% > 85%
    assert row(f, "level", breakdown="size_class=small")["conf_status"] == "D"  # secondary
    assert row(f, "level", breakdown="feedstock=copper scrap or anode")["conf_status"] == "C"
    assert row(f, "level", breakdown="feedstock=copper concentrate")["conf_status"] == "D"
    assert row(f, "level", measure="operating_rate", breakdown="size_class=large")["conf_status"] == "C"
    assert row(f, "level")["conf_status"] == "F"


def test_forecast_counts_stops_already_known_and_breaks_down_by_domain() -> None:
    p = two_strata_panel()
    p.event("L1", date(2025, 7, 10), date(2025, 7, 20), 100_000)  # planned maintenance
    p.event("S2", date(2025, 6, 25), date(2025, 8, 5), 73_000, "losses")  # stopped all July
    f = run_cycle("2025-06", p.inputs(), [COPPER], with_benchmarks=False).figures
    kw = {"measure": "producer_count", "period": "2025-07", "kind": "forecast"}
    assert fig(f, "count", breakdown="status=maintenance", **kw) == 1
    assert fig(f, "count", breakdown="status=halted", **kw) == 1
    # In June nobody reported maintenance (all four said "normal"): +1.
    assert fig(f, "count_change", breakdown="status=maintenance", **kw) == 1
    assert fig(f, "count", measure="producer_count", breakdown="status=maintenance") == 0
    # July by size class: every producer schedules its June output, S2 is halted (0), and
    # the weights stay 2: large 2 × (24,000 + 27,000), small 2 × (5,000 + 0).
    assert fig(f, "level", breakdown="size_class=large", period="2025-07", kind="forecast") == pytest.approx(102_000)
    assert fig(f, "level", breakdown="size_class=small", period="2025-07", kind="forecast") == pytest.approx(10_000)


def test_a_product_can_count_a_month_as_a_twelfth_of_its_capacity() -> None:
    twelfth = COPPER.model_copy(update={"month_capacity": "twelfth"})
    p = Panel()
    for pid in ("A", "B", "C"):
        p.producer(pid, 120_000)
        p.steady(pid, date(2024, 1, 1), date(2025, 7, 1), 8_000)
    p.producer("D", 120_000, panel_from=date(2025, 2, 1))  # silent: imputed by stratum rate
    for period in ("2025-02", "2025-07"):
        r = run_cycle(period, p.inputs(), [twelfth], with_benchmarks=False)
        # 3 × 8,000 / (3 × 120,000 / 12) whatever the month's length.
        assert fig(r.figures, "level", measure="operating_rate", period=period) == pytest.approx(80.0)
        # D's first month is imputed at the stratum's rate: 120,000 / 12 × 80%.
        first = r.imputations.filter(pl.col("producer_id") == "D").sort("period").row(0, named=True)
        assert (first["method"], first["value"]) == ("stratum_rate", pytest.approx(8_000))


def test_equal_daily_output_is_neither_reduced_nor_increased() -> None:
    p = Panel()
    for pid in ("A", "B", "C"):
        p.producer(pid, 365_000)
        # 0.7 t a day in May (31 days) and in June (30 days): equal, whatever the rounding.
        p.ret(pid, MAY, 0.7 * 31).ret(pid, JUN, 0.7 * 30)
    f = run_cycle("2025-06", p.inputs(), [COPPER], with_benchmarks=False).figures
    assert fig(f, "count", measure="producer_count", breakdown="change=reduced") == 0
    assert fig(f, "count", measure="producer_count", breakdown="change=increased") == 0


def test_the_month_before_keeps_its_own_month_on_month_change() -> None:
    f = run_cycle("2025-06", two_strata_panel().inputs(), [COPPER], with_benchmarks=False).figures
    # May 122,000 against April 96,000.
    assert fig(f, "mom_pct", period="2025-05") == pytest.approx((122_000 / 96_000 - 1) * 100)
    assert fig(f, "mom_abs", period="2025-05") == pytest.approx(26_000)
    # ... but not its YoY: the vintage's older months carry the headline only.
    assert f.filter((pl.col("period") == "2025-05") & (pl.col("statistic") == "yoy_abs")).is_empty()


def test_the_forecast_splits_its_change_into_like_for_like_and_new_capacity() -> None:
    """L1, L2 (365,000 mt/year each) are sampled; L3 (365,000) enters the frame in July,
    unsampled. June: L1 25,000 (schedules 26,000), L2 27,000 (schedules 27,000)."""
    jul = date(2025, 7, 1)
    p = Panel()
    p.producer("L1", 365_000).producer("L2", 365_000)
    p.producer("L3", 365_000, since=jul, in_panel=False)
    p.steady("L1", date(2024, 1, 1), MAY, 25_000).steady("L2", date(2024, 1, 1), MAY, 27_000)
    p.ret("L1", JUN, 25_000, schedule=26_000).ret("L2", JUN, 27_000, schedule=27_000)
    f = run_cycle("2025-06", p.inputs(), [COPPER], with_benchmarks=False).figures
    fc = {"period": "2025-07", "kind": "forecast"}
    # July weight 1,095,000 / 730,000 = 1.5: forecast 1.5 × 53,000 = 79,500 against June's
    # 52,000 (weight 1): +52.885 %. The producers in both months: 53,000 / 52,000 - 1 = +1.923 %;
    # the rest, +50.962 points, is L3's capacity entering the frame.
    assert fig(f, "mom_pct", **fc) == pytest.approx((79_500 / 52_000 - 1) * 100)
    assert fig(f, "lfl_mom_pct", **fc) == pytest.approx((53_000 / 52_000 - 1) * 100)
    assert fig(f, "panel_effect_pct", **fc) == pytest.approx((79_500 / 52_000 - 53_000 / 52_000) * 100)
    assert fig(f, "lfl_mom_pct", breakdown="size_class=large", **fc) == pytest.approx((53_000 / 52_000 - 1) * 100)
    # The output-basis rate is over the sample: July 53,000 / (730,000 × 31/365 = 62,000) =
    # 85.484 % against June 52,000 / 60,000 = 86.667 %: -1.183 pp, all of it like for like.
    rate = {"measure": "operating_rate", **fc}
    assert fig(f, "lfl_pp_mom", **rate) == pytest.approx(53_000 / 62_000 * 100 - 52_000 / 60_000 * 100)
    assert fig(f, "panel_effect_pp", **rate) == pytest.approx(0.0, abs=1e-9)
    assert row(f, "lfl_mom_pct", **fc)["unit"] == "%" and row(f, "panel_effect_pp", **rate)["unit"] == "pp"


def entrant_panel(*, plans: bool = True) -> Panel:
    """L1, L2 (365,000 mt/year each) are sampled; N (365,000) is commissioned on 1 July, in
    the panel from June, and its June return gives nil output and (``plans``) a first month
    at 6,200 t. June: L1 25,000 (schedules 26,000, running 365,000), L2 27,000 (schedules
    27,000, running 300,000)."""
    jul = date(2025, 7, 1)
    p = Panel()
    p.producer("L1", 365_000).producer("L2", 365_000)
    p.producer("N", 365_000, since=jul, panel_from=JUN)
    p.steady("L1", date(2024, 1, 1), MAY, 25_000).steady("L2", date(2024, 1, 1), MAY, 27_000)
    p.ret("L1", JUN, 25_000, schedule=26_000, operating_capacity=365_000)
    p.ret("L2", JUN, 27_000, schedule=27_000, operating_capacity=300_000)
    p.ret("N", JUN, 0.0, schedule=6_200 if plans else None, status="commissioning")
    return p


def test_an_entrant_with_a_schedule_joins_the_forecast_and_its_rate() -> None:
    r = run_cycle("2025-06", entrant_panel().inputs(), [COPPER], with_benchmarks=False)
    # N has no capacity in June but some in July: its nil June output is no error.
    assert r.findings.filter(pl.col("rule") == "no_capacity").is_empty() and not r.blocked
    f = r.figures
    fc = {"period": "2025-07", "kind": "forecast"}
    # July's frame, 1,095,000, is all in the sample: weight 1. Forecast 26,000 + 27,000 +
    # 6,200 = 59,200 against June's 52,000 (L1 and L2 alone, weight 1): +13.846 %. Like for
    # like (L1, L2): 53,000 / 52,000 - 1 = +1.923 %; N adds 6,200 / 52,000 = +11.923 points.
    assert fig(f, "level", **fc) == pytest.approx(59_200)
    assert fig(f, "mom_pct", **fc) == pytest.approx((59_200 / 52_000 - 1) * 100)
    assert fig(f, "lfl_mom_pct", **fc) == pytest.approx((53_000 / 52_000 - 1) * 100)
    assert fig(f, "panel_effect_pct", **fc) == pytest.approx(6_200 / 52_000 * 100)
    # Rate: July 59,200 / (1,095,000 × 31/365 = 93,000) = 63.656 % against June 52,000 /
    # 60,000 = 86.667 %: -23.011 pp. Like for like 53,000 / 62,000 = 85.484 %, -1.183 pp; N
    # at 6,200 / 31,000 = 20 % pulls the rate down the other 63.656 - 85.484 = -21.828 pp.
    rate = {"measure": "operating_rate", **fc}
    assert fig(f, "level", **rate) == pytest.approx(59_200 / 93_000 * 100)
    assert fig(f, "pp_mom", **rate) == pytest.approx(59_200 / 93_000 * 100 - 52_000 / 60_000 * 100)
    assert fig(f, "lfl_pp_mom", **rate) == pytest.approx(53_000 / 62_000 * 100 - 52_000 / 60_000 * 100)
    assert fig(f, "panel_effect_pp", **rate) == pytest.approx(59_200 / 93_000 * 100 - 53_000 / 62_000 * 100)
    assert fig(f, "panel_effect_pp", **rate) == pytest.approx(-21.828, abs=1e-3)
    # Running capacity: L1, L2 keep June's 365,000 and 300,000; N gave none, so its capacity
    # × the stratum's running share in June, 665,000 / 730,000: 332,500. Total 997,500.
    assert fig(f, "level", measure="operating_capacity", **fc) == pytest.approx(997_500)
    # Its capacity is in July's frame: 1,095,000.
    assert fig(f, "level", measure="capacity", **fc) == pytest.approx(1_095_000)
    # N is not compared with June: only L1 (26,000 / 31 against 25,000 / 30) raises its daily
    # output; L2 (27,000 / 31 < 27,000 / 30) lowers it.
    planned = {"measure": "producer_count", **fc}
    assert fig(f, "count", breakdown="change=increased", **planned) == 1
    assert fig(f, "count", breakdown="change=reduced", **planned) == 1


def test_an_entrant_without_a_schedule_counts_by_its_capacity_only() -> None:
    f = run_cycle("2025-06", entrant_panel(plans=False).inputs(), [COPPER], with_benchmarks=False).figures
    fc = {"period": "2025-07", "kind": "forecast"}
    # N stays outside the sample: July's weight 1,095,000 / 730,000 = 1.5, so the forecast
    # is 1.5 × 53,000 = 79,500 (N credited with L1 and L2's scheduled rate), and the rate,
    # over the sample, is 53,000 / 62,000 = 85.484 %, all of its change like for like.
    assert fig(f, "level", **fc) == pytest.approx(79_500)
    rate = {"measure": "operating_rate", **fc}
    assert fig(f, "level", **rate) == pytest.approx(53_000 / 62_000 * 100)
    assert fig(f, "panel_effect_pp", **rate) == pytest.approx(0.0, abs=1e-9)


def test_a_nil_return_without_capacity_now_or_next_month_is_an_error() -> None:
    p = entrant_panel()
    # N's capacity moved to August: its June return has no capacity in June or in July.
    p.capacity = [c if c["producer_id"] != "N" else {**c, "valid_from": date(2025, 8, 1)} for c in p.capacity]
    r = run_cycle("2025-06", p.inputs(), [COPPER], with_benchmarks=False)
    assert r.findings.filter(pl.col("rule") == "no_capacity").get_column("producer_id").to_list() == ["N"]
    # So is a return with output from a plant that only starts next month.
    p = entrant_panel()
    p.returns = [r if r["producer_id"] != "N" else {**r, "output": 100.0} for r in p.returns]
    r = run_cycle("2025-06", p.inputs(), [COPPER], with_benchmarks=False)
    assert r.findings.filter(pl.col("rule") == "no_capacity").get_column("producer_id").to_list() == ["N"]


def test_forecast_stops_are_counted_by_producer_domain_too() -> None:
    """The two strata's producers, L1 and S1 on the scrap route, L2 and S2 on concentrate.
    July: L1 has planned maintenance (10th-20th), S2 is stopped all month, S1 has an event
    that ends on 30 June (not July's). So by route: scrap 1 maintenance, 0 halted;
    concentrate 0 maintenance, 1 halted; the overall counts stay 1 and 1."""
    p = Panel()
    p.producer("L1", 365_000, feedstock="copper scrap or anode").producer("L2", 365_000)
    p.producer("L3", 730_000, in_panel=False)
    p.producer("S1", 73_000, feedstock="copper scrap or anode").producer("S2", 73_000)
    p.producer("S3", 146_000, in_panel=False)
    for pid, base in (("L1", 20_000), ("L2", 20_000), ("S1", 4_000), ("S2", 4_000)):
        p.steady(pid, date(2024, 1, 1), date(2025, 4, 1), base)
    for pid, may, jun in (("L1", 25_000, 24_000), ("L2", 26_000, 27_000), ("S1", 5_000, 5_000), ("S2", 5_000, 4_000)):
        p.ret(pid, MAY, may, schedule=jun).ret(pid, JUN, jun)
    p.event("L1", date(2025, 7, 10), date(2025, 7, 20), 100_000)
    p.event("S2", date(2025, 6, 25), date(2025, 8, 5), 73_000, "losses")
    p.event("S1", date(2025, 6, 20), date(2025, 6, 30), 73_000)
    f = run_cycle("2025-06", p.inputs(), [COPPER], with_benchmarks=False).figures
    kw = {"measure": "producer_count", "period": "2025-07", "kind": "forecast"}
    scrap, conc = "feedstock=copper scrap or anode", "feedstock=copper concentrate"
    assert fig(f, "count", breakdown=f"{scrap};status=maintenance", **kw) == 1
    assert fig(f, "count", breakdown=f"{scrap};status=halted", **kw) == 0
    assert fig(f, "count", breakdown=f"{conc};status=maintenance", **kw) == 0
    assert fig(f, "count", breakdown=f"{conc};status=halted", **kw) == 1
    assert fig(f, "count", breakdown="status=maintenance", **kw) == 1
    assert fig(f, "count", breakdown="status=halted", **kw) == 1
