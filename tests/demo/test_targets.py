"""The report's targets: the packaged files load and are coherent, the loader rejects
malformed targets naming them, and ``check`` reports a figure that breaks its target."""

from __future__ import annotations

import textwrap
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from metalstat.catalog import load_catalog
from metalstat.demo.targets import (
    Mismatch,
    Target,
    TargetsError,
    check,
    count_by_product,
    load_targets,
    parse_targets,
)

FIRST_HALF = [
    "copper_cathode",
    "aluminium",
    "alumina",
    "overseas_aluminium",
    "overseas_alumina",
    "primary_lead",
    "secondary_lead",
    "refined_zinc",
    "refined_tin",
    "refined_nickel",
    "npi",
    "indonesian_npi",
    "nickel_sulphate",
    "battery_manganese_sulphate",
    "emd",
    "mn3o4",
    "hc_ferrochrome",
    "stainless_steel",
    "emm",
    "simn_alloy",
    "silicon_metal",
    "polysilicon",
    "pv_module",
    "solar_cell",
    "pv_film",
    "pv_eva",
    "pv_glass",
]

# A change of each size word's typical size, in the stated direction.
TYPICAL = {
    "direction": 1.0,
    "slightly": 1.0,
    "notable": 4.0,
    "significantly": 7.0,
    "sharply": 15.0,
    "flat_or_slightly": 1.0,
    "flat": 0.0,
    "largely_stable": 0.0,
}


@pytest.fixture(scope="module")
def targets() -> tuple[Target, ...]:
    return load_targets()


def _candidates(group: list[Target]) -> list[float]:
    out: list[float] = []
    for t in group:
        if t.value is not None and t.resolution is not None:
            out += [t.value + k * t.resolution / 4 for k in range(-12, 13)]
        else:
            sign = -1.0 if t.direction == "down" else 1.0
            out.append(sign * TYPICAL[t.hedge])
    return out


def _satisfying_figures(targets: tuple[Target, ...]) -> list[dict[str, Any]]:
    """One figure per target key, with a value every target on that key admits."""
    groups: dict[Any, list[Target]] = defaultdict(list)
    for t in targets:
        groups[t.key()].append(t)
    figures = []
    for group in groups.values():
        value = next((x for x in _candidates(group) if all(t.admits(x) for t in group)), None)
        assert value is not None, [t.describe() for t in group]
        t = group[0]
        figures.append(
            {
                "product_code": t.product,
                "kind": t.kind,
                "measure": t.measure,
                "breakdown": dict(t.breakdown),
                "statistic": t.statistic,
                "period": t.period,
                "value": value,
                "status": "A",
            }
        )
    return figures


def test_packaged_targets_load(targets: tuple[Target, ...]) -> None:
    counts = count_by_product(targets)
    print(f"\n{len(targets)} targets for {len(counts)} products")
    for code, n in counts.items():
        print(f"  {code:28s} {n:4d}")
    first = [t for t in targets if t.product in FIRST_HALF]
    assert len(first) >= 250
    missing = [c for c in FIRST_HALF if counts.get(c, 0) == 0]
    assert not missing, f"products without targets: {missing}"
    # the products' order in the files follows the report
    codes = load_catalog().codes()
    order = [codes.index(c) for c in counts]
    assert order == sorted(order)


def test_first_half_covers_the_headline_statements(targets: tuple[Target, ...]) -> None:
    by_key = {(t.product, t.kind, t.period, t.measure, t.statistic): t for t in targets if not t.breakdown}
    # written out from the report by hand
    assert by_key[("copper_cathode", "actual", "2025-06", "production", "mom_abs")].value == -3400
    assert by_key[("copper_cathode", "actual", "2025-06", "operating_rate", "level")].value == 85.76
    cum = by_key[("copper_cathode", "forecast", "2025-01..2025-07", "production", "ytd_abs")]
    assert cum.value == 796_900
    assert by_key[("aluminium", "actual", "2025-06", "capacity", "level")].value == 45_690_000
    tin = by_key[("refined_tin", "forecast", "2025-07", "production", "mom_pct")]
    assert (tin.value, tin.resolution) == (8.59, 0.01)
    zinc = by_key[("refined_zinc", "forecast", "2025-07", "production", "yoy_pct")]
    assert (zinc.value, zinc.hedge) == (21, "over")
    glass = by_key[("pv_glass", "forecast", "2025-07", "operating_rate", "pp_mom")]
    assert (glass.value, glass.hedge) == (-5, "nearly")


def test_targets_on_one_figure_can_all_hold(targets: tuple[Target, ...]) -> None:
    # every target, alone and with the others on the same figure, is satisfiable
    figures = _satisfying_figures(targets)
    assert check(targets, figures) == []


