"""The demo generator: deterministic, valid registers, totals as calibrated (checked with
plain sums, not with the engine), and the pieces it is built from."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import numpy as np
import polars as pl
import pytest

from metalstat.catalog import load_catalog
from metalstat.demo import paths, timeline
from metalstat.demo.generator import generate, generate_product
from metalstat.demo.ranges import admitted
from metalstat.demo.stories import MISSING_IN_JUNE
from metalstat.demo.targets import Target, load_targets
from metalstat.releases.exports import auxiliary_dicts
from metalstat.releases.serializers import figure_record

CATALOG = load_catalog()
TARGETS = load_targets()
# A spread of sections: plain, with missing June returns, counted statuses, both contents,
# capacity basis, a story.
SOME = ("primary_lead", "refined_zinc", "antimony_ingot", "npi", "aluminium", "copper_cathode")


@pytest.fixture(scope="module")
def panels():
    return {code: generate_product(CATALOG.get(code), TARGETS) for code in SOME}


@pytest.fixture(scope="module")
def data():
    return generate(products=list(SOME))


# -- the linear programme ------------------------------------------------------------------


def test_paths_meet_hand_computed_statements():
    prior = np.full(timeline.N, 1000.0) * timeline.DAYS / 30.0
    june, may = timeline.T_LAST, timeline.T_LAST - 1
    conditions = [
        paths.condition("level", "x", "level", "2025-06", 1199.5, 1200.5),
        paths.condition("mom", "x", "mom_pct", "2025-06", -0.35, -0.25),
        paths.condition("yoy", "x", "yoy_abs", "2025-06", 95.0, 105.0),
    ]
    x = paths.solve({"x": prior}, conditions).paths["x"]
    assert 1199.5 <= x[june] <= 1200.5
    # -0.3% MoM: May is June / (1 - 0.003) give or take the rounding.
    assert 1200.0 / 0.99755 <= x[may] <= 1200.0 / 0.99645
    assert 95.0 <= x[june] - x[june - 12] <= 105.0
    assert (x > 0).all()


def test_paths_give_up_the_weaker_of_two_contradicting_statements():
    prior = np.full(timeline.N, 100.0)
    strong = paths.condition("strong", "x", "level", "2025-06", 99.0, 101.0, weight=10.0)
    weak = paths.condition("weak", "x", "level", "2025-06", 149.0, 151.0, weight=1.0)
    sol = paths.solve({"x": prior}, [strong, weak])
    assert [c.key for c in sol.dropped] == ["weak"]
    assert 99.0 <= sol.paths["x"][timeline.T_LAST] <= 101.0


def test_hedged_ranges():
    def target(**kw) -> Target:
        base = {
            "product": "refined_zinc",
            "kind": "actual",
            "period": "2025-06",
            "measure": "production",
            "statistic": "mom_pct",
            "about": "test",
        }
        return Target.model_validate(base | kw)

    r = admitted(target(value=2.0, resolution=1.0, hedge="nearly"))
    assert (r.lo, r.hi) == (1.5, 2.0)
    r = admitted(target(value=-30.0, resolution=1.0, hedge="nearly"))
    assert (r.lo, r.hi) == (-30.0, -29.5)
    r = admitted(target(hedge="slightly", direction="down"))
    assert r.hi == 0.0 and r.lo == -5.0 and r.lo < r.aim < r.hi


def test_a_stated_share_of_producers_becomes_a_count_it_admits():
    from metalstat.demo.statusplan import _resolve

    nearly_40 = Target.model_validate(
        {
            "product": "copper_cathode",
            "kind": "actual",
            "period": "2025-06",
            "measure": "producer_share",
            "breakdown": {"change": "reduced"},
            "statistic": "level",
            "value": 40,
            "resolution": 5,
            "hedge": "nearly",
            "about": "test",
        }
    )
    # The aim, 38.75% of 40 producers, is 15.5: 16 would be 40%, which "nearly" excludes.
    assert _resolve(-38750, 40, nearly_40.admits) == 15
    assert _resolve(-38750, 43, nearly_40.admits) == 17  # 39.5%
    assert _resolve(-38750, 40) == 16  # without the statement, plain rounding
    assert _resolve(7, 40, nearly_40.admits) == 7  # a count stays a count


# -- determinism -------------------------------------------------------------------------------


def test_same_seed_same_panel_other_seed_other_panel(panels):
    again = generate_product(CATALOG.get("refined_zinc"), TARGETS)
    assert np.array_equal(again.panel.output, panels["refined_zinc"].panel.output)
    other = generate_product(CATALOG.get("refined_zinc"), TARGETS, seed=7)
    assert not np.array_equal(
        other.panel.output[:, : timeline.T_LAST], panels["refined_zinc"].panel.output[:, : timeline.T_LAST]
    )


# -- the register -------------------------------------------------------------------------------


def test_names_are_obviously_fictional(data):
    assert data.producers.get_column("name").str.starts_with("Demo ").all()
    assert data.producers.get_column("producer_id").str.starts_with("DEMO-").all()


def test_capacity_histories_are_valid(data):
    by_plant = defaultdict(list)
    for pid, valid_from, cap, event in data.capacity.select(
        "producer_id", "valid_from", "capacity", "event"
    ).iter_rows():
        by_plant[pid].append((valid_from, cap, event))
    for records in by_plant.values():
        dates = [r[0] for r in records]
        assert dates == sorted(dates) and len(set(dates)) == len(dates)
        assert all(r[1] >= 0 for r in records)
        assert all(d.day == 1 and d >= timeline.FIRST for d in dates)
        if records[-1][1] == 0:
            assert records[-1][2] == "closure"
    # Every return is for a month in which its producer has capacity and is in the panel.
    caps = {pid: sorted(r) for pid, r in by_plant.items()}
    panel = {pid: (a, b) for pid, a, b in data.panel.iter_rows()}
    for pid, period in data.returns.select("producer_id", "period").iter_rows():
        first, last = panel[pid]
        assert first <= period and (last is None or period <= last)
        in_force = [c for d, c, _ in caps[pid] if d <= period]
        assert in_force and in_force[-1] > 0


def test_breakdown_parts_add_up_to_output(data):
    parts = data.return_parts.filter(pl.col("dimension") == "form")
    sums = parts.group_by("producer_id", "period").agg(q=pl.col("quantity").sum())
    joined = sums.join(data.returns.select("producer_id", "period", "output"), on=["producer_id", "period"])
    assert joined.height > 0
    gap = (joined["q"] - joined["output"]).abs() / joined["output"].clip(1e-9)
    assert gap.max() < 1e-9


def test_halted_returns_have_no_output(data):
    halted = data.returns.filter(data.returns["status"] == "halted")
    assert halted.height > 0  # antimony's plants at zero
    assert (halted["output"] == 0).all()


# -- totals as calibrated, by plain sums ----------------------------------------------------------


def _hand_estimate(demo, t: int) -> float:
    """Σ over strata of (sample output × frame capacity / sample capacity), all by hand from
    the structure: the ratio estimator of the method, not the engine's code."""
    product = demo.product
    frame: dict[tuple, float] = defaultdict(float)
    sample: dict[tuple, float] = defaultdict(float)
    output: dict[tuple, float] = defaultdict(float)
    june_panel = {i for i, p in enumerate(demo.structure.plants) if p.in_panel(timeline.T_LAST)}
    for i, p in enumerate(demo.structure.plants):
        cap = p.capacity(t)
        if cap <= 0:
            continue
        values = {
            "size_class": product.size_class_for(cap),
            "region": p.region,
            "province": p.province,
            "feedstock": p.feedstock,
        }
        key = tuple(values[s] for s in product.strata)
        frame[key] += cap
        in_sample = i in june_panel if t == timeline.T_FORECAST else p.in_panel(t)
        if in_sample:
            sample[key] += cap
            output[key] += demo.panel.output[i, t]
    covered = sum(frame[k] for k in sample)
    assert covered == pytest.approx(sum(frame.values()))  # no stratum left uncovered
    return sum(output[k] * frame[k] / sample[k] for k in sample)


