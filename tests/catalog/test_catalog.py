"""The packaged catalog: the report's sections in order with their exact headings, sound
definitions for the first half, clear errors for a malformed file, and the CLI listing."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest
from click.testing import CliRunner

from metalstat.catalog import CatalogError, load_catalog, parse_catalog
from metalstat.catalog.vocabulary import REGIONS_CHINA
from metalstat.cli import cli

# The report's section headings, in its order, written out from the June 2025 edition, in one
# spelling: British like the rest of the catalog (the edition's "Aluminum" beside "liquid
# aluminium") and capitalised like every other heading ("High-Carbon Ferrochrome", "PV-Grade EVA").
EXPECTED: list[tuple[str, str]] = [
    ("copper_cathode", "Copper Cathode"),
    ("aluminium", "Aluminium"),
    ("alumina", "Alumina"),
    ("overseas_aluminium", "Overseas Aluminium"),
    ("overseas_alumina", "Overseas Metallurgical-Grade Alumina"),
    ("primary_lead", "Primary Lead"),
    ("secondary_lead", "Secondary Lead"),
    ("refined_zinc", "Refined Zinc"),
    ("refined_tin", "Refined Tin"),
    ("refined_nickel", "Refined Nickel"),
    ("npi", "NPI"),
    ("indonesian_npi", "Indonesian NPI"),
    ("nickel_sulphate", "Nickel Sulphate"),
    ("battery_manganese_sulphate", "Battery-Grade Manganese Sulphate"),
    ("emd", "EMD"),
    ("mn3o4", "Mn3O4"),
    ("hc_ferrochrome", "High-Carbon Ferrochrome"),
    ("stainless_steel", "Stainless Steel"),
    ("emm", "EMM"),
    ("simn_alloy", "SiMn Alloy"),
    ("silicon_metal", "Silicon Metal"),
    ("polysilicon", "Polysilicon"),
    ("pv_module", "PV Module"),
    ("solar_cell", "Solar Cell"),
    ("pv_film", "PV Film"),
    ("pv_eva", "PV-Grade EVA"),
    ("pv_glass", "PV Glass"),
    ("dmc", "DMC"),
    ("magnesium_ingot", "Magnesium Ingot"),
    ("magnesium_alloy", "Magnesium Alloy"),
    ("magnesium_powder", "Magnesium Powder"),
    ("titanium_dioxide", "Titanium Dioxide"),
    ("titanium_sponge", "Titanium Sponge"),
    ("light_rare_earths", "Light Rare Earths"),
    ("medium_heavy_rare_earth", "Medium-Heavy Rare Earth"),
    ("ndfeb", "NdFeB"),
    ("molybdenum_concentrate", "Molybdenum Concentrate"),
    ("ferromolybdenum", "Ferromolybdenum"),
    ("apt", "Ammonium Paratungstate"),
    ("silver", "Silver"),
    ("silver_nitrate", "Silver Nitrate"),
    ("antimony_ingot", "Antimony Ingot"),
    ("sodium_pyroantimonate", "Sodium Pyroantimonate"),
    ("refined_bismuth", "Refined Bismuth"),
    ("lithium_carbonate", "Lithium Carbonate"),
    ("lithium_hydroxide", "Lithium Hydroxide"),
    ("cobalt_sulphate", "Cobalt Sulphate"),
    ("co3o4", "Co3O4"),
    ("ternary_precursor", "Ternary Cathode Precursor"),
    ("ternary_cathode", "Ternary Cathode Material"),
    ("iron_phosphate", "Iron Phosphate"),
    ("lfp", "LFP"),
    ("lco", "LCO"),
    ("lmo", "LMO"),
]
EXPECTED_CODES = [c for c, _ in EXPECTED]
FIRST_HALF = EXPECTED_CODES[:27]


def _packaged_text() -> str:
    return resources.files("metalstat.catalog").joinpath("products.toml").read_text("utf-8")


def test_expected_list_is_the_reports_54_sections() -> None:
    assert len(EXPECTED) == 54
    assert len(set(EXPECTED_CODES)) == 54


def test_catalog_codes_follow_the_reports_order_with_exact_headings() -> None:
    catalog = load_catalog()
    codes = list(catalog.codes())
    assert codes, "the packaged catalog is empty"
    unknown = [c for c in codes if c not in EXPECTED_CODES]
    assert not unknown, f"codes that are not report sections: {unknown}"
    positions = [EXPECTED_CODES.index(c) for c in codes]
    assert positions == sorted(positions), "products are out of the report's order"
    headings = dict(EXPECTED)
    for p in catalog:
        assert p.name == headings[p.code], p.code


def test_first_half_is_complete() -> None:
    assert list(load_catalog().codes())[:27] == FIRST_HALF


def test_catalog_has_all_54_sections() -> None:
    assert list(load_catalog().codes()) == EXPECTED_CODES


def test_first_half_definitions_are_sound() -> None:
    catalog = load_catalog()
    for code in FIRST_HALF:
        p = catalog.get(code)
        assert re.search(r"[\u4e00-\u9fff]", p.name_zh), f"{code}: no Chinese name"
        assert p.notes, f"{code}: the notes should say how the product is counted"
        assert p.size_classes[-1].min_capacity == 0
        custom = [r for r in p.regions if r not in REGIONS_CHINA]
        region_dim = next((d for d in p.dimensions if d.name == "region"), None)
        if custom:
            # custom regions are the values of the product's region dimension
            assert region_dim is not None, code
            assert set(custom) <= set(region_dim.value_names()), code
        province_dim = next((d for d in p.dimensions if d.name == "province"), None)
        if province_dim is not None:
            assert set(province_dim.value_names()) <= set(p.provinces), code


def test_first_half_choices_the_report_implies() -> None:
    c = load_catalog()
    # capacity-basis operating rates: operating over existing capacity
    assert c.get("aluminium").operating_rate == "capacity"
    assert c.get("alumina").operating_rate == "capacity"
    assert c.get("copper_cathode").operating_rate == "output"
    assert c.get("pv_eva").operating_rate == "none"
    # the form split makes up aluminium's output: liquid share and casting ingot
    form = c.get("aluminium").dimension("form")
    assert (form.kind, form.value_names()) == ("partition", ("liquid aluminium", "casting ingot"))
    # both contents, led by metal; nickel sulphate's factor from its own 24,200 of 110,200 mt
    ns = c.get("nickel_sulphate")
    assert (ns.content, ns.headline_content) == ("both", "metal")
    assert ns.metal_factor == pytest.approx(24_200 / 110_200, abs=0.005)
    assert c.get("npi").headline_content == "metal"
    assert c.get("indonesian_npi").scope == "Indonesia"
    assert c.get("overseas_alumina").scope == "Overseas"
    # units the PV industry counts in
    assert (c.get("pv_module").unit, c.get("solar_cell").unit) == ("GW", "GW")
    assert c.get("pv_film").unit == "10,000 m²"
    # sub-series estimated on their own are components, not shares
    assert c.get("secondary_lead").dimension("sub_series").kind == "component"
    assert c.get("refined_zinc").dimension("sub_series").value_names() == ("zinc alloy",)
    assert c.get("stainless_steel").dimension("series").value_names() == (
        "200-series",
        "300-series",
        "400-series",
    )
    assert "TOPCon210RN" in c.get("solar_cell").dimension("series").value_names()
    # regions as the report groups them
    assert c.get("alumina").dimension("region").value_names() == ("north", "south")
    ferrochrome = c.get("hc_ferrochrome").dimension("region").value_names()
    assert ferrochrome[:2] == ("Inner Mongolia", "southern regions")
    assert c.get("refined_tin").dimension("region").operating_rate is True
    assert {"Sichuan", "Yunnan"} <= set(c.get("silicon_metal").dimension("province").value_names())
    # size classes on each industry's scale
    assert c.get("aluminium").size_class_for(1_200_000) == "large"
    assert c.get("aluminium").size_class_for(150_000) == "small"
    assert c.get("pv_module").size_class_for(12) == "medium"


def _broken(old: str, new: str) -> str:
    text = _packaged_text()
    assert old in text
    return text.replace(old, new, 1)


def test_malformed_catalog_names_product_and_field() -> None:
    text = _broken('code = "aluminium"\n', 'code = "aluminium"\ncontent_basis = "x"\n')
    with pytest.raises(CatalogError) as err:
        parse_catalog(text, "products.toml")
    msg = str(err.value)
    assert "products.toml: product 'aluminium' field content_basis" in msg


def test_malformed_size_classes_are_reported() -> None:
    # overseas aluminium's large class below its medium one: largest must come first
    text = _broken(
        '{ name = "large", name_zh = "大型", min_capacity = 500000 }',
        '{ name = "large", name_zh = "大型", min_capacity = 50000 }',
    )
    with pytest.raises(CatalogError, match=r"product 'overseas_aluminium' field size_classes.*largest first"):
        parse_catalog(text)


def test_both_contents_need_a_factor() -> None:
    text = _broken("metal_factor = 0.2196\n", "")
    with pytest.raises(CatalogError, match=r"product 'nickel_sulphate'.*metal_factor"):
        parse_catalog(text)


def test_a_fixed_formula_is_for_both_contents() -> None:
    text = _broken('content = "physical"\n', 'content = "physical"\nfixed_formula = true\n')
    with pytest.raises(CatalogError, match=r"fixed_formula"):
        parse_catalog(text)


def test_not_toml_is_reported_with_the_file() -> None:
    with pytest.raises(CatalogError, match=r"^x\.toml: not valid TOML"):
        parse_catalog("[[product]\ncode=", "x.toml")


def test_cli_lists_the_catalog_as_json() -> None:
    result = CliRunner().invoke(cli, ["catalog", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    rows = {p["code"]: p for p in data["products"]}
    assert list(rows)[:27] == FIRST_HALF
    assert rows["copper_cathode"]["name_zh"] == "电解铜"
    assert rows["aluminium"]["operating_rate"] == "capacity"
    assert rows["npi"]["metal_factor"] == pytest.approx(0.10)


def test_cli_lists_the_catalog_as_a_table() -> None:
    result = CliRunner().invoke(cli, ["catalog"], env={"COLUMNS": "240"})
    assert result.exit_code == 0, result.output
    assert "Overseas" in result.output
    assert "polysilicon" in result.output


def test_every_product_names_its_value_chain():
    """The report groups products by chain (overview and sections): each product of the
    catalog names one, and each chain holds at least one product."""
    from metalstat.catalog.model import CHAINS

    c = load_catalog()
    assert [p.code for p in c if p.chain is None] == []
    assert set(CHAINS) == {p.chain for p in c}
    assert c.get("copper_cathode").chain == "copper"
    assert c.get("hc_ferrochrome").chain == "nickel_chromium_stainless"
    assert c.get("lithium_carbonate").chain == "battery_materials"
    assert c.get("pv_glass").chain == "silicon_pv"
    with pytest.raises(CatalogError, match="chain"):
        parse_catalog(
            (resources.files("metalstat.catalog") / "products.toml")
            .read_text("utf-8")
            .replace('chain = "copper"', 'chain = "gold"'),
            "products.toml",
        )
