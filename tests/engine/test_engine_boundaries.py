"""Hand-computed cases at the edges of the method: who donates to an imputation, what a halt
is, which date ends are inclusive, where a size class starts, how strata the panel does not
cover are expanded, what is weighted and what is not.

Every expected value is worked out in the comments. Comparisons are tight (rel 1e-12): a
slip of one tonne in millions must show.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from metalstat.catalog import load_catalog
from metalstat.engine.cycle import CycleResult, run_cycle
from metalstat.engine.validate import check_returns
from tests.engine.builders import JUN, MAY, Panel, fig, row
from tests.engine.products import ALUMINA, COPPER, NPI, NPI_GRADES, PRECURSOR

CAT_COPPER = load_catalog().get("copper_cathode")
APR = date(2025, 4, 1)


def exactly(x: float) -> object:
    return pytest.approx(x, rel=1e-12, abs=1e-9)


def cycle(p: Panel, product=COPPER) -> CycleResult:  # type: ignore[no-untyped-def]
    return run_cycle("2025-06", p.inputs(), [product], with_benchmarks=False)


def imputed(r: CycleResult, pid: str, period: date = JUN) -> tuple[str, float]:
    i = r.imputations.filter((pl.col("producer_id") == pid) & (pl.col("period") == period))
    assert i.height == 1, r.imputations
    return i.item(0, "method"), i.item(0, "value")


# --- imputation donors ------------------------------------------------------------------------


def test_stratum_trend_donors_answered_both_months_with_output_in_the_stratum() -> None:
    """Large (365,000 each): L1, L2 answer May and June; L3 answered May, silent in June;
    L4 silent in May (imputed), answers June; L5 halted in May (0), answers June.
    Small (73,000 each): S1, S2 double their output. Only L1 and L2 are donors for L3:
    ratio (22,000 + 33,000) / (20,000 + 30,000) = 1.1 -> L3 = 10,000 × 1.1 = 11,000.
    With L4 as a donor it would be (59,000 / 90,000); with L5, 60,000 / 50,000; with the
    small stratum, 75,000 / 60,000."""
    p = Panel()
    for pid in ("L1", "L2", "L3", "L4", "L5"):
        p.producer(pid, 365_000)
    p.producer("S1", 73_000).producer("S2", 73_000)
    april = {"L1": 20_000, "L2": 30_000, "L3": 10_000, "L4": 40_000, "L5": 10_000,
             "S1": 5_000, "S2": 5_000}  # fmt: skip
    for pid, v in april.items():
        p.steady(pid, date(2024, 1, 1), APR, v, schedule_next=False)
    for pid, v in (("L1", 20_000), ("L2", 30_000), ("L3", 10_000), ("S1", 5_000), ("S2", 5_000)):
        p.ret(pid, MAY, v)
    p.ret("L5", MAY, 0.0, status="halted")
    for pid, v in (("L1", 22_000), ("L2", 33_000), ("L4", 4_000), ("L5", 5_000),
                   ("S1", 10_000), ("S2", 10_000)):  # fmt: skip
        p.ret(pid, JUN, v)
    r = cycle(p)
    assert imputed(r, "L3") == ("stratum_trend", exactly(11_000))
    assert imputed(r, "L4", MAY)[0] == "stratum_trend"


def test_without_a_trend_donor_the_stratum_rate_applies() -> None:
    """L1 and L2 answer only June (new in the panel); L3 answered May and is silent in June:
    no donor for the trend, so the stratum's rate: (15,000 + 21,000) / (2 × 30,000) = 60 %
    of L3's June potential 30,000 = 18,000."""
    p = Panel()
    p.producer("L1", 365_000, panel_from=JUN).producer("L2", 365_000, panel_from=JUN)
    p.producer("L3", 365_000)
    p.steady("L3", date(2024, 1, 1), MAY, 10_000, schedule_next=False)
    p.ret("L1", JUN, 15_000).ret("L2", JUN, 21_000)
    assert imputed(cycle(p), "L3") == ("stratum_rate", exactly(18_000))