@pytest.mark.parametrize("code", ["primary_lead", "refined_zinc", "antimony_ingot", "copper_cathode"])
def test_the_ratio_estimate_of_the_returns_is_the_calibrated_path(panels, code):
    demo = panels[code]
    for t in (timeline.index("2024-06"), timeline.index("2025-05"), timeline.T_LAST, timeline.T_FORECAST):
        assert _hand_estimate(demo, t) == pytest.approx(demo.national.total[t], rel=1e-7)


def test_copper_june_is_the_reports_arithmetic(panels):
    x = panels["copper_cathode"].national.total
    june, may = timeline.T_LAST, timeline.T_LAST - 1
    assert abs(x[june] - x[may] - (-3400)) <= 50
    assert abs((x[june] / x[june - 12] - 1) * 100 - 12.93) <= 0.005
    ytd = x[timeline.index("2025-01") : june + 1].sum()
    ytd_before = x[timeline.index("2024-01") : june - 12 + 1].sum()
    assert abs(ytd - ytd_before - 674_700) <= 50


def test_missing_june_returns_were_scheduled_in_may(panels):
    for code in ("primary_lead", "refined_zinc"):
        demo = panels[code]
        june = timeline.T_LAST
        missing = np.nonzero(demo.panel.missing[:, june])[0]
        assert len(missing) == MISSING_IN_JUNE[code]
        for i in missing:
            assert demo.panel.schedule[i, june - 1] == demo.panel.output[i, june]


