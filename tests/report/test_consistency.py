"""The consistency check over a drafted report: each check fires on a made-up section that
breaks it, and stays quiet on the same section put right."""

from __future__ import annotations

from copy import deepcopy
from typing import Any

import pytest

from metalstat.catalog import load_catalog
from metalstat.engine.auxiliary import range_partner
from metalstat.report.consistency import check_facts

CATALOG = load_catalog()
COPPER = CATALOG.get("copper_cathode")
NISO4 = CATALOG.get("nickel_sulphate")


def good() -> dict[str, Any]:
    """A copper section whose statements agree: 40 producers, 10 cutting and 25 raising daily
    output as daily output rises 2%; two feedstock routes of 60 + 40 = 100%."""
    return {
        "prod": {"level": 1_000.0, "mom_pct": -1.2, "daily_mom_pct": 2.0},
        "counts": {
            "sample": 41,
            "compared": 40,
            "statuses": [],
            "reduced": 25.0,
            "reduced_n": 10,
            "increased": 62.5,
            "increased_n": 25,
        },
        "contents": [],
        "structure": [
            {
                "dimension": "feedstock",
                "kind": "partition",
                "any_hidden": False,
                "items": [
                    {"label": "concentrate", "level": 600.0, "share": 60.0},
                    {"label": "scrap", "level": 400.0, "share": 40.0},
                ],
            }
        ],
        "rate": {"level": 85.76, "groups": [{"items": [{"label": "large", "level": 87.5}]}]},
        "aux": [],
        "fc": {"level": 1_010.0, "daily_mom_pct": None, "structure": [], "rate": None},
    }


def checks(p, facts) -> list[str]:  # type: ignore[no-untyped-def]
    return [x.check for x in check_facts(p, facts)]


def test_a_consistent_section_passes() -> None:
    assert checks(COPPER, good()) == []


def test_status_counts_must_add_up_to_the_sample() -> None:
    f = good()
    f["counts"].update(reduced=None, reduced_n=None, increased=None, increased_n=None)
    f["counts"]["statuses"] = [
        {"status": "normal", "count": 30, "change": 0},
        {"status": "maintenance", "count": 10, "change": 1},
    ]
    assert checks(COPPER, f) == ["count_sum"]  # 30 + 10 = 40, the sample holds 41
    f["counts"]["statuses"][0]["count"] = 31
    assert checks(COPPER, f) == []
    f["counts"]["statuses"][1]["change"] = 44  # 44 more under maintenance in a sample of 41
    assert checks(COPPER, f) == ["count_sum", "count_sum"]  # too big, and -34 last month


def test_the_annex_status_counts_add_up_too() -> None:
    # the page counts changes; the data annex's statuses are still out of the sample of 41
    f = good()
    f["counts"]["annex_statuses"] = [
        {"status": "normal", "count": 30, "change": 0},
        {"status": "cut", "count": 10, "change": 2},
    ]
    problems = check_facts(COPPER, f)
    assert [p.check for p in problems] == ["count_sum"]
    assert problems[0].message == "annex: status counts add up to 40, the sample holds 41"
    f["counts"]["annex_statuses"].append({"status": "unreported", "count": 1, "change": None})
    assert checks(COPPER, f) == []  # and both families are printed, each in its place


def test_change_counts_use_the_producers_compared() -> None:
    f = good()
    del f["counts"]["compared"]  # the shares were of 40, the sentence names the sample of 41
    assert checks(COPPER, f) == ["count_base", "count_base"]  # 10/41 = 24.39%, 25/41 = 60.98%
    f = good()
    f["counts"]["increased_n"], f["counts"]["increased"] = 31, 77.5  # 10 + 31 > 40
    assert checks(COPPER, f) == ["count_base"]


def test_one_family_of_counts() -> None:
    f = good()
    f["counts"]["statuses"] = [{"status": "normal", "count": 41, "change": 0}]
    assert checks(COPPER, f) == ["one_family"]


def test_change_counts_agree_with_the_daily_change() -> None:
    f = good()
    f["prod"]["daily_mom_pct"] = -2.0  # daily output fell, but 25 raised it and 10 cut it
    assert checks(COPPER, f) == ["count_direction"]
    f["prod"]["daily_mom_pct"] = -0.4  # flat: no direction to contradict
    assert checks(COPPER, f) == []
    f["fc"].update(daily_mom_pct=-3.0, reduced=10.0, reduced_n=4, increased=50.0, increased_n=20, compared=40)
    assert checks(COPPER, f) == ["count_direction"]