def test_a_stratums_imputation_ignores_other_strata_and_non_respondents() -> None:
    """Stratum rate for new member L4 (730,000, potential 60,000): respondents L1 (12,000 of
    30,000) and L2 (18,000 of 30,000) -> 50 % -> 30,000. The small stratum runs at 100 %
    and L3 (silent, 365,000) is no respondent: neither changes it."""
    p = Panel()
    p.producer("L1", 365_000, panel_from=JUN).producer("L2", 365_000, panel_from=JUN)
    p.producer("L3", 365_000, panel_from=JUN).producer("L4", 730_000, panel_from=JUN)
    p.producer("S1", 73_000, panel_from=JUN)
    p.ret("L1", JUN, 12_000).ret("L2", JUN, 18_000).ret("S1", JUN, 6_000)
    r = cycle(p)
    assert imputed(r, "L4") == ("stratum_rate", exactly(30_000))
    assert imputed(r, "L3") == ("stratum_rate", exactly(15_000))


# --- halts and date ends ----------------------------------------------------------------------


def halted_panel(start: date, end: date | None, affected: float = 365_000) -> Panel:
    """L1, L2 answer; L3 (365,000) scheduled 9,000 for June in May and is silent in June."""
    p = Panel()
    for pid in ("L1", "L2", "L3"):
        p.producer(pid, 365_000)
    for pid in ("L1", "L2"):
        p.ret(pid, MAY, 20_000).ret(pid, JUN, 22_000)
    p.ret("L3", MAY, 10_000, schedule=9_000)
    return p.event("L3", start, end, affected, "environmental_inspection")


@pytest.mark.parametrize(
    ("start", "end", "affected", "method"),
    [
        (JUN, date(2025, 6, 30), 365_000, "halted"),  # both ends inclusive: the whole month
        (JUN, None, 365_000, "halted"),  # open-ended
        (date(2025, 5, 20), date(2025, 7, 3), 365_000, "halted"),
        (date(2025, 6, 2), date(2025, 6, 30), 365_000, "schedule"),  # June 1 ran
        (JUN, date(2025, 6, 29), 365_000, "schedule"),  # June 30 ran
        (JUN, date(2025, 6, 30), 364_999, "schedule"),  # part of the capacity ran
        (JUN, date(2025, 6, 30), 400_000, "halted"),  # more than the capacity: stopped
    ],
)
def test_a_known_halt_covers_the_whole_month_and_capacity(
    start: date, end: date | None, affected: float, method: str
) -> None:
    r = cycle(halted_panel(start, end, affected))
    assert imputed(r, "L3") == (method, 0.0 if method == "halted" else exactly(9_000))
    halted = 1.0 if method == "halted" else 0.0
    assert fig(r.figures, "count", measure="producer_count", breakdown="status=halted") == halted


@pytest.mark.parametrize(
    ("start", "end", "explained"),
    [
        (date(2025, 6, 30), date(2025, 7, 5), True),  # starts on June's last day
        (date(2025, 5, 20), JUN, True),  # ends on June's first day
        (date(2025, 7, 1), date(2025, 7, 5), False),  # starts in July
        (date(2025, 5, 20), date(2025, 5, 31), False),  # ends in May
    ],
)
def test_an_event_touching_the_month_on_either_end_explains_a_swing(start: date, end: date, explained: bool) -> None:
    p = Panel()
    p.producer("A", 365_000).ret("A", MAY, 31_000).ret("A", JUN, 15_000)  # -48 % a day
    p.event("A", start, end, 100_000)
    rules = set(check_returns("2025-06", p.inputs(), [COPPER]).get_column("rule"))
    assert ("unexplained_swing" not in rules) is explained


