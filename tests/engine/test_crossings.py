"""Output change of the producers that cut (raised) output, crossed with a producer domain.

Every producer below has 36,500 t a year and made 3,100 t in May (31 days: 100 t a day)."""

from __future__ import annotations

import polars as pl
import pytest

from metalstat.catalog.model import Dimension, Label, Product
from metalstat.engine.cycle import CycleResult, run_cycle
from tests.engine.builders import JUN, MAY, Panel, fig
from tests.engine.products import COPPER

PROVINCES = ("Shaanxi", "Xinjiang")
MAGNESIUM = Product.model_validate(
    COPPER.model_dump()
    | {
        "code": "magnesium_ingot",
        "dimensions": (
            Dimension(
                name="province",
                label="Province",
                label_zh="省份",
                source="producer",
                values=tuple(Label(name=p, name_zh=p) for p in PROVINCES),
            ),
        ),
        "change_crossings": ("province",),
    }
)
SHAANXI_CUT = "change=reduced;province=Shaanxi"
XINJIANG_UP = "change=increased;province=Xinjiang"
XINJIANG_CUT = "change=reduced;province=Xinjiang"


def exactly(x: float) -> object:
    return pytest.approx(x, rel=1e-12, abs=1e-9)


def run(june: dict[str, tuple[str, float]]) -> CycleResult:
    p = Panel(product="magnesium_ingot")
    for pid, (province, output) in june.items():
        p.producer(pid, 36_500, province=province, feedstock=None)
        p.ret(pid, MAY, 3_100).ret(pid, JUN, output)
    return run_cycle("2025-06", p.inputs(), [MAGNESIUM], with_benchmarks=False)


def conf(r: CycleResult, breakdown: str) -> str:
    f = r.figures.filter(
        (pl.col("breakdown") == breakdown) & (pl.col("statistic") == "mom_abs") & (pl.col("measure") == "production")
    )
    assert f.height == 1
    return str(f.item(0, "conf_status"))


BASE = {
    # Shaanxi: 80, 90 and about 66.7 t a day in June (30 days): all three cut.
    "S1": ("Shaanxi", 2_400.0),
    "S2": ("Shaanxi", 2_700.0),
    "S3": ("Shaanxi", 2_000.0),
    # Xinjiang: 120, 110 and 105 t a day: all three raised output.
    "X1": ("Xinjiang", 3_600.0),
    "X2": ("Xinjiang", 3_300.0),
    "X3": ("Xinjiang", 3_150.0),
}


def test_the_output_lost_by_the_plants_that_cut_in_a_province() -> None:
    """Shaanxi's three cut from 3 × 3,100 = 9,300 t to 2,400 + 2,700 + 2,000 = 7,100 t: -2,200 t,
    7,100 / 9,300 - 1 = -23.656 %. Xinjiang's three raised 9,300 t to 10,050 t: +750 t, +8.065 %.
    Largest shares of each change: 1,100 / 2,200 = 50 % and 500 / 750 = 67 %: published (F)."""
    r = run(BASE)
    f = r.figures
    assert fig(f, "mom_abs", breakdown=SHAANXI_CUT) == exactly(-2_200.0)
    assert fig(f, "mom_pct", breakdown=SHAANXI_CUT) == exactly((7_100 / 9_300 - 1) * 100)
    assert fig(f, "mom_abs", breakdown=XINJIANG_UP) == exactly(750.0)
    assert fig(f, "mom_pct", breakdown=XINJIANG_UP) == exactly((10_050 / 9_300 - 1) * 100)
    assert (conf(r, SHAANXI_CUT), conf(r, XINJIANG_UP)) == ("F", "F")
    assert fig(f, "count", measure="producer_count", breakdown=SHAANXI_CUT) == 3.0
    # Nobody in Xinjiang cut and nobody in Shaanxi raised in June: no such cells.
    june = f.filter((pl.col("kind") == "actual") & (pl.col("period") == "2025-06"))
    assert june.filter(pl.col("breakdown").is_in([XINJIANG_CUT, "change=increased;province=Shaanxi"])).height == 0


def test_a_crossed_cell_of_one_plant_is_confidential_and_its_smallest_neighbour_too() -> None:
    """X4 in Xinjiang cuts to 1,500 t: a cell of one producer (C). On the line of the cuts
    (by province) it is the only withheld cell, so the smallest other cut, Shaanxi's 7,100 t,
    is suppressed too (D). On Xinjiang's line (cut, rise) it is again alone, and Xinjiang's
    change is its cut plus its rise (the unchanged plants add nothing), so its rise
    (10,050 t) is suppressed as well (D): with it published, the cut would be Xinjiang's
    change less the rise."""
    r = run(BASE | {"X4": ("Xinjiang", 1_500.0)})
    assert conf(r, XINJIANG_CUT) == "C"
    assert conf(r, SHAANXI_CUT) == "D"
    assert conf(r, XINJIANG_UP) == "D"
    # How many producers cut is not confidential: only their output is.
    counts = r.figures.filter((pl.col("measure") == "producer_count") & (pl.col("breakdown") == XINJIANG_CUT))
    assert counts.filter(pl.col("period") == "2025-06")["conf_status"].to_list() == ["F"]
    assert fig(r.figures, "count", measure="producer_count", breakdown=XINJIANG_CUT) == 1.0


def test_one_plant_making_nearly_all_of_a_cells_change_is_confidential() -> None:
    """Shaanxi: S1 cuts to 300 t (-2,800 t), S2 and S3 by 10 t each (-2,820 t in all):
    2,800 / 2,820 = 99.3 % of the change is one producer's, above 85 %."""
    r = run(BASE | {"S1": ("Shaanxi", 300.0), "S2": ("Shaanxi", 3_090.0), "S3": ("Shaanxi", 3_090.0)})
    assert conf(r, SHAANXI_CUT) == "C"


def test_a_product_that_does_not_ask_has_no_crossed_output() -> None:
    p = Panel()
    for pid, (_, output) in BASE.items():
        p.producer(pid, 36_500).ret(pid, MAY, 3_100).ret(pid, JUN, output)
    f = run_cycle("2025-06", p.inputs(), [COPPER], with_benchmarks=False).figures
    assert f.filter((pl.col("measure") == "production") & pl.col("breakdown").str.starts_with("change=")).height == 0


def test_the_catalog_refuses_a_crossing_with_a_domain_the_product_lacks() -> None:
    with pytest.raises(ValueError, match="not a producer dimension"):
        Product.model_validate(COPPER.model_dump() | {"change_crossings": ("province",)})
