"""Each validation rule fires on a return made to break it, and only there."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from metalstat.engine.cycle import run_cycle
from metalstat.engine.validate import RULES, check_returns, errors, unconfirmed_warnings
from tests.engine.builders import JUN, MAY, Panel
from tests.engine.products import COPPER, NPI, PRECURSOR


def base(product: str = "copper_cathode") -> Panel:
    """Three producers of 365,000/year (potential 30,000 in June), steady at 20,000."""
    p = Panel(product=product)
    for pid in ("A", "B", "C"):
        p.producer(pid, 365_000, feedstock=None if product != "copper_cathode" else "copper concentrate")
        p.steady(pid, date(2024, 6, 1), MAY, 20_000)
    p.ret("B", JUN, 20_000).ret("C", JUN, 20_000)
    return p


def fired(p: Panel, product=COPPER) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    f = check_returns("2025-06", p.inputs(), [product])
    return {(r["producer_id"], r["rule"]) for r in f.iter_rows(named=True)}


def test_clean_returns_raise_nothing() -> None:
    p = base().ret("A", JUN, 21_000)
    assert fired(p) == set()


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        ({"output": None}, "missing_output"),
        ({"output": -5.0}, "negative_value"),
        ({"output": 20_000, "schedule": -1.0}, "negative_value"),
        ({"output": 20_000, "status": "closed"}, "unknown_status"),
        ({"output": 33_001}, "above_capacity"),  # 30,000 × 1.10 = 33,000
        ({"output": 500.0, "status": "halted"}, "halted_with_output"),
        ({"output": 20.0}, "unit_mixup"),  # 20,000 usual / 20 = 1,000×
        ({"output": 28_000}, "unexplained_swing"),  # +44.7% daily, no reason, status normal
    ],
)
def test_each_rule_fires(kwargs: dict[str, object], rule: str) -> None:
    p = base()
    output = kwargs.pop("output")
    p.ret("A", JUN, output, **kwargs)  # type: ignore[arg-type]
    assert ("A", rule) in fired(p)
    assert not any(pid != "A" for pid, _ in fired(p))


def test_a_reason_or_an_event_explains_a_swing() -> None:
    assert ("A", "unexplained_swing") not in fired(base().ret("A", JUN, 28_000, reason="new line"))
    p = base().ret("A", JUN, 28_000)
    p.event("A", date(2025, 5, 10), date(2025, 5, 20), 100_000)  # touches May, not June
    assert ("A", "unexplained_swing") in fired(p)
    p = base().ret("A", JUN, 28_000)
    p.event("A", date(2025, 6, 10), date(2025, 6, 20), 100_000)
    assert ("A", "unexplained_swing") not in fired(p)


def test_actual_far_from_last_months_schedule() -> None:
    p = base()
    p.returns = [r for r in p.returns if not (r["producer_id"] == "A" and r["period"] == MAY)]
    p.ret("A", MAY, 20_000, schedule=30_000).ret("A", JUN, 20_500)
    assert ("A", "far_from_schedule") in fired(p)  # -31.7% from 30,000, alert at 25%


def test_metal_above_physical() -> None:
    p = base("npi").ret("A", JUN, 20_000, output_metal=20_001)
    assert ("A", "metal_above_physical") in fired(p, NPI)


def test_metal_content_off_a_fixed_formula() -> None:
    """Nickel sulphate made up with a fixed formula of 0.22: 20,000 mt physical holds
    4,400 mt of nickel; 1% off (4,356 to 4,444) is weighing, 4,500 (22.5%) is another salt."""
    salt = NPI.model_copy(update={"code": "npi", "fixed_formula": True, "metal_factor": 0.22})
    assert ("A", "off_formula") not in fired(base("npi").ret("A", JUN, 20_000, output_metal=4_440), salt)
    assert ("A", "off_formula") in fired(base("npi").ret("A", JUN, 20_000, output_metal=4_500), salt)
    assert ("A", "off_formula") in fired(base("npi").ret("A", JUN, 20_000, output_metal=4_300), salt)
    # NPI's grade varies plant by plant: no formula to keep
    assert ("A", "off_formula") not in fired(base("npi").ret("A", JUN, 20_000, output_metal=4_500), NPI)


def test_breakdown_must_add_up_and_use_known_values() -> None:
    p = base("ternary_precursor").ret("A", JUN, 20_000, parts={"series": {"5-series": 5_000, "6-series": 10_000}})
    assert ("A", "breakdown_sum") in fired(p, PRECURSOR)
    p = base("ternary_precursor").ret("A", JUN, 20_000, parts={"series": {"7-series": 20_000}})
    assert ("A", "unknown_breakdown") in fired(p, PRECURSOR)


def test_no_capacity_in_force() -> None:
    p = base()
    p.producer("Z", 365_000, since=date(2025, 7, 1))
    p.ret("Z", JUN, 1_000).ret("A", JUN, 20_000)
    assert ("Z", "no_capacity") in fired(p)


def test_a_plant_starting_next_month_may_report_nil_output_and_its_plan() -> None:
    # Z's capacity starts on 1 July: a nil June return with July's plan is no error ...
    p = base().ret("A", JUN, 20_000)
    p.producer("Z", 365_000, since=date(2025, 7, 1), panel_from=JUN)
    assert fired(p.ret("Z", JUN, 0.0, schedule=5_000, status="commissioning")) == set()
    # ... but from a plant starting in August it is.
    p = base().ret("A", JUN, 20_000)
    p.producer("Z", 365_000, since=date(2025, 8, 1), panel_from=JUN)
    assert fired(p.ret("Z", JUN, 0.0, schedule=5_000)) == {("Z", "no_capacity")}


def test_messages_name_the_values() -> None:
    p = base().ret("A", JUN, 40_000)
    f = check_returns("2025-06", p.inputs(), [COPPER])
    msg = f.filter(pl.col("rule") == "above_capacity").item(0, "message")
    assert "40,000.0" in msg and "365,000" in msg and "30 days" in msg


def test_confirmed_warning_no_longer_holds_the_cycle_but_an_error_does() -> None:
    p = base().ret("A", JUN, 20.0)
    inputs = p.inputs()
    f = check_returns("2025-06", inputs, [COPPER])
    # 20 instead of 20,000: a unit mix-up, a swing and a gap to the schedule, all warnings.
    assert set(unconfirmed_warnings(f).get_column("rule")) == {"unit_mixup", "unexplained_swing", "far_from_schedule"}
    assert errors(f).is_empty()
    confirmed = f.select("producer_id", "period", "rule")
    from dataclasses import replace

    f2 = check_returns("2025-06", replace(inputs, confirmations=confirmed), [COPPER])
    assert unconfirmed_warnings(f2).is_empty()
    blocked = run_cycle("2025-06", base().ret("A", JUN, -1.0).inputs(), [COPPER], with_benchmarks=False)
    assert blocked.blocked


def test_every_rule_is_described() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    for r in RULES:
        d = r.describe()
        assert d["severity"] in ("error", "warning") and d["label"] and d["message"]


def test_a_halt_reported_as_zero_is_no_unit_mixup() -> None:
    p = base().ret("A", JUN, 0.0, status="halted", reason="maintenance")
    assert ("A", "unit_mixup") not in fired(p)