def test_panel_membership_includes_its_first_and_last_month() -> None:
    """A, B, C (365,000) answer 20,000; D is surveyed until June, E from June, both answer
    10,000; F left in May and answers 99,000 (ignored: not in the panel). The frame
    (6 × 365,000) is covered by A..E: w = 6/5, total (60,000 + 20,000) × 1.2 = 96,000."""
    p = Panel()
    for pid in ("A", "B", "C"):
        p.producer(pid, 365_000).ret(pid, JUN, 20_000)
    p.producer("D", 365_000, panel_to=JUN).ret("D", JUN, 10_000)
    p.producer("E", 365_000, panel_from=JUN).ret("E", JUN, 10_000)
    p.producer("F", 365_000, panel_to=MAY).ret("F", JUN, 99_000)
    f = cycle(p).figures
    assert fig(f, "level") == exactly(96_000)
    assert fig(f, "level", measure="response_rate") == exactly(100.0)
    assert fig(f, "level", measure="coverage") == exactly(500 / 6)


# --- capacity in force ------------------------------------------------------------------------


def test_capacity_at_month_end_and_the_months_day_weighted_potential() -> None:
    """Alumina, capacity basis, everyone answers. A (400,000) expands to 800,000 from July 1:
    June's existing capacity is still 400,000. B (400,000) closes on June 16 (0): it had 15
    days of capacity, none at month end. C 400,000 throughout.
    Existing capacity at end of June: 400,000 + 0 + 400,000 = 800,000.
    Operating capacity: A 300,000 + B 0 + C 200,000 = 500,000 -> rate 62.5 %."""
    p = Panel(product="alumina")
    for pid in ("A", "B", "C"):
        p.producer(pid, 400_000, feedstock=None)
    p.capacity_change("A", date(2025, 7, 1), 800_000, "expansion")
    p.capacity_change("B", date(2025, 6, 16), 0.0, "closure")
    p.ret("A", JUN, 25_000, operating_capacity=300_000)
    p.ret("B", JUN, 8_000, operating_capacity=0.0, status="cut")
    p.ret("C", JUN, 16_000, operating_capacity=200_000)
    f = cycle(p, ALUMINA).figures
    assert fig(f, "level", measure="capacity") == exactly(800_000)
    assert fig(f, "level", measure="operating_capacity") == exactly(500_000)
    assert fig(f, "level", measure="operating_rate") == exactly(62.5)
    # The sample's own capacity: every panel producer's capacity at month end.
    assert fig(f, "level", measure="capacity", breakdown="basis=sample") == exactly(800_000)


def test_size_classes_start_at_their_minimum() -> None:
    """The catalog's copper classes (large from 400,000, medium from 100,000): a producer
    exactly at a minimum is in that class, one tonne below is not."""
    large, medium = (s.min_capacity for s in CAT_COPPER.size_classes[:2])
    p = Panel()
    for pid, cap, out in (("A", large, 1_000), ("B", large - 1, 2_000), ("C", medium, 4_000),
                          ("D", medium - 1, 8_000)):  # fmt: skip
        p.producer(pid, cap).ret(pid, MAY, out).ret(pid, JUN, out)
    f = cycle(p, CAT_COPPER).figures
    names = [s.name for s in CAT_COPPER.size_classes]
    assert fig(f, "level", breakdown=f"size_class={names[0]}") == exactly(1_000)
    assert fig(f, "level", breakdown=f"size_class={names[1]}") == exactly(6_000)
    assert fig(f, "level", breakdown=f"size_class={names[2]}") == exactly(8_000)


# --- expansion --------------------------------------------------------------------------------


def test_an_uncovered_stratum_is_expanded_at_the_covered_ratio() -> None:
    """Large: L1, L2 (365,000 each) surveyed, answer 24,000 and 27,000. Small: S1 (73,000) and
    S2 (146,000), neither surveyed. w = C_large/c_large + C_uncovered/c_covered
    = 730,000/730,000 + 219,000/730,000 = 1.3 -> total 51,000 × 1.3 = 66,300."""
    p = Panel()
    p.producer("L1", 365_000).producer("L2", 365_000)
    p.producer("S1", 73_000, in_panel=False).producer("S2", 146_000, in_panel=False)
    p.ret("L1", JUN, 24_000).ret("L2", JUN, 27_000)
    r = cycle(p)
    assert fig(r.figures, "level") == exactly(66_300)
    assert fig(r.figures, "level", breakdown="size_class=large") == exactly(66_300)
    assert fig(r.figures, "level", measure="capacity") == exactly(949_000)
    assert fig(r.figures, "level", measure="coverage") == exactly(730_000 / 949_000 * 100)
    june = r.sample.filter(pl.col("period") == JUN).sort("producer_id")
    assert june.get_column("w").to_list() == [exactly(1.3), exactly(1.3)]


