"""The second month ahead (kind forecast2): the forecast of t+2 from the schedules given that far, its own
basis and coverage, and its withholding. Hand-computed on a four-producer copper panel.

All four are small (one stratum), surveyed, and answer in May and June 2025.
June: A (200,000 t/yr) 15,000 t, B, C, D (100,000 t/yr each) 8,000 t each: 39,000.
July schedules: A 16,000, B, C, D 8,000 each: 40,000 (all scheduled, every weight 1).
August schedules: A 16,500, B 8,200, C 8,300; D gives none. The givers hold 400,000 of the
frame's 500,000 t/yr (coverage 80%), so each weighs 500,000 / 400,000 = 1.25 and August is
1.25 × 33,000 = 41,250 t: +1,250 t, +3.125% on July's 40,000 (both months of 31 days).
"""

from __future__ import annotations

import pytest

from metalstat.catalog.model import Thresholds
from metalstat.engine.cycle import run_cycle
from metalstat.engine.forecast import MIN_OUTLOOK_PRODUCERS
from tests.engine.builders import JUN, MAY, Panel, fig
from tests.engine.products import COPPER

AUG = {"period": "2025-08", "kind": "forecast2"}


def _figures(after_next: dict[str, float], min_coverage: float = 0.5):  # type: ignore[no-untyped-def]
    p = Panel()
    for pid, cap, june, july in (("A", 200_000, 15_000, 16_000), *((x, 100_000, 8_000, 8_000) for x in "BCD")):
        p.producer(pid, cap)
        p.ret(pid, MAY, june, schedule=june)
        p.ret(pid, JUN, june, schedule=july, schedule_after_next=after_next.get(pid))
    product = COPPER.model_copy(
        update={"thresholds": Thresholds(min_coverage=min_coverage, min_response=0.0, imputed_share_max=1.0)}
    )
    return run_cycle("2025-06", p.inputs(), [product], with_benchmarks=False).figures


def _row(figures, measure: str, statistic: str):  # type: ignore[no-untyped-def]
    rows = figures.filter(
        (figures["period"] == "2025-08")
        & (figures["kind"] == "forecast2")
        & (figures["measure"] == measure)
        & (figures["breakdown"] == "")
        & (figures["statistic"] == statistic)
    )
    assert rows.height == 1
    return rows.row(0, named=True)


GIVEN = {"A": 16_500, "B": 8_200, "C": 8_300}


def test_the_outlook_is_expanded_from_its_own_givers() -> None:
    f = _figures(GIVEN)
    assert fig(f, "level", **AUG) == pytest.approx(41_250)
    assert fig(f, "mom_abs", **AUG) == pytest.approx(1_250)
    assert fig(f, "mom_pct", **AUG) == pytest.approx(3.125)
    assert fig(f, "daily_mom_pct", **AUG) == pytest.approx(3.125)
    level = _row(f, "production", "level")
    assert (level["status"], level["flags"], level["n_producers"]) == ("F", "F,E", 3)
    assert level["coverage"] == pytest.approx(0.8)


def test_the_outlook_states_its_basis() -> None:
    f = _figures(GIVEN)
    assert fig(f, "level", measure="coverage", **AUG) == pytest.approx(80.0)
    assert fig(f, "count", measure="producer_count", **AUG) == 3


def test_too_few_producers_withhold_the_outlook() -> None:
    assert MIN_OUTLOOK_PRODUCERS == 3
    # A and B give one: 300,000 of 500,000 (60%) is above the 50% minimum, but two producers
    # are fewer than three.
    f = _figures({"A": 16_500, "B": 8_200})
    level = _row(f, "production", "level")
    assert level["value"] is None and level["status"] == "F" and "U" in level["flags"].split(",")
    assert _row(f, "production", "mom_pct")["value"] is None
    # The basis is published: why it is withheld.
    assert fig(f, "count", measure="producer_count", **AUG) == 2
    assert fig(f, "level", measure="coverage", **AUG) == pytest.approx(60.0)


def test_too_little_coverage_withholds_the_outlook() -> None:
    # Three producers but 80% coverage, below a 90% minimum.
    f = _figures(GIVEN, min_coverage=0.9)
    assert _row(f, "production", "level")["value"] is None
    assert _figures(GIVEN, min_coverage=0.8).filter(
        (f["period"] == "2025-08") & (f["measure"] == "production") & (f["statistic"] == "level")
    )["value"][0] == pytest.approx(41_250)


def test_no_outlook_without_schedules_that_far() -> None:
    f = _figures({})
    assert f.filter(f["period"] == "2025-08").is_empty()