def test_metal_and_physical_content_of_a_fixed_formula() -> None:
    f = good()
    f["prod"] = {"level": 24_200.0, "mom_pct": -1.42}
    f["structure"] = []
    f["contents"] = [{"content": "physical", "level": 110_200.0, "mom_pct": -3.04}]
    assert checks(NISO4, f) == ["content"]
    f["contents"][0]["mom_pct"] = -1.42
    assert checks(NISO4, f) == []
    f["contents"][0]["level"] = 100_000.0  # 24.2% nickel: not the 21.96% of the formula
    assert checks(NISO4, f) == ["content"]
    # NPI's grade varies: its two contents may move apart
    f["contents"][0].update(level=110_200.0, mom_pct=-3.04)
    assert checks(CATALOG.get("npi"), f) == []


def test_shares_of_a_partition_add_to_100() -> None:
    f = good()
    f["structure"][0]["items"][1]["share"] = 39.0
    assert checks(COPPER, f) == ["partition"]
    f["structure"][0]["items"][1]["share"] = 39.995  # 60.00 + 40.00 as printed: rounding only
    assert checks(COPPER, f) == []
    f["structure"][0]["items"][1]["level"] = 390.0  # the parts no longer make the total
    assert checks(COPPER, f) == ["partition"]
    f["structure"][0]["kind"] = "component"  # a component need not add up
    assert checks(COPPER, f) == []


@pytest.mark.parametrize(
    ("where", "value"),
    [(("rate", "level"), 120.0), (("rate", "level"), -1.0), (("counts", "reduced"), 101.0)],
)
def test_rates_and_shares_stay_in_range(where: tuple[str, str], value: float) -> None:
    f = good()
    f[where[0]][where[1]] = value
    assert "range" in checks(COPPER, f)


def aux(
    code: str, value: float, ytd: float | None = None, unit: str = "yuan/mt", kind: str = "price"
) -> dict[str, Any]:
    return {"code": code, "name": code, "unit_code": unit, "kind": kind, "value": value, "month": "2025-06", "ytd": ytd}


def test_a_price_lies_within_its_own_range() -> None:
    f = good()
    f["aux"] = [aux("lead_price", 17_500.0), aux("lead_price_high", 17_270.0)]
    assert checks(COPPER, f) == ["range"]
    f["aux"][0]["value"] = 17_150.0
    assert checks(COPPER, f) == []
    f["aux"] = [aux("tc_low", 700.0), aux("tc_high", 400.0)]  # the low above the high
    assert checks(COPPER, f) == ["range"]


def test_a_stock_is_never_summed_over_months() -> None:
    f = good()
    f["aux"] = [aux("port_copper_concentrate_inventory", 623_500.0, ytd=4_570_195.0, unit="mt", kind="stock")]
    assert checks(COPPER, f) == ["stock_sum"]
    f["aux"] = [aux("copper_anode_imports", 98.0, ytd=587.0, unit="mt", kind="flow")]  # a flow: its sum is news
    assert checks(COPPER, f) == []


def test_range_sides() -> None:
    assert range_partner("tc_high") == ("high", "tc")
    assert range_partner("tc_low") == ("low", "tc")
    assert range_partner("highland_price") is None


def test_the_check_does_not_change_what_it_reads() -> None:
    f = good()
    before = deepcopy(f)
    check_facts(COPPER, f)
    assert f == before


def test_the_headline_reason_agrees_with_the_move() -> None:
    """June (30 days) against May (31): output -1.2 % in total, +2.0 % a day. New capacity
    explains the rise of daily output; judged on totals of equal months, or given for a
    stoppage, it would explain a move the other way."""
    f = good()
    f.update(days=30, prev_days=31)
    f["reason"] = {"kind": "capacity", "direction": "up", "code": "new_capacity", "region": "east China"}
    assert checks(COPPER, f) == []
    f["prev_days"] = 30  # equal months: the move is the total's, -1.2 %
    assert checks(COPPER, f) == ["reason_direction"]
    f["prev_days"] = 31
    f["reason"] = {"kind": "stoppage", "direction": "down", "code": "maintenance", "region": "east China"}
    assert checks(COPPER, f) == ["reason_direction"]  # a cut given for a rise
    f["prod"]["daily_mom_pct"] = 0.3  # flat as printed: no reason to give
    f["counts"].update(reduced=None, reduced_n=None, increased=None, increased_n=None)
    assert checks(COPPER, f) == ["reason_direction"]
    f["prod"]["daily_mom_pct"] = -2.0
    assert checks(COPPER, f) == []
    f["other_events"] = [{"code": "maintenance", "region": "east China", "n": 2}]
    assert checks(COPPER, f) == ["reason_direction"]  # named again among the others
    f["other_events"] = [{"code": "losses", "region": "east China", "n": 1}]
    assert checks(COPPER, f) == []