def test_output_basis_operating_rate_is_on_sample_sums_not_expanded_ones() -> None:
    """Large: L1 (365,000, surveyed) 20,000 of potential 30,000; L3 (730,000) not surveyed,
    so w_large = 3. Small: S1 (73,000) 3,000 of 6,000, w = 1. The rate is the sample's
    23,000 / 36,000 = 63.89 % (expanded sums would give 63,000 / 96,000 = 65.6 %)."""
    p = Panel()
    p.producer("L1", 365_000).producer("L3", 730_000, in_panel=False).producer("S1", 73_000)
    p.ret("L1", JUN, 20_000).ret("S1", JUN, 3_000)
    f = cycle(p).figures
    assert fig(f, "level") == exactly(63_000)
    assert fig(f, "level", measure="operating_rate") == exactly(23_000 / 36_000 * 100)
    assert fig(f, "level", measure="operating_rate", breakdown="size_class=large") == exactly(20_000 / 30_000 * 100)
    assert fig(f, "level", measure="operating_rate", breakdown="size_class=small") == exactly(50.0)


def test_breakdown_composition_is_weighted_and_based_on_those_who_report_it() -> None:
    """Precursor. Large: P1 (365,000, surveyed) and P3 (365,000, not): w = 2. Small: P2 and P4
    (73,000 each, surveyed): w = 1. June: P1 1,000 = 200 5-series + 800 6-series; P2 3,000,
    all 5-series; P4 1,000 without a breakdown.
    Total 2 × 1,000 + 3,000 + 1,000 = 6,000. Base (who reported the series):
    2 × 1,000 + 3,000 = 5,000. 5-series: 6,000 × (2 × 200 + 3,000) / 5,000 = 4,080;
    6-series: 6,000 × 2 × 800 / 5,000 = 1,920. By size: 5-series small 6,000 × 3,000 / 5,000
    = 3,600, large 6,000 × 400 / 5,000 = 480."""
    p = Panel(product="ternary_precursor")
    p.producer("P1", 365_000, feedstock=None).producer("P3", 365_000, feedstock=None,
                                                       in_panel=False)  # fmt: skip
    p.producer("P2", 73_000, feedstock=None).producer("P4", 73_000, feedstock=None)
    p.ret("P1", JUN, 1_000, parts={"series": {"5-series": 200, "6-series": 800}})
    p.ret("P2", JUN, 3_000, parts={"series": {"5-series": 3_000}})
    p.ret("P4", JUN, 1_000)
    f = cycle(p, PRECURSOR).figures
    assert fig(f, "level") == exactly(6_000)
    assert fig(f, "level", breakdown="series=5-series") == exactly(4_080)
    assert fig(f, "level", breakdown="series=6-series") == exactly(1_920)
    assert fig(f, "level", measure="share", breakdown="series=5-series") == exactly(68.0)
    assert fig(f, "level", breakdown="series=5-series;size_class=small") == exactly(3_600)
    assert fig(f, "level", breakdown="series=5-series;size_class=large") == exactly(480)


