"""Disclosure control at its limits, read from the engine's own constants: a cell is
confidential (C) with fewer than MIN_CELL_PRODUCERS producers behind it or one producer above
DOMINANCE_SHARE of it; when a dimension has exactly one such cell, its smallest other cell is
suppressed too (D). A producer that made nothing is not behind a cell.

Everyone answers and is surveyed, so every weight is 1 and a cell is its producers' sum.
"""

from __future__ import annotations

import polars as pl
import pytest

from metalstat.catalog.model import Dimension, Label
from metalstat.engine.cycle import DOMINANCE_SHARE, MIN_CELL_PRODUCERS, run_cycle
from tests.engine.builders import JUN, MAY, Panel, row
from tests.engine.products import COPPER

CONC, SCRAP = "copper concentrate", "copper scrap or anode"
REGIONS = ("east China", "north China", "south China")
WITH_REGION = COPPER.model_copy(
    update={
        "dimensions": (
            *COPPER.dimensions,
            Dimension(name="region", label="Region", label_zh="地区", source="producer",
                      values=tuple(Label(name=r, name_zh=r) for r in REGIONS)),
        )
    }
)  # fmt: skip


def conf(outputs: dict[str, list[float]], product=COPPER) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Producers (365,000 each) by feedstock route -> each feedstock cell's CONF_STATUS."""
    p = Panel()
    for feed, outs in outputs.items():
        for i, out in enumerate(outs):
            pid = f"{feed.split()[1]}{i}"
            p.producer(pid, 365_000, feedstock=feed)
            p.ret(pid, MAY, 1_000.0).ret(pid, JUN, out)
    f = run_cycle("2025-06", p.inputs(), [product], with_benchmarks=False).figures
    return {feed: str(row(f, "level", breakdown=f"feedstock={feed}")["conf_status"]) for feed in outputs}


def balanced(n: int, each: float = 500.0) -> list[float]:
    return [each] * n


def test_exactly_the_minimum_number_of_producers_is_free() -> None:
    n = MIN_CELL_PRODUCERS
    assert conf({CONC: balanced(n), SCRAP: balanced(n)}) == {CONC: "F", SCRAP: "F"}
    # One fewer on the scrap route: primary there, and the only other cell secondary.
    assert conf({CONC: balanced(n), SCRAP: balanced(n - 1)}) == {CONC: "D", SCRAP: "C"}


def test_a_producer_that_made_nothing_does_not_count_for_the_minimum() -> None:
    n = MIN_CELL_PRODUCERS
    scrap = [*balanced(n - 1), 0.0]  # n producers, one halted at 0: n - 1 behind the cell
    assert conf({CONC: balanced(n), SCRAP: scrap}) == {CONC: "D", SCRAP: "C"}


def test_dominance_is_strictly_above_the_share() -> None:
    """Scrap route: one producer with DOMINANCE_SHARE of 1,000 t, the rest split among the
    others. Exactly at the share: free; one tonne more: primary."""
    n = MIN_CELL_PRODUCERS
    top = 1_000.0 * DOMINANCE_SHARE
    at = [top, *[(1_000.0 - top) / (n - 1)] * (n - 1)]
    above = [top + 1, *[(1_000.0 - top - 1) / (n - 1)] * (n - 1)]
    assert conf({CONC: balanced(n), SCRAP: at}) == {CONC: "F", SCRAP: "F"}
    assert conf({CONC: balanced(n), SCRAP: above}) == {CONC: "D", SCRAP: "C"}


def test_secondary_suppression_takes_the_smallest_other_cell_and_only_for_one_primary() -> None:
    """Regions: east has one producer (primary); north 3 × 1,000, south 3 × 500: south, the
    smaller, is suppressed with it, north stays free."""
    n = MIN_CELL_PRODUCERS

    def regions(sizes: dict[str, list[float]]) -> dict[str, str]:
        p = Panel()
        for region, outs in sizes.items():
            for i, out in enumerate(outs):
                pid = f"{region[:5]}{i}"
                p.producer(pid, 365_000, region=region)
                p.ret(pid, MAY, 1_000.0).ret(pid, JUN, out)
        f = run_cycle("2025-06", p.inputs(), [WITH_REGION], with_benchmarks=False).figures
        return {r: str(row(f, "level", breakdown=f"region={r}")["conf_status"]) for r in sizes}

    east, north, south = REGIONS
    got = regions({east: [700.0], north: balanced(n, 1_000.0), south: balanced(n, 500.0)})
    assert got == {east: "C", north: "F", south: "D"}
    got = regions({east: [700.0], north: balanced(n, 500.0), south: balanced(n, 1_000.0)})
    assert got == {east: "C", north: "D", south: "F"}
    # Two primary cells protect each other: nothing else is suppressed.
    got = regions({east: [700.0], north: [800.0], south: balanced(n, 1_000.0)})
    assert got == {east: "C", north: "C", south: "F"}


def test_the_total_and_changes_of_a_suppressed_cell() -> None:
    n = MIN_CELL_PRODUCERS
    p = Panel()
    for feed, k in ((CONC, n), (SCRAP, n - 1)):
        for i in range(k):
            pid = f"{feed.split()[1]}{i}"
            p.producer(pid, 365_000, feedstock=feed).ret(pid, MAY, 1_000.0).ret(pid, JUN, 900.0)
    f = run_cycle("2025-06", p.inputs(), [COPPER], with_benchmarks=False).figures
    assert row(f, "level")["conf_status"] == "F"  # the total is never suppressed
    mom = f.filter(
        (pl.col("breakdown") == f"feedstock={SCRAP}") & (pl.col("statistic") == "mom_pct")
        & (pl.col("measure") == "production") & (pl.col("period") == "2025-06")
    )  # fmt: skip
    assert mom.item(0, "conf_status") == "C"
    assert mom.item(0, "value") == pytest.approx(-10.0)
