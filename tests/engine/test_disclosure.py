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


def _suppress(cells: dict[str, tuple[bool, float]]) -> dict[str, str]:
    from metalstat.engine.cycle import _secondary_suppression

    frame = pl.DataFrame(
        {
            "product": ["p"] * len(cells),
            "period": ["2025-06"] * len(cells),
            "breakdown": list(cells),
            "primary": [c[0] for c in cells.values()],
            "size": [c[1] for c in cells.values()],
        }
    )
    out = _secondary_suppression(frame)
    return dict(zip(out["breakdown"].to_list(), out["conf"].to_list(), strict=True))


def test_a_crossed_copy_of_a_confidential_cell_does_not_shield_it() -> None:
    """Series A (3,000 t of a 25,000 t total) is confidential, and so are both its size-class
    cells. Grouped by the first dimension alone, "series" held three C cells and nothing else
    was withheld, so A = 25,000 - 9,000 - 13,000. Table by table: the series table has one C,
    so B (9,000, smaller than C's 13,000) is withheld; in the crossed table, the line of
    small producers has one C (A;small), so B;small (4,000 < 6,000) goes too, and likewise
    B;large (5,000 < 7,000). A's own line (small, large) holds two C cells: safe."""
    got = _suppress(
        {
            "series=A": (True, 3_000.0),
            "series=B": (False, 9_000.0),
            "series=C": (False, 13_000.0),
            "series=A;size_class=small": (True, 1_000.0),
            "series=A;size_class=large": (True, 2_000.0),
            "series=B;size_class=small": (False, 4_000.0),
            "series=B;size_class=large": (False, 5_000.0),
            "series=C;size_class=small": (False, 6_000.0),
            "series=C;size_class=large": (False, 7_000.0),
        }
    )
    assert got == {
        "series=A": "C",
        "series=B": "D",
        "series=C": "F",
        "series=A;size_class=small": "C",
        "series=A;size_class=large": "C",
        "series=B;size_class=small": "D",
        "series=B;size_class=large": "D",
        "series=C;size_class=small": "F",
        "series=C;size_class=large": "F",
    }


def test_secondary_suppression_repeats_until_every_line_is_safe() -> None:
    """A 3 x 3 table (a = 1..3, b = x, y, z) with one C cell, (1, x). Its row takes (1, y)
    (10 < 20) and its column (2, x) (10 < 20). Then column y holds only (1, y) withheld and
    row 2 only (2, x): both take (2, y), the smallest of each (5 < 30, 5 < 40), and every
    line then holds two withheld cells or none."""
    sizes = {
        ("1", "x"): 7.0, ("1", "y"): 10.0, ("1", "z"): 20.0,
        ("2", "x"): 10.0, ("2", "y"): 5.0, ("2", "z"): 40.0,
        ("3", "x"): 20.0, ("3", "y"): 30.0, ("3", "z"): 50.0,
    }  # fmt: skip
    got = _suppress({f"a={a};b={b}": ((a, b) == ("1", "x"), v) for (a, b), v in sizes.items()})
    withheld = {k: v for k, v in got.items() if v != "F"}
    assert withheld == {"a=1;b=x": "C", "a=1;b=y": "D", "a=2;b=x": "D", "a=2;b=y": "D"}