def test_wrong_figure_is_reported(targets: tuple[Target, ...]) -> None:
    figures = _satisfying_figures(targets)
    for f in figures:
        if (f["product_code"], f["measure"], f["statistic"], f["period"]) == (
            "copper_cathode",
            "production",
            "mom_abs",
            "2025-06",
        ):
            f["value"] = -3300.0  # the report says down 3,400 mt, to the nearest 100
        if (f["product_code"], f["measure"], f["breakdown"]) == (
            "hc_ferrochrome",
            "production",
            {"region": "Inner Mongolia"},
        ):
            f["value"] = None  # withheld
    figures = [f for f in figures if not (f["product_code"] == "solar_cell" and f["measure"] == "share")]
    found = check(targets, figures)
    reasons = {(m.target.product, m.target.statistic, m.target.measure): m for m in found}
    wrong = reasons[("copper_cathode", "mom_abs", "production")]
    assert wrong.actual == -3300.0
    assert "outside" in wrong.reason
    assert "targets.toml#1" in str(wrong)
    assert "withheld" in reasons[("hc_ferrochrome", "mom_pct", "production")].reason
    assert reasons[("solar_cell", "level", "share")].reason == "no such figure"
    # the two solar-cell share targets are missing, one figure was wrong, one withheld
    assert len(found) == 4
    assert all(isinstance(m, Mismatch) for m in found)


def _parse(body: str) -> tuple[Target, ...]:
    return parse_targets(textwrap.dedent(body), "bad.toml", load_catalog())


GOOD = """
[[target]]
product = "copper_cathode"
kind = "actual"
period = "2025-06"
measure = "operating_rate"
breakdown = { size_class = "large" }
statistic = "pp_mom"
value = -5.21
resolution = 0.01
about = "large smelters' rate change"
"""


def test_a_sound_target_parses() -> None:
    (t,) = _parse(GOOD)
    assert t.where == "bad.toml#1"
    assert t.admits(-5.214) and not t.admits(-5.22)


def test_a_bare_direction_gets_the_direction_hedge() -> None:
    (t,) = _parse(GOOD.replace("value = -5.21\nresolution = 0.01\n", 'direction = "down"\n'))
    assert t.hedge == "direction"
    assert t.admits(-0.01) and not t.admits(0.0)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('"copper_cathode"', '"copper"', "product 'copper' is not in the catalog"),
        ("size_class = ", "size = ", "breakdown key 'size' is not known for copper_cathode"),
        ('"large"', '"huge"', "breakdown size_class='huge' is not one of large, medium, small"),
        ('"2025-06"', '"2025-6"', "period '2025-6' is neither"),
        ('"2025-06"', '"2025-01..2025-06"', "cumulative statistics"),
        ('"pp_mom"', '"pp_month"', "statistic 'pp_month' is not in the vocabulary"),
        ('"operating_rate"', '"output"', "measure 'output' is not in the vocabulary"),
        ("resolution = 0.01\n", "", "a value needs its resolution"),
        ("value = -5.21\nresolution = 0.01\n", "", "give a value, or a direction"),
        ("value = -5.21\n", 'direction = "down"\nhedge = "nearly"\n', "qualifies a number"),
        ('about = "', 'hedge = "roughly"\nabout = "', "hedge 'roughly' is not a key"),
        ('about = "', 'direction = "up"\nabout = "', "contradicts direction 'up'"),
        ('about = "', 'colour = "red"\nabout = "', "field colour: Extra inputs"),
    ],
)
def test_malformed_targets_are_named(old: str, new: str, message: str) -> None:
    assert old in GOOD
    with pytest.raises(TargetsError) as err:
        _parse(GOOD + GOOD.replace(old, new, 1))
    text = str(err.value)
    assert "bad.toml: target #2 (" in text
    assert message in text
    assert "target #1" not in text


def test_a_forecast_error_can_be_a_direction() -> None:
    # actual output slightly below the schedule: the forecast overshot by under 5%
    body = GOOD.replace('"operating_rate"', '"forecast_error"').replace('"pp_mom"', '"pct"')
    body = body.replace('breakdown = { size_class = "large" }\n', "").replace(
        "value = -5.21\nresolution = 0.01\n", 'direction = "up"\nhedge = "slightly"\n'
    )
    (t,) = _parse(body)
    assert t.admits(2.0) and not t.admits(-1.0)


def test_size_words_need_a_relative_statistic() -> None:
    body = GOOD.replace('"pp_mom"', '"count_change"').replace(
        "value = -5.21\nresolution = 0.01\n", 'direction = "down"\nhedge = "slightly"\n'
    )
    with pytest.raises(TargetsError, match="measured in % or pp"):
        _parse(body)


def test_auxiliary_targets_need_a_series() -> None:
    body = GOOD.replace('"operating_rate"', '"auxiliary"').replace('size_class = "large"', 'series = "Port Stocks"')
    with pytest.raises(TargetsError, match="lower_snake_case"):
        _parse(body)


def test_all_errors_of_a_file_at_once() -> None:
    body = GOOD.replace('"copper_cathode"', '"copper"') + GOOD.replace('"2025-06"', '"June"')
    with pytest.raises(TargetsError) as err:
        _parse(body)
    assert "target #1" in str(err.value) and "target #2" in str(err.value)


def test_load_from_paths(tmp_path: Path) -> None:
    p = tmp_path / "t.toml"
    p.write_text(GOOD, encoding="utf-8")
    (t,) = load_targets([p])
    assert t.where == f"{p}#1"
    p.write_text("[[target]\n", encoding="utf-8")
    with pytest.raises(TargetsError, match="not valid TOML"):
        load_targets([p])