def test_antimony_statuses_are_the_reports_counts(panels):
    demo = panels["antimony_ingot"]
    june = timeline.T_LAST
    statuses = [demo.panel.status[i, june] for i in range(len(demo.structure.plants)) if demo.layout.in_panel[i, june]]
    assert len(statuses) == 33
    assert (statuses.count("halted"), statuses.count("cut"), statuses.count("normal")) == (
        15,
        15,
        3,
    )
    may = [
        demo.panel.status[i, june - 1] for i in range(len(demo.structure.plants)) if demo.layout.in_panel[i, june - 1]
    ]
    assert (may.count("halted"), may.count("cut"), may.count("normal")) == (11, 19, 3)


def test_a_month_is_a_twelfth_of_the_year_or_its_days():
    copper, zinc = CATALOG.get("copper_cathode"), CATALOG.get("refined_zinc")
    assert (copper.month_capacity, zinc.month_capacity) == ("twelfth", "days")
    feb, june = timeline.index("2025-02"), timeline.T_LAST
    assert timeline.month_share(copper)[feb] == pytest.approx(1 / 12)
    assert timeline.month_share(zinc)[feb] == pytest.approx(28 / 365)
    assert timeline.month_share(zinc)[timeline.index("2024-02")] == pytest.approx(29 / 365)
    # What a plant can make never exceeds its days: a twelfth is more than a month of 30 days
    # or fewer holds.
    assert timeline.limit_share(copper)[feb] == pytest.approx(28 / 365)
    assert timeline.limit_share(copper)[june] == pytest.approx(30 / 365)
    assert timeline.limit_share(copper)[timeline.T_FORECAST] == pytest.approx(1 / 12)


def _copper_rate(demo, t: int, sample_month: int) -> float:
    """The sample's operating rate by hand: output over capacity / 12, in %."""
    plants = demo.structure.plants
    rows = [i for i, p in enumerate(plants) if p.in_panel(sample_month) and p.capacity(t) > 0]
    output = sum(demo.panel.output[i, t] for i in rows)
    return 100.0 * output / (sum(plants[i].capacity(t) for i in rows) / 12.0)


