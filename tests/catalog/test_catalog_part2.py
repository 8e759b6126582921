"""The catalog's products 28-54 (DMC ... LMO): present, in the report's order, and coherent.

Expectations are written out by hand from the report's headings, not read from the catalog.
"""

from __future__ import annotations

import pytest

from metalstat.catalog import Product, load_catalog
from metalstat.catalog.vocabulary import REGIONS_CHINA
from tests.catalog.test_catalog import EXPECTED as ALL_SECTIONS

# (code, the report's heading) of products 28-54, in the report's order.
EXPECTED = ALL_SECTIONS[27:]
CODES = [c for c, _ in EXPECTED]


def _part2() -> tuple[Product, ...]:
    return tuple(p for p in load_catalog() if p.code in CODES)


PART2 = _part2()
BY_CODE = {p.code: p for p in PART2}


def test_codes_and_headings_in_report_order() -> None:
    assert [(p.code, p.name) for p in PART2] == EXPECTED


def test_follows_the_first_part_when_folded_in() -> None:
    codes = load_catalog().codes()
    assert codes.index("dmc") == 27
    assert list(codes[27:]) == CODES


@pytest.mark.parametrize("code", CODES)
def test_every_product_is_complete(code: str) -> None:
    p = BY_CODE[code]
    assert p.scope == "China"
    assert p.unit == "mt" and p.unit_zh == "吨"
    assert p.name_zh and p.notes
    assert p.size_classes[-1].min_capacity == 0
    # Producers must sit in a listed province; the demo needs them.
    assert len(p.provinces) >= 5
    assert len(set(p.provinces)) == len(p.provinces)


@pytest.mark.parametrize(
    ("code", "group"),
    [
        ("dmc", "silicon"),
        ("magnesium_ingot", "minor_metals"),
        ("light_rare_earths", "rare_earths"),
        ("ndfeb", "rare_earths"),
        ("silver", "precious"),
        ("antimony_ingot", "minor_metals"),
        ("lithium_carbonate", "new_energy_materials"),
        ("lmo", "new_energy_materials"),
    ],
)
def test_chain_groups(code: str, group: str) -> None:
    assert BY_CODE[code].group == group


def test_province_dimensions_match_the_province_lists() -> None:
    with_provinces = [p for p in PART2 if any(d.name == "province" for d in p.dimensions)]
    assert [p.code for p in with_provinces] == [
        "magnesium_ingot",
        "light_rare_earths",
        "molybdenum_concentrate",
        "apt",
    ]
    for p in with_provinces:
        assert set(p.dimension("province").value_names()) == set(p.provinces), p.code
    # The provinces the report names for these products.
    assert {"Xinjiang", "Shaanxi"} <= set(BY_CODE["magnesium_ingot"].provinces)
    assert {"Jiangxi", "Shandong", "Gansu"} <= set(BY_CODE["light_rare_earths"].provinces)
    assert "Heilongjiang" in BY_CODE["molybdenum_concentrate"].provinces
    assert "Jiangxi" in BY_CODE["apt"].provinces


def test_silver_regions_are_the_standard_ones() -> None:
    region = BY_CODE["silver"].dimension("region")
    assert region.source == "producer"
    assert region.value_names() == REGIONS_CHINA
    assert BY_CODE["silver"].operating_rate == "none"


@pytest.mark.parametrize(
    ("code", "dim", "kind", "values"),
    [
        ("light_rare_earths", "series", "component", ("Pr-Nd oxide", "Pr-Nd alloy")),
        ("light_rare_earths", "raw_material", "partition", ("raw ore", "scrap recycling")),
        ("medium_heavy_rare_earth", "raw_material", "partition", ("raw ore", "scrap")),
        (
            "lithium_carbonate",
            "raw_material",
            "partition",
            ("spodumene", "lepidolite", "salt lake", "recycling"),
        ),
        ("lithium_hydroxide", "route", "partition", ("smelting", "causticisation")),
        (
            "cobalt_sulphate",
            "raw_material",
            "partition",
            ("cobalt intermediate", "MHP", "recycled"),
        ),
        (
            "ternary_precursor",
            "series",
            "partition",
            ("5-series", "6-series", "8-series", "9-series", "other"),
        ),
        (
            "ternary_cathode",
            "series",
            "partition",
            ("5-series", "6-series", "8-series", "9-series", "other"),
        ),
        ("lfp", "application", "partition", ("power battery", "energy storage", "other")),
        (
            "titanium_sponge",
            "grade",
            "partition",
            ("grade 0", "grade 1", "grade 2", "grade 3 and below"),
        ),
    ],
)
def test_return_dimensions(code: str, dim: str, kind: str, values: tuple[str, ...]) -> None:
    d = BY_CODE[code].dimension(dim)
    assert d.source == "return"
    assert d.kind == kind
    assert d.value_names() == values


def test_recycling_plants_have_their_own_operating_rate() -> None:
    d = BY_CODE["medium_heavy_rare_earth"].dimension("feedstock")
    assert d.source == "producer" and d.operating_rate
    assert "scrap recycling" in d.value_names()


def test_content_basis() -> None:
    cobalt = BY_CODE["cobalt_sulphate"]
    assert (cobalt.content, cobalt.headline_content, cobalt.metal_factor) == (
        "both",
        "metal",
        0.205,
    )
    moly = BY_CODE["molybdenum_concentrate"]
    assert (moly.content, moly.headline_content, moly.metal_factor) == ("both", "physical", 0.45)
    assert BY_CODE["co3o4"].metal_factor == 0.73
    assert BY_CODE["lithium_carbonate"].content == "physical"


def test_near_census_products_are_strict_and_volatile_ones_tolerant() -> None:
    # Antimony, bismuth and sodium pyroantimonate: coverage above 99%, output moving 20% a
    # month: high coverage floors, wide MoM alerts.
    for code in ("antimony_ingot", "sodium_pyroantimonate", "refined_bismuth"):
        t = BY_CODE[code].thresholds
        assert t.min_coverage >= 0.95 and t.min_response >= 0.9, code
        assert t.mom_alert_pct > 30, code
    assert BY_CODE["antimony_ingot"].first_published == "2022-05"
    assert BY_CODE["sodium_pyroantimonate"].first_published == "2023-07"
    assert BY_CODE["refined_bismuth"].first_published == "2022-10"


def test_size_class_of_a_producer() -> None:
    lfp = BY_CODE["lfp"]
    assert lfp.size_class_for(250_000) == "large"
    assert lfp.size_class_for(200_000) == "large"
    assert lfp.size_class_for(199_999) == "medium"
    assert lfp.size_class_for(10_000) == "small"


def test_targets_of_these_products_load() -> None:
    targets = pytest.importorskip("metalstat.demo.targets")
    mine = [t for t in targets.load_targets() if t.product in BY_CODE]
    # Every product of this part has targets, and in the report's order.
    seen = list(dict.fromkeys(t.product for t in mine))
    assert seen == CODES
    antimony = {
        (t.measure, tuple(sorted(t.breakdown.items())), t.statistic): t.value
        for t in mine
        if t.product == "antimony_ingot" and t.period == "2025-06"
    }
    # 15 at zero output, 15 cut and 3 normal: the 33 producers of the sample.
    assert antimony[("producer_count", (("status", "halted"),), "count")] == 15
    assert antimony[("producer_count", (("status", "cut"),), "count")] == 15
    assert antimony[("producer_count", (("status", "normal"),), "count")] == 3
    assert antimony[("producer_count", (), "count")] == 33
