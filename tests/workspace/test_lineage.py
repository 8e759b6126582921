"""Lineage of breakdown cells, operating capacity and operating rates: the vintage's stored
sample units of the cell, and the figure recomputed from them as the engine makes it, equal to
the figure the vintage states. Expected values worked out by hand in the comments."""

from __future__ import annotations

from datetime import date

import pytest

from metalstat.registry.actions import do_add_capacity_record, do_upsert_producer
from metalstat.releases.cycle import run_month
from metalstat.survey.actions import do_record_return

pytestmark = pytest.mark.django_db
URL = "/workspace/2025-06/lineage/copper_cathode/"
SCRAP = "feedstock=copper scrap or anode"


@pytest.fixture
def june(panel: None) -> None:
    """The four smelters (365,000 t/year each, medium size class); B, C and D now run on
    scrap or anode. CU-X, 365,000 t/year, is in the frame but not the panel, so the medium
    stratum's weight is C_h / c_h = 5 × 365,000 / 4 × 365,000 = 1.25 for every sample unit.
    June: A 21,000, B 19,000, C 18,000, D 20,000 t; running capacity 300,000, 280,000,
    250,000, 300,000 t/year."""
    for code in ("CU-B", "CU-C", "CU-D"):
        do_upsert_producer(code, actor="t", feedstock="copper scrap or anode")
    do_upsert_producer(
        "CU-X",
        actor="t",
        name="Smelter X",
        product="copper_cathode",
        province="Jiangxi",
        region="east China",
        nature="private",
        feedstock="copper concentrate",
    )
    do_add_capacity_record("CU-X", date(2020, 1, 1), 365_000, event="commissioning", actor="t")
    for code, output, running in (
        ("CU-A", 21_000, 300_000),
        ("CU-B", 19_000, 280_000),
        ("CU-C", 18_000, 250_000),
        ("CU-D", 20_000, 300_000),
    ):
        do_record_return(code, "2025-06", output=output, operating_capacity=running, actor="t", source="phone")
    run_month("2025-06", actor="t", products=["copper_cathode"])


def _lineage(client, **params: str):  # type: ignore[no-untyped-def]
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.context["lineage"]


def test_a_breakdown_cell_is_the_weighted_sum_over_its_units(as_role, june: None) -> None:  # type: ignore[no-untyped-def]
    client = as_role("analyst")
    head = _lineage(client)
    # 1.25 × (21,000 + 19,000 + 18,000 + 20,000) = 1.25 × 78,000 = 97,500
    assert [u.weight for u in head.units] == [pytest.approx(1.25)] * 4
    assert head.total == pytest.approx(97_500) and head.figure == pytest.approx(97_500)
    scrap = _lineage(client, measure="production", breakdown=SCRAP)
    # B, C, D: 1.25 × (19,000 + 18,000 + 20,000) = 1.25 × 57,000 = 71,250
    assert sorted(u.producer for u in scrap.units) == ["CU-B", "CU-C", "CU-D"]
    assert scrap.total == pytest.approx(71_250) and scrap.figure == pytest.approx(71_250)
    assert [r.contribution for r in scrap.rows] == [pytest.approx(25_000), pytest.approx(23_750), pytest.approx(22_500)]
    medium = _lineage(client, breakdown="size_class=medium")
    assert len(medium.rows) == 4 and medium.figure == pytest.approx(97_500)
    html = client.get(URL, {"breakdown": SCRAP}).content.decode()
    assert "71,250" in html and "breakdown=feedstock%3Dcopper%20scrap%20or%20anode" in html
    assert ("production", SCRAP) in head.figures and ("operating_rate", "") in head.figures


def test_operating_capacity_and_the_output_basis_operating_rate(as_role, june: None) -> None:  # type: ignore[no-untyped-def]
    client = as_role("editor")
    op = _lineage(client, measure="operating_capacity")
    # 1.25 × (300,000 + 280,000 + 250,000 + 300,000) = 1.25 × 1,130,000 = 1,412,500
    assert op.total == pytest.approx(1_412_500) and op.figure == pytest.approx(1_412_500)
    rate = _lineage(client, measure="operating_rate")
    # copper counts a month as a twelfth: potential 365,000 / 12 = 30,416.67 t a producer;
    # 78,000 / (4 × 30,416.67) × 100 = 78,000 / 121,666.67 × 100 = 64.1096 %
    assert [r.potential for r in rate.rows] == [pytest.approx(365_000 / 12)] * 4
    assert rate.total == pytest.approx(64.1096, abs=1e-4) and rate.figure == pytest.approx(64.1096, abs=1e-4)
    scrap = _lineage(client, measure="operating_rate", breakdown=SCRAP)
    # 57,000 / (3 × 30,416.67) × 100 = 57,000 / 91,250 × 100 = 62.4658 %
    assert scrap.total == pytest.approx(62.4658, abs=1e-4) and scrap.figure == pytest.approx(62.4658, abs=1e-4)


def test_figures_not_summed_over_units_say_so_and_lineage_is_for_the_office(as_role, june: None) -> None:  # type: ignore[no-untyped-def]
    client = as_role("analyst")
    capacity = _lineage(client, measure="capacity")
    assert capacity.rows == [] and "not a sum over the sample" in capacity.note
    assert client.get("/workspace/2025-06/lineage/no_such_metal/").status_code == 404
    for role in ("administrator", "nobody"):
        assert as_role(role, f"u-{role}").get(URL, {"breakdown": SCRAP}).status_code == 403
