"""The forecast's return-reported breakdowns from the planned parts of the schedules, and the
validation rules on them: hand-computed on a five-producer precursor panel.

Every producer has 100,000 t/yr (one stratum, small), is surveyed and answers in June, and
schedules July, so every July weight is 1 and the July total is the plain sum of schedules.

June (actual): A 5,000 = 5-series 3,000 + 6-series 2,000; B 5,000 = 6-series; C 5,000 =
6-series 2,000 + 8-series 3,000; D 5,000 = 8-series; E 5,000 = 8-series.
  -> 5-series 3,000 (A), 6-series 9,000 (A, B, C), 8-series 13,000 (C, D, E); total 25,000.
July (planned): A 6,000 = 4,000 + 2,000 (5, 6); B 5,000 = 4,000 + 1,000 (6, 8); C 4,000 =
1,000 + 3,000 (6, 8); D 6,000 = 8-series; E 4,000 with no planned parts.
  -> total 25,000; the givers of planned parts schedule 21,000: 5-series 4,000, 6-series
  7,000, 8-series 10,000, each scaled by 25,000 / 21,000.
"""

from __future__ import annotations

import pytest

from metalstat.engine.cycle import run_cycle
from metalstat.engine.validate import check_returns
from tests.engine.builders import JUN, MAY, Panel, fig
from tests.engine.products import PRECURSOR

JUL = {"period": "2025-07", "kind": "forecast"}


def _series(q: tuple[float | None, ...] | None) -> dict[str, dict[str, float]] | None:
    if q is None:
        return None
    return {"series": {f"{n}-series": v for n, v in zip((5, 6, 8), q, strict=True) if v is not None}}


def _panel() -> Panel:
    p = Panel(product="ternary_precursor")
    for pid in "ABCDE":
        p.producer(pid, 100_000, feedstock=None)
        p.ret(pid, MAY, 5_000, schedule=5_000)
    june = (  # producer, schedule, actual parts, planned parts (series: 5, 6, 8)
        ("A", 6_000, (3_000, 2_000, None), (4_000, 2_000, None)),
        ("B", 5_000, (None, 5_000, None), (None, 4_000, 1_000)),
        ("C", 4_000, (None, 2_000, 3_000), (None, 1_000, 3_000)),
        ("D", 6_000, (None, None, 5_000), (None, None, 6_000)),
        ("E", 4_000, (None, None, 5_000), None),
    )
    for pid, schedule, actual, planned in june:
        p.ret(pid, JUN, 5_000, schedule=schedule, parts=_series(actual), planned=_series(planned))
    return p


@pytest.fixture(scope="module")
def figures():  # type: ignore[no-untyped-def]
    return run_cycle("2025-06", _panel().inputs(), [PRECURSOR], with_benchmarks=False).figures


def _conf(figures, statistic: str, breakdown: str, measure: str = "production") -> str:  # type: ignore[no-untyped-def]
    row = figures.filter(
        (figures["kind"] == "forecast")
        & (figures["period"] == "2025-07")
        & (figures["measure"] == measure)
        & (figures["breakdown"] == breakdown)
        & (figures["statistic"] == statistic)
    )
    assert row.height == 1
    return str(row["conf_status"][0])


def test_planned_parts_are_the_givers_composition_applied_to_the_scheduled_total(figures) -> None:  # type: ignore[no-untyped-def]
    assert fig(figures, "level", **JUL) == pytest.approx(25_000)
    # 4,000 / 21,000 × 25,000 = 4,761.905; 7,000 × 25/21 = 8,333.333; 10,000 × 25/21 = 11,904.762
    assert fig(figures, "level", breakdown="series=5-series", **JUL) == pytest.approx(4_761.905, abs=1e-3)
    assert fig(figures, "level", breakdown="series=6-series", **JUL) == pytest.approx(8_333.333, abs=1e-3)
    assert fig(figures, "level", breakdown="series=8-series", **JUL) == pytest.approx(11_904.762, abs=1e-3)