def test_operating_capacity_is_weighted_and_a_known_halt_runs_nothing() -> None:
    """Alumina. Large: A (4,000,000, surveyed) runs 3,000,000; B (4,000,000) not surveyed:
    w = 2. Small (200,000 each, all surveyed, w = 1): C runs 100,000 and makes 10,000;
    D is silent and stopped all June by an event (0); E is silent, so it runs its
    capacity × the stratum respondents' running share 100,000 / 200,000: 100,000.
    Operating capacity 2 × 3,000,000 + 100,000 + 0 + 100,000 = 6,200,000; existing
    8,000,000 + 600,000 = 8,600,000."""
    p = Panel(product="alumina")
    p.producer("A", 4_000_000, feedstock=None).producer("B", 4_000_000, feedstock=None,
                                                        in_panel=False)  # fmt: skip
    for pid in ("C", "D", "E"):
        p.producer(pid, 200_000, feedstock=None)
    p.ret("A", JUN, 250_000, operating_capacity=3_000_000)
    p.ret("C", JUN, 10_000, operating_capacity=100_000)
    p.event("D", date(2025, 5, 1), None, 200_000)
    r = cycle(p, ALUMINA)
    assert imputed(r, "D") == ("halted", 0.0)
    f = r.figures
    assert fig(f, "level", measure="operating_capacity") == exactly(6_200_000)
    assert fig(f, "level", measure="capacity") == exactly(8_600_000)
    assert fig(f, "level", measure="operating_rate") == exactly(6_200_000 / 8_600_000 * 100)
    assert fig(f, "level", measure="operating_capacity", breakdown="size_class=small") == exactly(200_000)
    assert fig(f, "count", measure="producer_count", breakdown="status=halted") == 1.0


# --- reduced / raised -------------------------------------------------------------------------


def test_significant_moves_are_those_beyond_the_products_threshold_in_daily_output() -> None:
    """May 31,000 t over 31 days is 1,000 t a day for each. June, over 30 days: A 25,500
    (850 a day, -15 %), B 28,500 (-5 %), C 33,300 (1,110 a day, +11 %), D 30,000 (unchanged),
    E 27,000 (900 a day, exactly -10 %: not *more* than copper's 10 %). Reduced: A, B, E (3);
    significantly: A (1); increased: C (1), significantly: C (1); shares of the five: 20 %."""
    p = Panel()
    for pid, june in (("A", 25_500), ("B", 28_500), ("C", 33_300), ("D", 30_000), ("E", 27_000)):
        p.producer(pid, 365_000).ret(pid, MAY, 31_000).ret(pid, JUN, float(june))
    f = cycle(p).figures
    assert COPPER.thresholds.significant_change_pct == 10.0
    expected = {"reduced": 3.0, "reduced_significantly": 1.0, "increased": 1.0, "increased_significantly": 1.0}
    for change, n in expected.items():
        assert fig(f, "count", measure="producer_count", breakdown=f"change={change}") == n, change
    assert fig(f, "level", measure="producer_share", breakdown="change=reduced_significantly") == exactly(20.0)
    assert fig(f, "level", measure="producer_share", breakdown="change=increased_significantly") == exactly(20.0)


def test_the_significance_threshold_is_the_products_own() -> None:
    """The same five producers with a threshold of 4 %: B's -5 % is significant too (2)."""
    p = Panel()
    for pid, june in (("A", 25_500), ("B", 28_500), ("C", 33_300), ("D", 30_000), ("E", 27_000)):
        p.producer(pid, 365_000).ret(pid, MAY, 31_000).ret(pid, JUN, float(june))
    strict = COPPER.model_copy(
        update={"thresholds": COPPER.thresholds.model_copy(update={"significant_change_pct": 4.0})}
    )
    f = cycle(p, strict).figures
    assert fig(f, "count", measure="producer_count", breakdown="change=reduced_significantly") == 3.0
    assert fig(f, "count", measure="producer_count", breakdown="change=increased_significantly") == 1.0


def test_a_small_real_change_in_daily_output_counts_as_reduced_or_raised() -> None:
    """May 31,000 over 31 days and June 30,000 over 30 days are 1,000 a day: unchanged (C).
    A makes a millionth less a day, B a millionth more: far beyond float noise."""
    p = Panel()
    for pid, june in (("A", 30_000 * (1 - 1e-6)), ("B", 30_000 * (1 + 1e-6)), ("C", 30_000.0)):
        p.producer(pid, 365_000).ret(pid, MAY, 31_000).ret(pid, JUN, june)
    f = cycle(p).figures
    assert fig(f, "count", measure="producer_count", breakdown="change=reduced") == 1.0
    assert fig(f, "count", measure="producer_count", breakdown="change=increased") == 1.0
    assert fig(f, "level", measure="producer_share", breakdown="change=reduced") == exactly(100 / 3)