def test_copper_rates_count_a_month_as_a_twelfth(panels):
    demo = panels["copper_cathode"]
    june, july = timeline.T_LAST, timeline.T_FORECAST
    r_may = _copper_rate(demo, june - 1, june - 1)
    r_june = _copper_rate(demo, june, june)
    r_july = _copper_rate(demo, july, june)  # the forecast runs June's panel on July
    # The report: 85.76% in June (-3.06 pp), 86.93% forecast for July (+1.18 pp).
    assert 85.755 <= r_june <= 85.765
    assert -3.065 <= r_june - r_may <= -3.055
    assert 86.925 <= r_july <= 86.935
    assert 1.175 <= r_july - r_june <= 1.185
    # No plant makes more than its capacity allows in the month's days (February included).
    for i, p in enumerate(demo.structure.plants):
        for t in range(timeline.N):
            days = timeline.DAYS[t]
            assert demo.panel.output[i, t] <= p.capacity(t) * days / 365.0 * (1 + 1e-9)


def test_copper_has_its_new_smelter_in_june_only(panels):
    demo = panels["copper_cathode"]
    new = [p for p in demo.structure.plants if p.role.startswith("newly")]
    assert len(new) == 1 and new[0].first == timeline.LAST and new[0].region == "east China"


def test_a_domain_whose_output_moves_as_its_parts_grew_keeps_them():
    """Two domains, two values. Last month's table: A (30, 10), B (20, 40). This month value 1
    grew 10% nationally (50 -> 55) and value 2 stayed (50); A's weighted output is 43 and
    B's 62, exactly last month's rows with value 1 grown 10%: so A makes 33 of value 1 and 10
    of value 2, B 22 and 40, and each plant's mix sums to one."""
    from metalstat.demo.allocate import _domain_mix, _Table

    values = np.array(["A", "A", "B", "B"], dtype=object)
    wy = np.array([20.0, 23.0, 30.0, 32.0])
    # The plants' own mixes: A makes (28, 15), B (27, 35); nationally (55, 50).
    mix = np.array([[0.25, 0.75], [1.0, 0.0], [0.5, 0.5], [0.375, 0.625]])
    tables = {("v", 0): _Table(["A", "B"], np.array([[30.0, 10.0], [20.0, 40.0]]), np.array([50.0, 50.0]))}
    out = _domain_mix(mix, wy, values, tables, 1, "v")
    a, b = values == "A", values == "B"
    assert (wy[a, None] * out[a]).sum(axis=0) == pytest.approx([33.0, 10.0])
    assert (wy[b, None] * out[b]).sum(axis=0) == pytest.approx([22.0, 40.0])
    assert out.sum(axis=1) == pytest.approx(np.ones(4))
    assert tables[("v", 1)].table == pytest.approx(np.array([[33.0, 10.0], [22.0, 40.0]]))


def test_an_empty_domain_or_part_stays_empty():
    """Domain B makes nothing this month and value 2 is made nowhere: A makes it all, of
    value 1, with no NaN anywhere."""
    from metalstat.demo.allocate import _domain_mix, _Table

    values = np.array(["A", "A", "B"], dtype=object)
    wy = np.array([10.0, 30.0, 0.0])
    mix = np.array([[1.0, 0.0], [1.0, 0.0], [0.5, 0.5]])
    tables = {("v", 0): _Table(["A", "B"], np.array([[30.0, 10.0], [20.0, 40.0]]), np.array([50.0, 50.0]))}
    out = _domain_mix(mix, wy, values, tables, 1, "v")
    assert np.isfinite(out).all()
    assert (wy[:, None] * out).sum(axis=0) == pytest.approx([40.0, 0.0])
    assert tables[("v", 1)].table == pytest.approx(np.array([[40.0, 0.0], [0.0, 0.0]]))


def _weighted(demo, part: str, mask: np.ndarray, t: int) -> float:
    lay = demo.layout
    resp = lay.in_panel[:, t] & ~demo.panel.missing[:, t] & mask
    return float((lay.weight[resp, t] * demo.panel.parts[part][resp, t]).sum())


