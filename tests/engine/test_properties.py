"""Invariants of the estimator, checked on random panels (hypothesis), and an independent
cross-check of the per-stratum ratio estimates against samplics."""

from __future__ import annotations

import os
import warnings
from datetime import date

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metalstat.engine.calendar import months_between
from metalstat.engine.cells import build_cells
from metalstat.engine.cycle import run_cycle
from metalstat.engine.estimate import weights
from metalstat.engine.impute import complete_panel
from tests.engine.builders import JUN, Panel
from tests.engine.products import COPPER

MONTHS = months_between(date(2024, 1, 1), JUN)


@st.composite
def panels(draw: st.DrawFn, full: bool = False) -> Panel:
    """3 to 9 producers in two size classes, some outside the panel (unless full), monthly
    outputs between 10% and 100% of capacity, June returns sometimes missing (unless full)."""
    n = draw(st.integers(3, 9))
    p = Panel()
    for i in range(n):
        cap = draw(st.sampled_from([50_000.0, 120_000.0, 365_000.0, 500_000.0]))
        in_panel = full or i < 2 or draw(st.booleans())
        p.producer(
            f"P{i}",
            cap,
            in_panel=in_panel,
            feedstock=draw(st.sampled_from(["copper concentrate", "copper scrap or anode"])),
        )
        if not in_panel:
            continue
        rates = draw(st.lists(st.floats(0.1, 1.0), min_size=len(MONTHS), max_size=len(MONTHS)))
        answers_june = full or i == 0 or draw(st.booleans())
        for m, r in zip(MONTHS, rates, strict=True):
            if m == JUN and not answers_june:
                continue
            p.ret(f"P{i}", m, round(cap * r / 12.0, 3))
    return p


def _figures(p: Panel) -> pl.DataFrame:
    return run_cycle("2025-06", p.inputs(), [COPPER], with_benchmarks=False).figures


def _by_key(f: pl.DataFrame) -> dict[tuple[str, ...], float | None]:
    return {
        (r["kind"], r["measure"], r["breakdown"], r["statistic"], r["period"]): r["value"]
        for r in f.iter_rows(named=True)
    }


# 12 examples a test; a mutation run (scripts/mutation.py) asks for fewer to keep each mutant short.
EXAMPLES = int(os.environ.get("METALSTAT_PROPERTY_EXAMPLES", "12"))
SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@SETTINGS
@given(panels(), st.randoms(use_true_random=False))
def test_row_order_changes_nothing(p: Panel, rnd) -> None:  # type: ignore[no-untyped-def]
    before = _by_key(_figures(p))
    for rows in (p.producers, p.capacity, p.panel, p.returns):
        rnd.shuffle(rows)
    after = _by_key(_figures(p))
    assert before.keys() == after.keys()
    for k, v in before.items():
        assert after[k] == pytest.approx(v, rel=1e-9, abs=1e-9) if v is not None else after[k] is None


SCALES_WITH_OUTPUT = {
    "production": {"level", "daily_avg", "mom_abs", "yoy_abs", "ytd_level", "ytd_abs"},
    "operating_rate": {"level", "pp_mom", "pp_yoy", "lfl_pp_mom", "panel_effect_pp"},
}


@SETTINGS
@given(panels(), st.sampled_from([0.001, 2.0, 1000.0]))
def test_scaling_outputs_scales_levels_and_keeps_percentages(p: Panel, k: float) -> None:
    """Output × k: levels (and output-basis rates, whose denominator is fixed capacity) × k;
    every % change, share, count and quality measure unchanged."""
    base = _by_key(_figures(p))
    for r in p.returns:
        r["output"] = r["output"] * k if r["output"] is not None else None
    scaled = _by_key(_figures(p))
    assert base.keys() == scaled.keys()
    for key, v in base.items():
        _, measure, _, statistic, _ = key
        if v is None:
            continue
        factor = k if statistic in SCALES_WITH_OUTPUT.get(measure, set()) else 1.0
        assert scaled[key] == pytest.approx(v * factor, rel=1e-9, abs=1e-6), key


@SETTINGS
@given(panels(full=True))
def test_full_coverage_and_response_equals_the_plain_sum(p: Panel) -> None:
    f = _figures(p)
    june = sum(r["output"] for r in p.returns if r["period"] == JUN)
    level = f.filter(
        (pl.col("measure") == "production")
        & (pl.col("breakdown") == "")
        & (pl.col("statistic") == "level")
        & (pl.col("period") == "2025-06")
    )
    assert level.item(0, "value") == pytest.approx(june, rel=1e-12)


@SETTINGS
@given(panels())
def test_published_percentages_match_the_levels_arithmetic(p: Panel) -> None:
    f = _by_key(_figures(p))
    for (kind, measure, breakdown, statistic, period), v in f.items():
        if statistic != "mom_pct" or v is None or period != "2025-06":
            continue
        cur = f[(kind, measure, breakdown, "level", "2025-06")]
        prev = f.get((kind, measure, breakdown, "level", "2025-05"))
        assert cur is not None and prev is not None
        assert v == pytest.approx((cur / prev - 1) * 100, rel=1e-9, abs=1e-9)
        mom_abs = f[(kind, measure, breakdown, "mom_abs", "2025-06")]
        assert mom_abs == pytest.approx(cur - prev, rel=1e-9, abs=1e-6)