def test_one_respondent_is_enough_for_a_stratum_rate() -> None:
    """Large: L1 answers 15,000 of its 30,000 potential (50 %); L2 (365,000) is new and silent:
    the stratum's one respondent gives 15,000. The small stratum (S1, 100 %) would make the
    product's rate (15,000 + 6,000) / 36,000 = 58.3 % instead."""
    p = Panel()
    p.producer("L1", 365_000, panel_from=JUN).producer("L2", 365_000, panel_from=JUN)
    p.producer("S1", 73_000, panel_from=JUN)
    p.ret("L1", JUN, 15_000).ret("S1", JUN, 6_000)
    assert imputed(cycle(p), "L2") == ("stratum_rate", exactly(15_000))


def test_metal_content_of_an_imputed_value() -> None:
    """A metal-content product without a metal factor: metal is the value itself. NPI (factor
    0.1): a silent producer with no grade of its own is imputed at the factor."""
    metal = COPPER.model_copy(update={"content": "metal"})
    p = Panel()
    p.producer("L1", 365_000, panel_from=JUN).producer("L2", 365_000, panel_from=JUN)
    p.ret("L1", JUN, 15_000)
    i = cycle(p, metal).imputations.filter(pl.col("period") == JUN).row(0, named=True)
    assert (i["producer_id"], i["value"], i["value_metal"]) == (
        "L2",
        exactly(15_000),
        exactly(15_000),
    )
    p = Panel(product="npi")
    p.producer("A", 365_000, panel_from=JUN, feedstock=None)
    p.producer("B", 365_000, panel_from=JUN, feedstock=None)
    p.ret("A", JUN, 15_000, output_metal=3_000)  # 20 % grade: B has no grade of its own
    i = cycle(p, NPI).imputations.filter(pl.col("period") == JUN).row(0, named=True)
    assert (i["producer_id"], i["value"], i["value_metal"]) == (
        "B",
        exactly(15_000),
        exactly(1_500),
    )


def test_one_respondent_is_enough_for_the_products_rate() -> None:
    """L1 (large) answers 15,000 of 30,000; S1 (small, 73,000, potential 6,000) is the small
    stratum's only producer and silent: the product's one respondent runs at 50 % -> 3,000."""
    p = Panel()
    p.producer("L1", 365_000, panel_from=JUN).producer("S1", 73_000, panel_from=JUN)
    p.ret("L1", JUN, 15_000)
    assert imputed(cycle(p), "S1") == ("product_rate", exactly(3_000))


def test_the_frame_holds_every_producer_with_any_capacity_on_any_day() -> None:
    """A, B, C (365,000) answer 20,000. D is commissioned on June 30 (one day of June), E has
    a capacity of half a tonne a year; neither is surveyed. Existing capacity at the end of
    June: 3 × 365,000 + 365,000 + 0.5 = 1,460,000.5."""
    p = Panel()
    for pid in ("A", "B", "C"):
        p.producer(pid, 365_000).ret(pid, JUN, 20_000)
    p.producer("D", 365_000, since=date(2025, 6, 30), in_panel=False)
    p.producer("E", 0.5, in_panel=False)
    f = cycle(p).figures
    assert fig(f, "level", measure="capacity") == exactly(1_460_000.5)
    # Frame capacity for the month, day-weighted: 1,095,000 + 365,000 / 30 + 0.5.
    assert fig(f, "level", measure="coverage") == exactly(1_095_000 / (1_095_000 + 365_000 / 30 + 0.5) * 100)


def test_a_product_without_strata_imputes_from_all_its_respondents() -> None:
    """No strata: L1 (large, 15,000 of 30,000) and S1 (small, 6,000 of 6,000) are one group,
    rate 21,000 / 36,000; silent L2's potential 30,000 -> 17,500, a stratum rate."""
    flat = COPPER.model_copy(update={"strata": ()})
    p = Panel()
    for pid, cap in (("L1", 365_000), ("L2", 365_000), ("S1", 73_000)):
        p.producer(pid, cap, panel_from=JUN)
    p.ret("L1", JUN, 15_000).ret("S1", JUN, 6_000)
    assert imputed(cycle(p, flat), "L2") == ("stratum_rate", exactly(17_500))