def test_pr_nd_alloy_rises_in_gansu_on_its_expansion_projects():
    demo = generate_product(CATALOG.get("light_rare_earths"), TARGETS)
    june, may = timeline.T_LAST, timeline.T_LAST - 1
    plants = demo.structure.plants
    gansu = np.array([p.province == "Gansu" for p in plants])
    alloy = demo.panel.parts["series=Pr-Nd alloy"]
    # Three metal lines in Gansu at least, none above the dominance limit of the cell.
    for t in (may, june):
        lines = gansu & (alloy[:, t] > 0)
        assert lines.sum() >= 3
        w = demo.layout.weight[lines, t] * alloy[lines, t]
        assert w.max() / w.sum() <= 0.85
    # Every Gansu panel plant commissioned its expansion project on 1 June.
    panel = [p for p in plants if p.province == "Gansu" and p.in_panel(june)]
    assert len(panel) >= 3
    for p in panel:
        assert [(r[0], r[2]) for r in p.records][-1] == (timeline.LAST, "expansion")
        assert p.capacity(june) == pytest.approx(1.1 * p.capacity(may))
    everyone = np.ones(len(plants), dtype=bool)
    total = _weighted(demo, "series=Pr-Nd alloy", everyone, june) / _weighted(demo, "series=Pr-Nd alloy", everyone, may)
    there = _weighted(demo, "series=Pr-Nd alloy", gansu, june) / _weighted(demo, "series=Pr-Nd alloy", gansu, may)
    assert 1.0445 <= total < 1.0455  # the report's +4.5%
    assert there - 1 > 3 * (total - 1)
    for province in {p.province for p in plants} - {"Gansu"}:
        here = np.array([p.province == province for p in plants])
        before = _weighted(demo, "series=Pr-Nd alloy", here, may)
        if before > 0:
            assert abs(_weighted(demo, "series=Pr-Nd alloy", here, june) / before - 1) < 0.02, province
    # The oxide's gain: most in Jiangxi and Shandong.
    oxide = {
        province: _weighted(demo, "series=Pr-Nd oxide", here, june) / _weighted(demo, "series=Pr-Nd oxide", here, may)
        for province in {p.province for p in plants}
        if (here := np.array([p.province == province for p in plants])).any()
    }
    rest = max(v for k, v in oxide.items() if k not in ("Jiangxi", "Shandong"))
    assert min(oxide["Jiangxi"], oxide["Shandong"]) > rest


def test_spodumene_carbonate_rises_at_non_integrated_plants_too():
    demo = generate_product(CATALOG.get("lithium_carbonate"), TARGETS)
    june, may = timeline.T_LAST, timeline.T_LAST - 1
    for route in ("integrated", "non-integrated"):
        mask = np.array([p.feedstock == route for p in demo.structure.plants])
        change = _weighted(demo, "raw_material=spodumene", mask, june) / _weighted(
            demo, "raw_material=spodumene", mask, may
        )
        assert change - 1 >= 0.05, route  # "significant" at non-integrated plants


# -- auxiliary series and exports --------------------------------------------------------------------


def test_auxiliary_series_state_the_reports_levels(data):
    obs = data.auxiliary_observations
    port = obs.filter(obs["series"] == "port_copper_concentrate_inventory")
    by_month = {d.replace(day=1): v for d, v in port.select("date", "value").iter_rows()}
    assert by_month[date(2025, 5, 1)] == pytest.approx(795_900, abs=50)
    assert by_month[date(2025, 6, 1)] == pytest.approx(623_500, abs=50)


def test_auxiliary_figures_are_computed_by_hand():
    series = [{"code": "imports", "product": "refined_tin", "unit": "mt", "kind": "flow"}]
    obs = [{"series": "imports", "date": date(2025, m, 28), "value": float(100 * m)} for m in range(1, 7)]
    obs.append({"series": "imports", "date": date(2024, 6, 30), "value": 500.0})
    figs = auxiliary_dicts(series, obs, date(2025, 6, 1), CATALOG)
    got = {(f["statistic"], f["period"]): f["value"] for f in figs}
    assert got[("level", "2025-06")] == 600.0
    assert got[("mom_abs", "2025-06")] == 100.0
    assert got[("mom_pct", "2025-06")] == pytest.approx(20.0)
    assert got[("yoy_pct", "2025-06")] == pytest.approx(20.0)
    assert got[("ytd_level", "2025-01..2025-06")] == 2100.0
    assert figs[0]["product"] == "Refined Tin" and figs[0]["breakdown"] == {"series": "imports"}