def test_planned_parts_change_on_the_actual_month_and_take_shares(figures) -> None:  # type: ignore[no-untyped-def]
    # 8-series: 11,904.762 / 13,000 − 1 = −8.4249%; −1,095.238 t.
    assert fig(figures, "mom_pct", breakdown="series=8-series", **JUL) == pytest.approx(-8.4249, abs=1e-4)
    assert fig(figures, "mom_abs", breakdown="series=8-series", **JUL) == pytest.approx(-1_095.238, abs=1e-3)
    # Share: 11,904.762 / 25,000 = 47.619%; June 13,000 / 25,000 = 52% -> −4.381 pp.
    kw = {"measure": "share", "breakdown": "series=8-series", **JUL}
    assert fig(figures, "level", **kw) == pytest.approx(47.619, abs=1e-3)
    assert fig(figures, "pp_mom", **kw) == pytest.approx(-4.381, abs=1e-3)


def test_planned_parts_go_through_disclosure_control(figures) -> None:  # type: ignore[no-untyped-def]
    # 5-series rests on A alone: primary C, in its level, its share and its change. 6-series
    # (A, B, C; top 4,000 / 7,000 = 57%) and 8-series (B, C, D; top 60%) pass the primary
    # rules, but 5-series = 25,000 - 6-series - 8-series, so the smaller of the two, 6-series
    # (8,333 t against 11,905 t), is withheld too (D). The series=5-series;size_class=small
    # cell, primary too, is a cell of another table and does not shield it.
    assert _conf(figures, "level", "series=5-series") == "C"
    assert _conf(figures, "mom_pct", "series=5-series") == "C"
    assert _conf(figures, "level", "series=5-series", measure="share") == "C"
    assert _conf(figures, "level", "series=6-series") == "D"
    assert _conf(figures, "level", "series=8-series") == "F"


def test_no_planned_parts_no_planned_breakdown() -> None:
    p = Panel(product="ternary_precursor")
    p.producer("A", 100_000, feedstock=None)
    p.ret("A", MAY, 5_000)
    p.ret("A", JUN, 5_000, schedule=6_000, parts={"series": {"5-series": 5_000}})
    f = run_cycle("2025-06", p.inputs(), [PRECURSOR], with_benchmarks=False).figures
    planned = f.filter((f["kind"] == "forecast") & f["breakdown"].str.starts_with("series="))
    assert planned.is_empty()


def _rules(planned: dict[str, dict[str, float]], schedule: float | None = 6_000) -> set[str]:
    p = Panel(product="ternary_precursor")
    p.producer("A", 100_000, feedstock=None)
    p.ret("A", JUN, 5_000, schedule=schedule, planned=planned)
    return set(check_returns("2025-06", p.inputs(), [PRECURSOR]).get_column("rule"))


def test_planned_parts_must_add_up_to_the_schedule() -> None:
    assert not _rules({"series": {"5-series": 4_000, "6-series": 2_000}}) & {
        "planned_breakdown_sum",
        "unknown_planned_breakdown",
    }
    # 4,000 + 1,000 = 5,000 against a schedule of 6,000: off by 16.7%, beyond 0.5%.
    assert "planned_breakdown_sum" in _rules({"series": {"5-series": 4_000, "6-series": 1_000}})
    # Within the tolerance (0.5% of 6,000 = 30): 5,990 adds up.
    assert "planned_breakdown_sum" not in _rules({"series": {"5-series": 4_000, "6-series": 1_990}})


def test_planned_parts_name_catalog_values_and_need_a_schedule() -> None:
    assert "unknown_planned_breakdown" in _rules({"series": {"9-series": 6_000}})
    assert "planned_breakdown_without_schedule" in _rules({"series": {"5-series": 6_000}}, schedule=None)
    assert "negative_value" in _rules({"series": {"5-series": -1.0, "6-series": 6_001}})