def test_a_product_led_by_its_metal_content() -> None:
    """NPI with the metal content as headline, everyone surveyed and answering (w = 1):
    A 10,000 t at 1,200 Ni, B 20,000 at 1,000, C 10,000 at 800. Headline 3,000 (metal);
    physical 40,000; by size class the headline's content too: large (A, B) 2,200."""
    led = NPI.model_copy(update={"headline_content": "metal"})
    p = Panel(product="npi")
    for pid, cap, phys, metal in (("A", 365_000, 10_000, 1_200), ("B", 365_000, 20_000, 1_000),
                                  ("C", 100_000, 10_000, 800)):  # fmt: skip
        p.producer(pid, cap, feedstock=None).ret(pid, JUN, phys, output_metal=metal)
    f = cycle(p, led).figures
    assert fig(f, "level") == exactly(3_000)
    assert fig(f, "level", breakdown="content=metal") == exactly(3_000)
    assert fig(f, "level", breakdown="content=physical") == exactly(40_000)
    assert fig(f, "level", breakdown="size_class=large") == exactly(2_200)
    assert fig(f, "level", breakdown="content=physical;size_class=large") == exactly(30_000)


def test_parts_of_a_product_without_return_breakdowns_are_not_published() -> None:
    # Copper has no return-reported breakdown: a stray part (an error for validation) makes
    # no figure.
    p = Panel()
    for pid in ("A", "B", "C"):
        p.producer(pid, 365_000).ret(pid, JUN, 20_000, parts={"grade": {"x": 20_000}})
    r = cycle(p)
    assert not r.figures.filter(pl.col("breakdown").str.contains("grade=")).height
    assert set(r.findings.get_column("rule")) == {"unknown_breakdown"}


def test_a_halted_respondent_reporting_zero_parts_has_no_grade_to_weigh() -> None:
    """NPI by grade, everyone answers (w = 1). A 10,000 t at 12 % (high), B 20,000 at 5 %
    (low), C halted: 0 t, 0 Ni, its high-grade part 0. Metal: high 10,000 × 12 % = 1,200,
    low 20,000 × 5 % = 1,000, total 2,200; C adds nothing and has no grade (0 / 0)."""
    p = Panel(product="npi")
    for pid in ("A", "B", "C"):
        p.producer(pid, 365_000, feedstock=None)
    p.ret("A", JUN, 10_000, output_metal=1_200, parts={"grade": {"high-grade": 10_000}})
    p.ret("B", JUN, 20_000, output_metal=1_000, parts={"grade": {"low-grade": 20_000}})
    p.ret("C", JUN, 0.0, output_metal=0.0, status="halted", parts={"grade": {"high-grade": 0.0}})
    f = cycle(p, NPI_GRADES).figures
    assert fig(f, "level", breakdown="content=metal") == exactly(2_200)
    assert fig(f, "level", breakdown="content=metal;grade=high-grade") == exactly(1_200)
    assert fig(f, "level", breakdown="content=metal;grade=low-grade") == exactly(1_000)
    assert fig(f, "level", breakdown="grade=high-grade") == exactly(10_000)


