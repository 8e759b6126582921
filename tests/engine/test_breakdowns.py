"""Breakdowns crossed with content and producer domains, counts by domain and change, and
the forecast's planned changes: hand-computed on a three-producer NPI panel.

A (east, 365,000/yr): June 10,000 t at 12% Ni, all high-grade; May 9,000.
B (north, 365,000/yr): June 20,000 t at 5% Ni, all low-grade; May 25,000.
C (north, 100,000/yr): June 10,000 t at 8% Ni, half and half; May 10,000.
Everyone is surveyed and answers, so every weight is 1 and estimates are plain sums.
"""

from __future__ import annotations

import pytest

from metalstat.engine.cycle import run_cycle
from tests.engine.builders import JUN, MAY, Panel, fig
from tests.engine.products import NPI_GRADES


@pytest.fixture(scope="module")
def figures():  # type: ignore[no-untyped-def]
    p = Panel(product="npi")
    p.producer("A", 365_000, region="east China", feedstock=None)
    p.producer("B", 365_000, region="north China", feedstock=None)
    p.producer("C", 100_000, region="north China", feedstock=None)
    p.ret("A", MAY, 9_000, output_metal=1_080, parts={"grade": {"high-grade": 9_000}})
    p.ret("B", MAY, 25_000, output_metal=1_250, parts={"grade": {"low-grade": 25_000}})
    p.ret("C", MAY, 10_000, output_metal=800, parts={"grade": {"high-grade": 5_000, "low-grade": 5_000}})
    p.ret(
        "A",
        JUN,
        10_000,
        output_metal=1_200,
        schedule=9_000,
        status="increased",
        parts={"grade": {"high-grade": 10_000}},
    )
    p.ret("B", JUN, 20_000, output_metal=1_000, schedule=20_000, status="cut", parts={"grade": {"low-grade": 20_000}})
    p.ret(
        "C", JUN, 10_000, output_metal=800, schedule=12_000, parts={"grade": {"high-grade": 5_000, "low-grade": 5_000}}
    )
    return run_cycle("2025-06", p.inputs(), [NPI_GRADES], with_benchmarks=False).figures


def test_content_and_region(figures) -> None:  # type: ignore[no-untyped-def]
    assert fig(figures, "level") == pytest.approx(40_000)  # headline: physical
    assert fig(figures, "level", breakdown="content=metal") == pytest.approx(3_000)
    assert fig(figures, "level", breakdown="region=north China") == pytest.approx(30_000)
    assert fig(figures, "level", breakdown="content=metal;region=north China") == pytest.approx(1_800)
    assert fig(figures, "level", breakdown="content=physical;region=east China") == pytest.approx(10_000)


def test_parts_in_metal_take_each_producers_grade(figures) -> None:  # type: ignore[no-untyped-def]
    assert fig(figures, "level", breakdown="grade=high-grade") == pytest.approx(15_000)
    assert fig(figures, "level", breakdown="grade=low-grade") == pytest.approx(25_000)
    # high: 10,000 × 12% + 5,000 × 8% = 1,600; low: 20,000 × 5% + 5,000 × 8% = 1,400.
    assert fig(figures, "level", breakdown="content=metal;grade=high-grade") == pytest.approx(1_600)
    assert fig(figures, "level", breakdown="content=metal;grade=low-grade") == pytest.approx(1_400)
    # May metal: high 9,000 × 12% + 5,000 × 8% = 1,480 -> June +8.108%.
    assert fig(figures, "mom_pct", breakdown="content=metal;grade=high-grade") == pytest.approx(
        (1_600 / 1_480 - 1) * 100
    )


def test_parts_by_producer_domain_add_up_to_the_part(figures) -> None:  # type: ignore[no-untyped-def]
    north = fig(figures, "level", breakdown="grade=high-grade;region=north China")
    east = fig(figures, "level", breakdown="grade=high-grade;region=east China")
    assert (north, east) == (pytest.approx(5_000), pytest.approx(10_000))
    assert fig(figures, "level", breakdown="grade=high-grade;size_class=small") == pytest.approx(5_000)
    assert fig(figures, "level", breakdown="content=metal;grade=low-grade;region=north China") == pytest.approx(1_400)


def test_counts_by_change_status_and_domain(figures) -> None:  # type: ignore[no-untyped-def]
    # Daily output June vs May: A 333 > 290 (up), B 667 < 806 (down), C 333 > 323 (up).
    kw = {"measure": "producer_count"}
    assert fig(figures, "count", breakdown="change=reduced", **kw) == 1
    assert fig(figures, "count", breakdown="change=increased", **kw) == 2
    assert fig(figures, "count", breakdown="change=increased;region=north China", **kw) == 1
    assert fig(figures, "count", breakdown="region=north China;status=cut", **kw) == 1
    assert fig(figures, "level", measure="producer_share", breakdown="change=increased") == pytest.approx(200 / 3)


def test_capacity_by_size_class(figures) -> None:  # type: ignore[no-untyped-def]
    assert fig(figures, "level", measure="capacity", breakdown="size_class=large") == pytest.approx(730_000)
    assert fig(figures, "level", measure="capacity", breakdown="size_class=small") == pytest.approx(100_000)


def test_forecast_planned_changes(figures) -> None:  # type: ignore[no-untyped-def]
    # July (31 days) schedules vs June (30): A 290 < 333, B 645 < 667, C 387 > 333.
    kw = {"period": "2025-07", "kind": "forecast"}
    assert fig(figures, "count", measure="producer_count", breakdown="change=reduced", **kw) == 2
    assert fig(figures, "level", measure="producer_share", breakdown="change=reduced", **kw) == pytest.approx(200 / 3)
    # July by region: north 20,000 + 12,000.
    assert fig(figures, "level", breakdown="region=north China", **kw) == pytest.approx(32_000)