def test_a_suppressed_figure_leaves_without_its_value():
    row = {
        "product": "copper_cathode",
        "kind": "actual",
        "measure": "production",
        "breakdown": "size_class=small",
        "statistic": "level",
        "period": "2025-06",
        "value": 12.5,
        "unit": "mt",
        "status": "E",
        "conf_status": "C",
    }
    assert figure_record(row, CATALOG)["value"] is None
    assert figure_record(row | {"conf_status": "F"}, CATALOG)["value"] == 12.5
    assert figure_record(row, CATALOG)["breakdown"] == {"size_class": "small"}


def test_a_share_of_sums_and_an_outlook_in_the_figures():
    series = [
        {"code": "mm", "product": "refined_tin", "unit": "mt", "kind": "flow"},
        {"code": "all", "product": "refined_tin", "unit": "mt", "kind": "flow"},
        {"code": "mm_share", "product": "refined_tin", "unit": "%", "kind": "ratio", "numerator": "mm",
         "denominator": "all"},
        {"code": "tc", "product": "refined_tin", "unit": "yuan/mt", "kind": "price",
         "outlooks": [{"month": date(2025, 7, 1), "value": 11_400.0}, {"month": date(2025, 8, 1), "value": 9.0}]},
    ]  # fmt: skip
    mm, every = (1_000.0, 100.0, 900.0), (2_000.0, 4_000.0, 3_000.0)
    obs = [{"series": "mm", "date": date(2025, m, 28), "value": v} for m, v in enumerate(mm, start=1)]
    obs += [{"series": "all", "date": date(2025, m, 28), "value": v} for m, v in enumerate(every, start=1)]
    obs += [{"series": "mm_share", "date": date(2025, m, 28), "value": 100 * a / b} for m, (a, b) in
            enumerate(zip(mm, every, strict=True), start=1)]  # fmt: skip
    obs += [{"series": "tc", "date": date(2025, 6, 30), "value": 12_000.0}]
    figs = auxiliary_dicts(series, obs, date(2025, 6, 1), CATALOG)
    got = {(f["kind"], f["breakdown"]["series"], f["statistic"], f["period"]): f["value"] for f in figs}
    # 2,000 / 9,000 = 22.22 %, not the mean of 50, 2.5 and 30 (27.5 %)
    assert got[("actual", "mm_share", "ytd_level", "2025-01..2025-03")] == pytest.approx(2_000 / 9_000 * 100)
    # July's outlook 11,400 against June's 12,000: -600, -5 %; August's is not next month's
    assert got[("forecast", "tc", "level", "2025-07")] == 11_400.0
    assert got[("forecast", "tc", "mom_abs", "2025-07")] == -600.0
    assert got[("forecast", "tc", "mom_pct", "2025-07")] == pytest.approx(-5.0)
    assert not any(k[0] == "forecast" and k[3] == "2025-08" for k in got)
    assert next(f for f in figs if f["kind"] == "forecast")["status"] == "F"


def test_every_demo_market_series_unit_has_a_chinese_name():
    """A unit the Chinese language file does not name is printed as the database spells it
    (USD/wmt), English in the Chinese body; the slow demo report test finds it, this finds
    it without a demo."""
    from metalstat.demo.auxiliary import series_and_observations
    from metalstat.report.language import load_language

    series, _, _ = series_and_observations(TARGETS, seed=0)
    named = load_language("zh").config["units"]
    assert not sorted(set(series["unit"].to_list()) - set(named))


def test_a_drift_bends_a_path_from_its_month_on():
    from metalstat.demo.auxiliary import drift

    d = drift("2025-03", -6.0)
    i = timeline.index("2025-03")
    # 1 before March 2025, then 0.94, 0.94² = 0.8836, 0.94³ = 0.830584
    assert d[0] == 1.0 and d[i - 1] == 1.0
    assert d[i : i + 3] == pytest.approx([0.94, 0.8836, 0.830584])