def test_two_products_in_one_run_keep_their_own_breakdowns() -> None:
    """Copper publishes its rate and its counts by feedstock route; the precursor (whose
    producers carry a feedstock attribute too) does not. Each product: three producers
    answering 15,000 of 30,000 in June (rate 50 %), down from 31,000 in May."""
    p = Panel()
    for product, prefix in (("copper_cathode", "C"), ("ternary_precursor", "T")):
        for i in range(3):
            p.producer(f"{prefix}{i}", 365_000, product=product)
            p.ret(f"{prefix}{i}", MAY, 31_000).ret(f"{prefix}{i}", JUN, 15_000)  # all reduced
    f = run_cycle("2025-06", p.inputs(), [COPPER, PRECURSOR], with_benchmarks=False).figures
    for product in ("copper_cathode", "ternary_precursor"):
        assert fig(f, "level", measure="operating_rate", product=product) == exactly(50.0)
    feed = f.filter(pl.col("breakdown").str.contains("feedstock="))
    assert set(feed.get_column("product")) == {"copper_cathode"}
    assert fig(f, "level", measure="operating_rate", breakdown="feedstock=copper concentrate",
               product="copper_cathode") == exactly(50.0)  # fmt: skip
    counts = feed.filter(pl.col("breakdown") == "change=reduced;feedstock=copper concentrate")
    june = counts.filter((pl.col("statistic") == "count") & (pl.col("period") == "2025-06")
                         & (pl.col("kind") == "actual"))  # fmt: skip
    assert june.get_column("value").to_list() == [3.0]


def test_a_change_carries_the_flags_of_both_its_months() -> None:
    """L1, L2, L3 answer June; in May L3 was silent and imputed (E). June's level is only
    provisional (P); its MoM change stands on May too, so it is P and E."""
    p = Panel()
    for pid in ("L1", "L2", "L3"):
        p.producer(pid, 365_000)
        p.steady(pid, date(2024, 1, 1), APR, 20_000, schedule_next=False)
        p.ret(pid, JUN, 21_000)
    p.ret("L1", MAY, 20_000).ret("L2", MAY, 20_000)  # L3 imputed at 20,000 × 1.0
    f = cycle(p).figures
    assert row(f, "level")["flags"] == "P"
    mom = row(f, "mom_pct")
    assert (mom["flags"], mom["status"]) == ("P,E", "P")
    assert mom["value"] == exactly(5.0)  # 63,000 against 60,000


def test_older_months_of_the_window_keep_the_headline_and_the_overall_rate_only() -> None:
    """A, B, C (365,000) make 10,000 every month since January 2024. April 2025 (30 days):
    headline 30,000, MoM and YoY 0 %, rate 30,000 / (3 × 30,000) = 33.3 %; its size-class
    level and its MoM in tonnes are not kept (only t and t − 1 keep everything)."""
    p = Panel()
    for pid in ("A", "B", "C"):
        p.producer(pid, 365_000).steady(pid, date(2024, 1, 1), JUN, 10_000)
    f = cycle(p).figures
    april = "2025-04"
    assert fig(f, "level", period=april) == exactly(30_000)
    assert fig(f, "mom_pct", period=april) == exactly(0.0)
    assert fig(f, "yoy_pct", period=april) == exactly(0.0)
    assert fig(f, "level", measure="operating_rate", period=april) == exactly(100 / 3)
    old = f.filter(pl.col("period") == april)
    assert old.filter(pl.col("breakdown") == "size_class=large").is_empty()
    assert old.filter(pl.col("statistic") == "mom_abs").is_empty()


def test_each_product_keeps_its_own_unit() -> None:
    # Precursor counted in kt and listed first, copper in mt: each figure in its product's unit.
    kt = PRECURSOR.model_copy(update={"unit": "kt"})
    p = Panel()
    for product, prefix in (("copper_cathode", "C"), ("ternary_precursor", "T")):
        for i in range(3):
            p.producer(f"{prefix}{i}", 365_000, product=product).ret(f"{prefix}{i}", JUN, 15_000)
    f = run_cycle("2025-06", p.inputs(), [kt, COPPER], with_benchmarks=False).figures
    level = f.filter((pl.col("measure") == "production") & (pl.col("breakdown") == "")
                     & (pl.col("statistic") == "level") & (pl.col("period") == "2025-06"))  # fmt: skip
    assert dict(level.select("product", "unit").iter_rows()) == {"ternary_precursor": "kt",
                                                                 "copper_cathode": "mt"}  # fmt: skip
    capacity = f.filter((pl.col("measure") == "capacity") & (pl.col("breakdown") == "")
                        & (pl.col("statistic") == "level") & (pl.col("period") == "2025-06"))  # fmt: skip
    assert set(capacity.get_column("unit")) == {"kt/year", "mt/year"}