@SETTINGS
@given(panels())
def test_partitions_add_up_to_the_total(p: Panel) -> None:
    f = _by_key(_figures(p))
    total = f[("actual", "production", "", "level", "2025-06")]
    parts = [
        v
        for (k, m, b, s, per), v in f.items()
        if m == "production" and b.startswith("size_class=") and s == "level" and per == "2025-06" and k == "actual"
    ]
    assert total is not None and sum(v for v in parts if v is not None) == pytest.approx(total)


def test_ratio_estimates_match_samplics() -> None:
    """Ŷ_h = R̂_h × C_h with R̂_h = Σy/Σc: our per-stratum totals against samplics' ratio
    estimator (TaylorEstimator, PopParam.ratio, by domain) on random panels."""
    warnings.filterwarnings("ignore")
    from samplics import PopParam, TaylorEstimator

    rng = np.random.default_rng(20250630)
    for _ in range(5):
        p = Panel()
        n = int(rng.integers(20, 60))
        for i in range(n):
            cap = float(rng.choice([60_000.0, 150_000.0, 450_000.0, 900_000.0]))
            in_panel = rng.random() < 0.7
            p.producer(f"P{i}", cap, in_panel=in_panel)
            if in_panel:
                p.ret(f"P{i}", JUN, float(cap / 12 * rng.uniform(0.2, 1.0)))
        inputs = p.inputs().checked()
        cells = build_cells(inputs, [COPPER], [JUN])
        completed = complete_panel(cells, [JUN], [COPPER])
        w = weights(cells, completed)
        ours = dict(w.group_by("stratum").agg((pl.col("w") * pl.col("value")).sum()).iter_rows())
        sample = completed.filter(pl.col("value").is_not_null())
        est = TaylorEstimator(PopParam.ratio)
        est.estimate(
            y=sample.get_column("value").to_numpy(),
            x=sample.get_column("cap_avg").to_numpy(),
            samp_weight=np.ones(sample.height),
            domain=sample.get_column("stratum").to_numpy(),
            remove_nan=True,
        )
        frame_cap = dict(cells.group_by("stratum").agg(pl.col("cap_avg").sum()).iter_rows())
        for stratum, ratio in est.point_est.items():
            assert ours[stratum] == pytest.approx(ratio * frame_cap[stratum], rel=1e-9)


@st.composite
def entrant_panels(draw: st.DrawFn) -> tuple[Panel, float, float, float]:
    """2 to 5 surveyed producers with June output and a July schedule, and 0 to 3 plants
    commissioned on 1 July (in the panel from June, a nil June return planning their first
    month). Also returns, worked out here: the forecast's July rate over everyone, the
    like-for-like July rate over the June producers, and June's rate (%)."""
    jul = date(2025, 7, 1)
    p = Panel()
    old, new = draw(st.integers(2, 5)), draw(st.integers(0, 3))
    june_out = june_pot = plan_old = pot_old = plan_new = pot_new = 0.0
    for i in range(old + new):
        cap = draw(st.sampled_from([50_000.0, 120_000.0, 365_000.0, 500_000.0]))
        plan = round(cap * 31 / 365 * draw(st.floats(0.0, 1.0)), 3)
        if i < old:
            out = round(cap * 30 / 365 * draw(st.floats(0.1, 1.0)), 3)
            p.producer(f"P{i}", cap).ret(f"P{i}", JUN, out, schedule=plan)
            june_out, june_pot = june_out + out, june_pot + cap * 30 / 365
            plan_old, pot_old = plan_old + plan, pot_old + cap * 31 / 365
        else:
            p.producer(f"N{i}", cap, since=jul, panel_from=JUN).ret(f"N{i}", JUN, 0.0, schedule=plan)
            plan_new, pot_new = plan_new + plan, pot_new + cap * 31 / 365
    rate = (plan_old + plan_new) / (pot_old + pot_new) * 100
    return p, rate, plan_old / pot_old * 100, june_out / june_pot * 100


@SETTINGS
@given(entrant_panels())
def test_the_forecast_change_is_like_for_like_plus_the_entrants_effect(case: tuple[Panel, float, float, float]) -> None:
    p, rate, lfl_rate, june = case
    f = _by_key(_figures(p))

    def fc(measure: str, statistic: str) -> float:
        v = f[("forecast", measure, "", statistic, "2025-07")]
        assert v is not None
        return v

    assert fc("operating_rate", "level") == pytest.approx(rate)
    assert fc("operating_rate", "lfl_pp_mom") == pytest.approx(lfl_rate - june)
    assert fc("operating_rate", "panel_effect_pp") == pytest.approx(rate - lfl_rate, abs=1e-9)
    assert fc("operating_rate", "pp_mom") == pytest.approx(
        fc("operating_rate", "lfl_pp_mom") + fc("operating_rate", "panel_effect_pp")
    )
    if fc("production", "level") > 0:
        assert fc("production", "mom_pct") == pytest.approx(
            fc("production", "lfl_mom_pct") + fc("production", "panel_effect_pct")
        )