def test_assumed_market_levels_hold_to_their_yardsticks():
    """The levels docs/demo.md reasons from: black mass paid at a coefficient of its
    lithium's worth below 1 (10 kg Li a point, 5.323 kg of carbonate a kg), the ore of a
    nickel unit dearer than nothing but cheaper than the NPI it makes, stocks at the month's
    end moving the way the seed says since the month their story starts."""
    from metalstat.demo.auxiliary import DROPPED, series_and_observations

    series, obs, _ = series_and_observations(TARGETS, seed=0)
    said = {t.breakdown["series"] for t in TARGETS if t.measure == "auxiliary" and t.kind == "actual"}
    assert said - DROPPED <= set(series["code"].to_list())
    v = {s: dict(obs.filter(pl.col("series") == s).select("date", "value").iter_rows()) for s in said}
    june, may = date(2025, 6, 30), date(2025, 5, 31)
    for d, black in v["black_mass_price"].items():
        worth = v["lithium_carbonate_spot_price"][d] * 10 * 5.323 / 1000
        assert 0.5 < black / worth < 0.8, d
    # June: carbonate down, black mass held: the coefficient rose
    assert v["black_mass_price"][june] / v["lithium_carbonate_spot_price"][june] > (
        v["black_mass_price"][may] / v["lithium_carbonate_spot_price"][may]
    )
    npi = dict(obs.filter(pl.col("series") == "high_grade_npi_price").select("date", "value").iter_rows())
    assert all(0 < ore < npi[d] for d, ore in v["npi_smelter_ore_cost"].items())
    cobalt = [v["cobalt_intermediate_smelter_inventory"][date(2025, m, d)] for m, d in ((2, 28), (6, 30))]
    assert cobalt[1] < 0.85 * cobalt[0]  # four months of drawing down after the export ban
    tin = v["jiangxi_scrap_tin_circulation"]
    assert tin[june] < 0.7 * tin[date(2024, 6, 30)]
    assert abs(tin[june] / tin[may] - 1) < 0.1  # the year's fall is not taken in June alone


def test_a_rate_that_only_rose_needs_no_capacity_step():
    """An open-ended "the operating rate rose" admits up to +100 pp; it asks for no capacity
    change when output alone raises the rate by a few points (a fifth of the range as margin
    once called for an 18 pp jump on 27% less capacity)."""
    import numpy as np

    from metalstat.catalog import load_catalog
    from metalstat.demo import timeline
    from metalstat.demo.structure import rate_anchors
    from metalstat.demo.targets import Target

    product = next(p for p in load_catalog() if p.code == "lithium_carbonate")
    june = timeline.T_LAST
    share = timeline.month_share(product)
    # June 78,000 t at 52% of capacity; May 72,000 t: on June's capacity May ran at
    # 52% × (72,000 / share[May]) / (78,000 / share[June]), some 4-6 pp below June
    level = np.full(timeline.N, 72_000.0)
    level[june] = 78_000.0
    may_rate = 52.0 * (72_000.0 / share[june - 1]) / (78_000.0 / share[june])
    assert 3.0 < 52.0 - may_rate < 7.0
    rose = Target(
        product=product.code, kind="actual", period=timeline.LABELS[june], measure="operating_rate",
        statistic="pp_mom", hedge="direction", direction="up", about="the rate rose",
    )  # fmt: skip
    assert rate_anchors(product, [rose], level, 52.0) == {}
    # a rise the output cannot give by itself (May as high as June) still gets May's capacity
    flat = np.full(timeline.N, 78_000.0 * share[june - 1] / share[june])
    flat[june] = 78_000.0
    anchors = rate_anchors(product, [rose], flat, 52.0)
    may_cap = anchors[june - 1]
    annual_may = flat[june - 1] / share[june - 1]
    assert 52.0 - 100.0 * annual_may / may_cap == pytest.approx(1.5)  # lo + 0.3 × 5 pp
