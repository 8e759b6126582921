"""Drafted text against figures worked out by hand (see fixtures.py for the levels)."""

from __future__ import annotations

import json
import re

import polars as pl
import pytest

from metalstat.report import draft_report, render_html, render_markdown
from metalstat.report.figureset import FigureSet
from metalstat.report.inputs import ReportInput
from metalstat.report.render import render_json
from tests.report.fixtures import CATALOG, SECRET_SHARE, commentary, report_input


def paragraphs(report, code):
    """A product's drafted text by slot: its page's and its part of the data annex together."""
    section = next(s for s in report.sections if s.code == code)
    text: dict[str, str] = {}
    for p in [*section.paragraphs, *section.annex]:
        if p.source == "drafted":
            text[p.slot] = "\n\n".join(t for t in (text.get(p.slot), p.text) if t)
    return text, section


@pytest.fixture(scope="module")
def en():
    return draft_report(report_input(), "en")


@pytest.fixture(scope="module")
def zh():
    return draft_report(report_input(), "zh")


def test_copper_production_paragraph(en):
    text = paragraphs(en, "copper_cathode")[0]["production"]
    # June 1,138,600 against May 1,142,000 (-3,400, -0.2977 %: "flat" by the hedge rules)
    # and June 2024 1,008,200 (+130,400, +12.934 %)
    assert "China's copper cathode production was 1,138,600 mt in June 2025 (30 days" in text
    assert "38,000 mt a day" in text  # 37,953.3 rounded to 100 mt
    assert "held flat against May (down 0.30%, 3,400 mt)" in text
    assert "up 12.93% (130,400 mt) YoY" in text
    # Jan-Jun 2025 6,665,600 against 5,928,200: +737,400, +12.439 %
    assert "January–June 2025 reached 6,665,600 mt, 737,400 mt or 12.44% more" in text
    # the June forecast made in May: 1,138,600 + 14,232.5 = 1,152,832.5, 1.25 % above
    assert "Last month's forecast, 1,152,800 mt, was 1.25% above this estimate" in text


def test_copper_operating_rates(en):
    text = paragraphs(en, "copper_cathode")[0]["operating_rate"]
    assert "The sample operating rate was 85.76% in June, down 3.06 percentage points MoM" in text
    assert "−2.50 percentage points" in text
    assert "like for like, the rate was down 0.56 percentage points" in text
    assert "large 87.52% (down 5.21 pp); medium 84.87% (up 0.19 pp); small 69.37% (up 6.48 pp)" in text
    assert "copper concentrate 89.10% (down 4.20 pp)" in text


def test_copper_forecast(en):
    text = paragraphs(en, "copper_cathode")[0]["forecast"]
    # July 1,154,100: +15,500 (+1.3613 %) on June, +122,200 (+11.842 %) on July 2024
    assert "July 2025 output is expected at 1,154,100 mt" in text
    assert "edge up by 15,500 mt (1.36%) MoM" in text
    assert "up 11.84% (122,200 mt) YoY" in text
    # Jan-Jul: 7,819,700 against 6,960,100: +859,600, +12.350 %
    assert "January–July 2025 would then total 7,819,700 mt, 859,600 mt or 12.35% more" in text
    assert "86.93%, up 1.17 percentage points MoM" in text
    assert (
        "Producers entering or leaving the sample account for −0.35 percentage points of the operating rate's "
        "expected change; like for like, the rate is expected up 1.52 percentage points." in text
    )
    # on the product's page, the outlook with the producers planning changes (its reason) in
    # one paragraph; the outlook's rate is the key table's, so it and its detail are in the annex
    section = paragraphs(en, "copper_cathode")[1]
    page = next(p.text for p in section.paragraphs if p.slot == "forecast")
    assert "\n\n" not in page and page.startswith("Based on producers' schedules")
    assert "For July, 55.00% of the surveyed producers plan lower daily output" in page
    assert "operating rate" not in page
    annex = next(p.text for p in section.annex if p.slot == "forecast")
    assert annex.startswith("Output for January–July 2025 would then total")
    assert "The operating rate is expected at 86.93%" in annex
    assert "For July, 55.00% of the surveyed producers plan lower daily output and 4 surveyed " in text
    assert "producers plan higher daily output." in text
    assert "seasonal naive projection gives 1,095,000 mt" in text
    assert "Stoppages and cuts planned for July: maintenance in east China (1 producer)" in text


def test_drivers_counts_events_and_market(en):
    drafted = paragraphs(en, "copper_cathode")[0]
    drivers = drafted["drivers"]
    # one family of counts on the page: by change of daily output; the data annex has the
    # status counts (this fixture gives only two statuses, so no "did not report" is made up)
    page = next(p.text for p in paragraphs(en, "copper_cathode")[1].paragraphs if p.slot == "drivers")
    assert "cut output (7 more than in May)" not in page
    assert "was under maintenance" not in page
    assert drivers.endswith(
        "By reported status, of the 40 producers in the sample, 15 cut output (7 more than in May) and "
        "1 was under maintenance (as many as in May)."
    )
    assert (
        "15 surveyed producers (37.50%) lowered their daily output in June, against 18.75% in May, "
        "while none raised it." in drivers
    )
    assert "environmental inspections in north China (1 producer, unplanned)" in drivers
    # one producer's affected capacity is not given away
    assert "150,000" not in drivers
    # May 795,900 -> June 623,500: -172,400 = -21.661 %; June 2024 700,000: -76,500 = -10.929 %;
    # July (already observed) 620,000: -3,500 = -0.561 %
    assert drafted["market"] == (
        "Port copper concentrate inventory stood at 623,500 mt on 27 June 2025, down 172,400 mt "
        "(21.66%) from 795,900 mt in May and down 76,500 mt (10.93%) from a year earlier. For July it is "
        "already set at 620,000 mt, down 3,500 mt (0.56%) from June."
    )
    assert "commissioning in east China (1 plant, +400,000 mt/year)" in drafted["capacity"]


def test_capacity_by_region_and_forecast_structure(en, zh):
    drafted = paragraphs(en, "copper_cathode")[0]
    assert "Operating capacity by region: east China 5,000,000 mt/year (up 400,000 mt/year MoM)" in drafted["capacity"]
    # 15,300,000 expected for July, +1.50 % (226,100) on June's 15,073,900
    assert "Operating capacity is expected at 15.30 million mt/year at the end of July" in (drafted["forecast"])
    forecast = paragraphs(en, "ternary_precursor")[0]["forecast"]
    assert "By product series: 6-series 43.00% of output (up 0.67 pp)" in forecast
    zh_forecast = paragraphs(zh, "ternary_precursor")[0]["forecast"]
    assert "分产品系列看，6系占比43.00%（上升0.67个百分点）" in zh_forecast
    assert (
        "分地区看运行产能，华东500.00万吨/年（环比增加40.00万吨/年）"
        in (paragraphs(zh, "copper_cathode")[0]["capacity"])
    )


def test_hedge_words_follow_the_numbers(en):
    # nickel sulphate -1.4257 % and precursor +2.3118 %: "slightly" by the hedge rules
    assert "edged down by 350 mt (1.43%) MoM" in paragraphs(en, "nickel_sulphate")[0]["production"]
    assert "edged up by 1,800 mt (2.31%) MoM" in paragraphs(en, "ternary_precursor")[0]["production"]


def test_metal_and_physical_content(en):
    drafted, section = paragraphs(en, "nickel_sulphate")
    text = drafted["production"]
    assert "production in metal content was 24,200 mt" in text
    # physical 110,200 against 111,800 (-1.431 %) and 137,200 (-19.679 %)
    assert "In physical content, output was 110,200 mt, down 1.43% MoM and down 19.68% YoY" in text
    assert "More than 30% of this estimate is imputed" in text  # flagged I, threshold 0.3
    assert "operating_rate" not in drafted  # the product has no operating rate
    labels = [row[0].text for row in section.table.rows]
    assert labels[:2] == ["Production, metal content", "Production, physical content"]


def test_chinese_conventions(zh):
    drafted = paragraphs(zh, "copper_cathode")[0]
    text = drafted["production"]
    assert "中国电解铜产量为113.86万吨" in text
    assert "环比基本持平（下降0.30%，减少3400吨）" in text
    assert "同比增长12.93%（增加13.04万吨）" in text
    assert "2025年1-6月累计产量666.56万吨，同比增加73.74万吨，增幅12.44%" in text
    assert "上月基于排产对6月的预测为115.28万吨，较本月估计值高1.25%" in text
    assert "环比下降3.06个百分点" in drafted["operating_rate"]
    assert "大型87.52%（下降5.21个百分点）" in drafted["operating_rate"]
    assert "预计2025年7月产量为115.41万吨，环比小幅增长1.36%（增加1.55万吨）" in drafted["forecast"]
    assert "华北地区环保检查（1家，计划外）" in drafted["drivers"]
    assert (
        "6月样本中15家企业（占37.50%）日均产量下降（5月为18.75%），样本中没有企业日均产量上升。" in (drafted["drivers"])
    )
    assert "7月样本中占55.00%的企业计划降低日均产量，样本中4家企业计划提高日均产量。" in drafted["forecast"]
    assert (
        "开工率预计变动中，企业进出样本的影响为−0.35个百分点，同口径开工率预计环比上升1.52个百分点。"
        in drafted["forecast"]
    )
    assert " " not in text  # Chinese lines are joined without spaces


def test_suppressed_cell_is_never_printed():
    inp = report_input()
    figs = FigureSet(inp.figures, inp.period)
    for lang in ("en", "zh"):
        report = draft_report(inp, lang, figs)
        outputs = [render_html(report), render_markdown(report), render_json(report, inp, figs)]
        for out in outputs:
            assert f"{SECRET_SHARE:.2f}" not in out
            assert f"{SECRET_SHARE:.1f}" not in out
            assert str(SECRET_SHARE) not in out
    text = paragraphs(draft_report(inp, "en", figs), "ternary_precursor")[0]["structure"]
    assert "5-series 16.76% of output (down 0.42 pp)" in text
    assert "8-series withheld for confidentiality" in text


def test_withheld_headline_is_not_printed(en):
    drafted = paragraphs(en, "refined_bismuth")[0]
    assert "is not published" in drafted["production"]
    # June level 1,491.3 and MoM -1.24 % are withheld (status U)
    for out in (render_html(en), render_markdown(en)):
        assert "1,491" not in out and "1,500 mt" not in out and "1.24%" not in out
    overview_row = next(r for r in en.overview.rows if r[0].text == "Refined Bismuth")
    assert overview_row[1].text == "—" and overview_row[1].status == "U"
    assert ("U", "withheld: coverage or response below the product's minimum") in en.legend


def test_status_marks_in_tables(en):
    row = next(r for r in en.overview.rows if r[0].text == "Copper Cathode")
    # the month is provisional: said once in the legend, not on every cell
    assert row[1].text == "1,138,600 mt" and row[1].status == ""
    assert (
        "P",
        "provisional: every June 2025 estimate may be revised next month (not marked cell by cell)",
    ) in en.legend
    assert row[5].text == "+1.36%"  # forecast MoM
    key = {r[0].text: r for r in paragraphs(en, "copper_cathode")[1].table.rows}
    assert key["Operating rate"][1].status == "B"
    assert key["Forecast Jul 2025"][1].status == "F"


def test_forecast_accuracy_table(en):
    (row,) = en.accuracy.rows
    # the June forecast as May's release stated it: 1,152,832.5 (the fixture's prior forecast)
    assert [c.text for c in row] == [
        "Copper Cathode",
        "1,152,800 mt",
        "1,138,600 mt",
        "+1.25%",
        "1.80%",
    ]


def test_methodology_sample_note(en):
    notes = paragraphs(en, "copper_cathode")[1].notes
    assert notes == [
        "Note: the survey sample holds 40 producers in 14 provinces, with a combined capacity "
        "of 15.30 million mt/year, 96.4% of national capacity; 92.5% of them returned this "
        "month, and 3.1% of the estimate is imputed."
    ]
    row = en.methodology.rows[0]
    assert [c.text for c in row] == [
        "Copper Cathode",
        "40",
        "14",
        "15.30 million mt/year",
        "96.4%",
        "92.5%",
        "3.1%",
    ]


def test_commentary_placed_where_the_analyst_puts_it():
    inp = report_input(
        commentary=(
            commentary("copper_cathode", "drivers", "replace", "Smelters cut on thin margins."),
            commentary("copper_cathode", "production", "before", "A quiet month overall."),
            commentary("copper_cathode", "forecast", "after", "Watch sulphuric acid prices."),
            commentary("", "end", "after", "Closing remarks for the month."),
            commentary("copper_cathode", "drivers", "replace", "只在中文版出现。", lang="zh"),
        )
    )
    report = draft_report(inp, "en")
    section = report.sections[0]
    slots = [(p.slot, p.source) for p in section.paragraphs]
    assert slots[:2] == [("production", "analyst"), ("production", "drafted")]
    drivers = [p for p in section.paragraphs if p.slot == "drivers"]
    assert [p.text for p in drivers] == ["Smelters cut on thin margins."]
    forecast = [p for p in section.paragraphs if p.slot == "forecast"]
    assert [p.source for p in forecast] == ["drafted", "analyst"]
    assert forecast[1].text == "Watch sulphuric acid prices."
    assert [p.text for p in report.closing] == ["Closing remarks for the month."]
    html = render_html(report)
    assert "Closing remarks for the month." in html and "只在中文版出现" not in html
    assert re.search(r'<p class="analyst slot-drivers">Smelters cut', html)
    assert "— Analyst&#39;s note: A. Analyst</span>" in html or "— Analyst's note: A. Analyst</span>" in html
    # the signature in the language's punctuation: a full-width colon in Chinese
    zh = draft_report(inp, "zh")
    assert "只在中文版出现。 — *分析师点评：A. Analyst*" in render_markdown(zh)
    assert "分析师点评：A. Analyst</span>" in render_html(zh)


def test_input_is_checked():
    with pytest.raises(ValueError, match="mode 'instead'"):
        report_input(commentary=(commentary("copper_cathode", "drivers", "instead", "x"),))
    with pytest.raises(ValueError, match="missing column"):
        ReportInput(period="2025-06", figures=pl.DataFrame({"product": ["x"]}), catalog=CATALOG)


def test_products_subset_and_missing_figures():
    report = draft_report(report_input(products=("ternary_precursor",)), "en")
    assert [s.code for s in report.sections] == ["ternary_precursor"]
    drafted = paragraphs(report, "ternary_precursor")[0]
    assert "drivers" not in drafted  # nothing to say, no text
    # no forecast level: only the expected structure is stated
    assert drafted["forecast"].startswith("Expected structure of output. By product series")


def test_a_breakdown_that_copies_its_total_is_not_drafted():
    from metalstat.report.drafting import BREAKDOWN_MIN_SPREAD, informative

    assert BREAKDOWN_MIN_SPREAD == 0.5
    total = {"mom_pct": -3.23, "yoy_pct": 1.57}
    copies = [{"mom_pct": -3.23, "yoy_pct": 1.57}, {"mom_pct": -3.24, "yoy_pct": 1.60}]
    assert not informative(copies, total)  # every class within 0.5 points of the total
    apart = [{"mom_pct": -3.23, "yoy_pct": 1.57}, {"mom_pct": -2.73, "yoy_pct": 1.57}]
    assert informative(apart, total)  # 0.50 points away: says something
    # a rate by class against the overall rate: every class at 55.00% says nothing
    assert not informative([{"level": 55.0, "pp_mom": 0.1}] * 3, {"level": 55.0, "pp_mom": 0.1})
    assert informative([{"level": 87.5, "pp_mom": -5.2}], {"level": 85.76, "pp_mom": -3.06})
    # nothing to compare: kept
    assert informative([{"mom_abs": 400_000.0}], {"mom_pct": None})


def test_a_range_split_in_two_series_is_quoted_once():
    from metalstat.report.drafting import join_ranges

    def item(code: str, name: str, value: float) -> dict:
        kind = "range" if code.endswith(("_low", "_high")) else "price"
        return {"code": code, "name": name, "value": value, "month": "2025-06", "kind": kind}

    joined = join_ranges(
        [
            item("pb50_tc_low", "Pb50 TC low", 400.0),
            item("pb50_tc_high", "Pb50 TC high", 700.0),
            item("lead_price", "Lead price", 17_100.0),
            item("lead_price_high", "Lead price high", 17_270.0),
        ]
    )
    assert [(a["name"], a["kind"]) for a in joined] == [("Pb50 TC", "range"), ("Lead price", "price")]
    assert (joined[0]["low"], joined[0]["high"]) == (400.0, 700.0)
    assert joined[1]["high"] == 17_270.0  # the month's high beside the price it bounds
    # a price whose code only ends like a bound is no bound: its kind says so
    not_a_bound = {**item("x_high", "X high", 1.0), "kind": "price"}
    kept = join_ranges([item("lead_price", "Lead price", 17_100.0), not_a_bound])
    assert [a["name"] for a in kept] == ["Lead price", "X high"]
    zh = join_ranges([item("tc_low", "加工费（低位）", 1.0), item("tc_high", "加工费（高位）", 2.0)])
    assert zh[0]["name"] == "加工费"


def test_the_reasons_named_are_those_that_weigh_most():
    from datetime import date

    from metalstat.report.drafting import MAX_REASONS, event_weight
    from metalstat.report.inputs import MaintenanceItem

    def event(region: str, reason: str, start: date, end: date | None, cap: float | None) -> MaintenanceItem:
        return MaintenanceItem("copper_cathode", region, "", reason, True, start, end, cap)

    # 100,000 mt/year stopped 10 days of June (1-10 June): 1,000,000; 20,000 stopped all June:
    # 600,000; an event from 25 May to 3 June counts its 3 June days: 300,000 x 3 = 900,000
    assert (
        event_weight(event("east China", "maintenance", date(2025, 6, 1), date(2025, 6, 10), 100_000), "2025-06")
        == 1_000_000
    )
    assert event_weight(event("north China", "environmental", date(2025, 5, 1), None, 20_000), "2025-06") == 600_000
    assert (
        event_weight(event("central China", "losses", date(2025, 5, 25), date(2025, 6, 3), 300_000), "2025-06")
        == 900_000
    )
    assert event_weight(event("east China", "maintenance", date(2025, 7, 1), None, 1e6), "2025-06") == 0
    assert MAX_REASONS == 3


def test_the_drivers_name_the_three_heaviest_reasons_first():
    from datetime import date

    from metalstat.report.inputs import MaintenanceItem

    def event(region: str, reason: str, cap: float, days: int) -> MaintenanceItem:
        return MaintenanceItem("copper_cathode", region, "", reason, False, date(2025, 6, 1), date(2025, 6, days), cap)

    events = (
        event("south China", "maintenance", 10_000.0, 30),  # 300,000: fourth, left out
        event("north China", "environmental_inspection", 100_000.0, 10),  # 1,000,000: first
        event("east China", "maintenance", 50_000.0, 10),  # 500,000: third
        event("central China", "maintenance", 30_000.0, 20),  # 600,000: second
    )
    drafted = paragraphs(draft_report(report_input(events=events), "en"), "copper_cathode")[0]["drivers"]
    named = [r for r in ("north China", "central China", "east China", "south China") if r in drafted]
    assert named == ["north China", "central China", "east China"]
    assert drafted.index("north China") < drafted.index("central China") < drafted.index("east China")


def test_counts_name_the_producers_compared_once():
    from metalstat.engine.figures import FIGURES
    from tests.report.fixtures import PERIOD, copper_rows, fig

    rows = [
        *copper_rows(),
        fig("copper_cathode", "producer_count", "count", PERIOD, 40, unit="count", breakdown="change=compared"),
    ]
    inp = report_input(figures=pl.DataFrame(rows, schema=FIGURES))
    en = paragraphs(draft_report(inp, "en"), "copper_cathode")[0]["drivers"]
    assert "Of the 40 producers that reported output in both months, 15 (37.50%) lowered their daily output" in en
    zh = paragraphs(draft_report(inp, "zh"), "copper_cathode")[0]["drivers"]
    assert "6月，在两个月均有产量数据的40家企业中，15家（占37.50%）日均产量下降" in zh
    assert "样本中15家" not in zh


def test_last_months_forecast_is_the_one_its_release_stated():
    """The prior forecast is quoted from the release that made it (kind=forecast), never
    worked back from the estimate and the error: a stated 1,150,000 mt stays 1,150,000 mt,
    though 1,138,600 mt + 14,232.5 mt would give 1,152,832.5 mt; without it, no sentence."""
    from tests.report.fixtures import FIGURES, fig

    row = fig("copper_cathode", "production", "level", "2025-06", 1_150_000.0, kind="forecast", status="F")
    stated = draft_report(report_input(prior_forecasts=pl.DataFrame([row], schema=FIGURES)), "en")
    text = paragraphs(stated, "copper_cathode")[0]["production"]
    assert "Last month's forecast, 1,150,000 mt, was 1.25% above" in text
    assert "1,152,833" not in text and "1,152,832" not in text
    accuracy = {r[0].text: r[1].text for r in stated.accuracy.rows}
    assert accuracy["Copper Cathode"] == "1,150,000 mt"
    none = draft_report(report_input(prior_forecasts=None), "en")
    assert "Last month's forecast" not in paragraphs(none, "copper_cathode")[0]["production"]


def test_the_declared_kind_words_a_market_series_not_its_name():
    """The same observations, declared as something else than their name suggests: the
    drafting follows the declared kind."""
    from dataclasses import replace

    base = report_input()
    stock = base.auxiliary[0]
    # declared a flow: a month's quantity, "came to ... in June"
    flow = replace(stock, kind="flow")
    market = paragraphs(draft_report(report_input(auxiliary=(flow,)), "en"), "copper_cathode")[0]["market"]
    assert market.startswith("Port copper concentrate inventory came to 623,500 mt in June, down 172,400 mt")
    # declared a fact: said once, no monthly change (against a year earlier: -76,500 mt)
    fact = replace(stock, kind="fact")
    market = paragraphs(draft_report(report_input(auxiliary=(fact,)), "en"), "copper_cathode")[0]["market"]
    assert market.startswith(
        "Port copper concentrate inventory: 623,500 mt, down 76,500 mt (10.93%) from a year earlier."
    )
    assert "172,400" not in market


def month_end_price(code, name, name_zh, unit, may, june):
    """A copper cathode price observed at the ends of May and June 2025."""
    from datetime import date

    from metalstat.report.inputs import AuxiliaryObservation, AuxiliarySeries

    return AuxiliarySeries(
        code=code,
        name=name,
        name_zh=name_zh,
        unit=unit,
        product="copper_cathode",
        kind="price",
        observations=(AuxiliaryObservation(date(2025, 5, 31), may), AuxiliaryObservation(date(2025, 6, 30), june)),
    )


def test_an_analysts_outlook_is_stated_with_its_source_in_both_languages():
    from dataclasses import replace
    from datetime import date

    from metalstat.report.inputs import AuxiliaryOutlook

    acid = replace(
        month_end_price("sulphuric_acid_price", "Sulphuric acid price", "硫酸价格", "yuan/mt", 680.0, 700.0),
        outlooks=(
            AuxiliaryOutlook(
                date(2025, 7, 1), 728.0, "contracts", "smelters' July acid contracts", "冶炼厂7月硫酸合同"
            ),
        ),
    )
    inp = report_input(auxiliary=(acid,))
    # July 728 against June 700: +28 yuan/mt, +4.00 %
    # stated on the product's page, in its outlook (the data annex lists the series' months)
    en = paragraphs(draft_report(inp, "en"), "copper_cathode")[0]["forecast"]
    assert (
        "Sulphuric acid price is expected at 728 yuan/mt in July, up 28 yuan/mt (4.00%) from June, "
        "according to smelters' July acid contracts." in en
    )
    zh = paragraphs(draft_report(inp, "zh"), "copper_cathode")[0]["forecast"]
    assert "预计7月硫酸价格为728元/吨，较6月上涨28元/吨（涨幅4.00%），依据冶炼厂7月硫酸合同。" in zh
    # without the analyst's detail, the kind of source
    bare = replace(acid, outlooks=(replace(acid.outlooks[0], detail="", detail_zh=""),))
    en = paragraphs(draft_report(report_input(auxiliary=(bare,)), "en"), "copper_cathode")[0]["forecast"]
    assert "from June, according to contracts and tenders already signed." in en
    # an outlook for another month than next is not stated
    other = replace(acid, outlooks=(replace(acid.outlooks[0], month=date(2025, 8, 1)),))
    en = paragraphs(draft_report(report_input(auxiliary=(other,)), "en"), "copper_cathode")[0]["forecast"]
    assert "according to" not in en and "Sulphuric" not in en


def test_a_price_is_the_months_average_in_both_languages():
    """A price (kind: a monthly average) dated at its month's end is said as the month's
    average, with the words of a price (上涨, 跌幅); a reading dated inside the month keeps its
    date."""
    from dataclasses import replace
    from datetime import date

    from metalstat.report.inputs import AuxiliaryObservation

    scrap = month_end_price("ndfeb_scrap_price", "NdFeB scrap price", "钕铁硼废料价格", "yuan/kg", 397.0, 400.0)
    cost = replace(scrap, code="ore_cost", name="Ore cost", name_zh="镍矿成本")
    inp = report_input(auxiliary=(scrap, cost))
    # June 400 against May 397: +3 yuan/kg, +0.7557 %
    en = paragraphs(draft_report(inp, "en"), "copper_cathode")[0]["market"]
    assert "NdFeB scrap price averaged 400 yuan/kg in June, up 3 yuan/kg (0.76%) from 397 yuan/kg in May." in en
    assert "on 30 June" not in en
    zh = paragraphs(draft_report(inp, "zh"), "copper_cathode")[0]["market"]
    assert "6月钕铁硼废料均价为400元/千克，较5月的397元/千克上涨3元/千克（涨幅0.76%）。" in zh
    assert "6月镍矿成本月均为400元/千克" in zh
    dated = replace(scrap, observations=(*scrap.observations[:1], AuxiliaryObservation(date(2025, 6, 20), 400.0)))
    en = paragraphs(draft_report(report_input(auxiliary=(dated,)), "en"), "copper_cathode")[0]["market"]
    assert "NdFeB scrap price stood at 400 yuan/kg on 20 June 2025" in en


def test_a_share_of_year_to_date_sums_is_stated_from_the_sums():
    from datetime import date

    from metalstat.report.inputs import AuxiliaryObservation, AuxiliarySeries

    def obs(values):
        return tuple(AuxiliaryObservation(date(2025, m, 28), v) for m, v in enumerate(values, start=1))

    origin, total = obs([1_000.0, 100.0, 900.0, 500.0, 500.0, 600.0]), obs([2_000.0, 4_000.0, 3_000.0] * 2)
    share = AuxiliarySeries(
        code="origin_share",
        name="Origin share of imports",
        name_zh="来源国占进口比例",
        unit="%",
        product="copper_cathode",
        kind="ratio",
        observations=tuple(
            AuxiliaryObservation(a.date, 100 * a.value / b.value) for a, b in zip(origin, total, strict=True)
        ),
        parts=(origin, total),
    )
    # Σ origin Jan..Jun = 3,600; Σ total = 18,000: 20.00 % (the mean of the six monthly
    # shares, (50 + 2.5 + 30 + 25 + 12.5 + 20) / 6 = 23.33 %, is not it)
    en = paragraphs(draft_report(report_input(auxiliary=(share,)), "en"), "copper_cathode")[0]["market"]
    assert "Over January–June 2025 it came to 20% of the period's total." in en
    zh = paragraphs(draft_report(report_input(auxiliary=(share,)), "zh"), "copper_cathode")[0]["market"]
    assert "累计占比20%。" in zh


def test_key_takeaways_are_true_of_the_figures(en, zh):
    """June against May in the fixtures: nickel sulphate 110,200 against 111,800 mt physical,
    -1.43% (the only fall); the precursor 77,450 against 75,700, +2.31% (1,750 / 75,700); copper
    -0.30%, held flat. May's forecast of copper, 1,152,832.5 mt, was 1.25% above June's
    1,138,600 mt; July: copper +1.36% the one rise expected."""
    assert en.takeaways[0] == "Largest fall: Nickel Sulphate, down 1.43% MoM."
    assert en.takeaways[1] == "Largest rise: Ternary Cathode Precursor, up 2.31% MoM."
    assert "1 rose, 1 fell and 1 held about flat" in en.takeaways[2]
    assert en.takeaways[3] == (
        "Largest surprise against last month's forecast: Copper Cathode, estimated at 1,138,600 mt "
        "against a forecast of 1,152,800 mt: the forecast was 1.25% above the estimate."
    )  # one forecast only: no count of close ones
    assert "the largest rise in Copper Cathode (up 1.36%)" in en.takeaways[4]
    assert zh.takeaways[0] == "降幅最大：硫酸镍，产量环比下降1.43%。"
    assert "上月预测115.28万吨，预测较估计值高1.25%" in zh.takeaways[3]


def test_sections_and_overview_follow_the_chains(en, zh):
    """By chain in the catalog's order of chains (copper, ..., minor metals, battery
    materials), in catalog order within a chain (nickel sulphate before the precursor)."""
    assert [s.code for s in en.sections] == [
        "copper_cathode",
        "refined_bismuth",
        "nickel_sulphate",
        "ternary_precursor",
    ]
    assert en.overview.groups == ((0, "Copper"), (1, "Minor metals"), (2, "Battery materials"))
    assert [r[0].text for r in en.overview.rows][2:] == ["Nickel Sulphate", "Ternary Cathode Precursor"]
    assert zh.overview.groups[2] == (2, "电池材料")
    md = render_markdown(en)
    assert "| **Battery materials** |  |" in md
    assert '<tr class="group"><td class="text" colspan="6">Minor metals</td></tr>' in render_html(en)


def test_the_data_annex_holds_the_enumerations(en):
    """A product's page says the month, the rate, the counts and reasons and the outlook; the
    breakdowns, capacity, market series, year to date and the outlook's details are in the
    annex, in the JSON too."""
    section = next(s for s in en.sections if s.code == "copper_cathode")
    page = " ".join(p.text for p in section.paragraphs)
    annex = " ".join(p.text for p in section.annex)
    assert [p.slot for p in section.paragraphs] == ["production", "operating_rate", "drivers", "forecast"]
    assert {"capacity", "market"} <= {p.slot for p in section.annex}
    assert "Cumulative output for January–June 2025" in annex and "Cumulative output" not in page
    assert "environmental inspections in north China" in page  # the reasons stay on the page
    assert "maintenance in east China" in page  # and the outlook's
    assert len(page.split()) < 300
    data = json.loads(render_json(en, report_input(), FigureSet(report_input().figures, "2025-06")))
    copper = next(p for p in data["products"] if p["code"] == "copper_cathode")
    assert "Cumulative output for January–June 2025" in " ".join(x["text"] for x in copper["annex"])
    assert copper["chain"] == "copper" and data["takeaways"] == en.takeaways
    html = render_html(en)
    assert html.index('id="annex"') < html.index('id="accuracy"')
    assert html.count("Cumulative output for January–June 2025") == 1


def test_one_section_drafted_with_given_commentary():
    """What the workspace previews: one product's section with the analyst's unsaved text."""
    from metalstat.report.drafting import draft_section

    inp = report_input(commentary=(commentary("copper_cathode", "drivers", "after", "Saved text."),))
    given = [commentary("copper_cathode", "drivers", "before", "Acid prices kept margins up.")]
    section = draft_section(inp, "en", "copper_cathode", given)
    drivers = [p for p in section.paragraphs if p.slot == "drivers"]
    assert [p.source for p in drivers] == ["analyst", "drafted"]
    assert drivers[0].text == "Acid prices kept margins up."
    saved = draft_section(inp, "en", "copper_cathode")
    assert [p.text for p in saved.paragraphs if p.source == "analyst"] == ["Saved text."]
    assert draft_section(inp, "zh", "copper_cathode", given).paragraphs[0].source == "drafted"


def test_the_month_after_next_is_stated_with_its_basis_or_withheld():
    """Copper's August from the schedules given that far (kind forecast2): 1,175,000 mt is
    +1.81% on July's 1,154,100 ((1,175,000 / 1,154,100 − 1) × 100 = 1.811), from 25
    producers holding 88.3% of capacity; withheld (no value), only its basis is told."""
    from metalstat.engine.figures import FIGURES
    from tests.report.fixtures import copper_rows, fig

    def basis(*rows):  # type: ignore[no-untyped-def]
        base = [
            fig("copper_cathode", "producer_count", "count", "2025-08", 25, kind="forecast2", unit="count"),
            fig("copper_cathode", "coverage", "level", "2025-08", 88.3, kind="forecast2", unit="%"),
        ]
        return report_input(figures=pl.DataFrame([*copper_rows(), *base, *rows], schema=FIGURES))

    stated = basis(
        fig("copper_cathode", "production", "level", "2025-08", 1_175_000.0, kind="forecast2", status="F"),
        fig("copper_cathode", "production", "mom_pct", "2025-08", 1.811, kind="forecast2", unit="%", status="F"),
    )
    en = paragraphs(draft_report(stated, "en"), "copper_cathode")[0]["forecast"]
    assert "For August 2025, the schedules of 25 producers holding 88.3% of capacity point to 1,175,000 mt" in en
    assert "1,175,000 mt, up 1.81% on July." in en
    zh = paragraphs(draft_report(stated, "zh"), "copper_cathode")[0]["forecast"]
    assert "据25家企业（产能占比88.3%）的排产，2025年8月产量预计为" in zh
    withheld = basis(fig("copper_cathode", "production", "level", "2025-08", None, kind="forecast2", status="F"))
    en = paragraphs(draft_report(withheld, "en"), "copper_cathode")[0]["forecast"]
    assert "25 producers holding 88.3% of capacity gave a schedule: too few to state an outlook" in en
    zh = paragraphs(draft_report(withheld, "zh"), "copper_cathode")[0]["forecast"]
    assert "2025年8月仅25家企业（产能占比88.3%）报送排产，不足以预计产量。" in zh
    # Without schedules that far, nothing is said of August.
    none = paragraphs(draft_report(report_input(), "en"), "copper_cathode")[0]["forecast"]
    assert "August" not in none


def _copper_with(*extra: dict, drop: tuple[str, ...] = ()) -> pl.DataFrame:
    """The fixture's figures with copper's rows of the given breakdowns dropped and ``extra`` added."""
    from tests.report.fixtures import FIGURES, copper_rows, figures_frame

    rows = [r for r in copper_rows() if r["breakdown"] not in drop or r["kind"] != "actual"]
    others = figures_frame().filter(pl.col("product") != "copper_cathode")
    return pl.concat([pl.DataFrame([*rows, *extra], schema=FIGURES), others])


def test_the_headline_gives_the_reason_that_agrees_with_the_move():
    """June has 30 days, May 31: the move is the daily average's. Output 1,138,600 mt
    against 1,142,000 mt is -0.30 % in total but +3.03 % a day (37,953.3 against 36,838.7 mt),
    so the headline's reason is the capacity commissioned in east China on 1 June (a rise),
    never the environmental inspection (a cut), which stays among the drivers."""
    from tests.report.fixtures import PERIOD, fig

    daily = (1_138_600 / 30) / (1_142_000 / 31) * 100 - 100  # +3.0257 %
    inp = report_input(figures=_copper_with(fig("copper_cathode", "production", "daily_mom_pct", PERIOD, daily)))
    en = paragraphs(draft_report(inp, "en"), "copper_cathode")[0]
    assert (
        "the daily average edged up by 3.03%, mainly due to new capacity in east China "
        "(1 plant, +400,000 mt/year); output was up 12.93%" in en["production"]
    )
    assert "inspection" not in en["production"]
    assert "Stoppages and cuts reported for June: environmental inspections in north China" in en["drivers"]
    zh = paragraphs(draft_report(inp, "zh"), "copper_cathode")[0]
    assert (
        "日均产量小幅增长3.03%，主因华东地区新增产能投产（1家，+40.00万吨/年）；产量同比增长12.93%" in zh["production"]
    )
    assert "环保" not in zh["production"]


def test_a_fall_is_explained_by_its_weightiest_stoppage_and_the_drivers_give_the_rest():
    """A daily average 3 % down (an engine figure, as the report states it): the headline
    names the weightiest group of June's stoppages (north China, 100,000 mt/year × 10 days),
    the drivers the next two (central China 30,000 × 20 days, then east China 50,000 × 10)."""
    from datetime import date

    from metalstat.report.inputs import MaintenanceItem
    from tests.report.fixtures import PERIOD, fig

    def event(region: str, reason: str, cap: float, days: int) -> MaintenanceItem:
        return MaintenanceItem("copper_cathode", region, "", reason, False, date(2025, 6, 1), date(2025, 6, days), cap)

    events = (
        event("north China", "environmental_inspection", 100_000.0, 10),
        event("east China", "maintenance", 50_000.0, 10),
        event("central China", "maintenance", 30_000.0, 20),
    )
    figures = _copper_with(fig("copper_cathode", "production", "daily_mom_pct", PERIOD, -3.0))
    inp = report_input(figures=figures, events=events)
    en = paragraphs(draft_report(inp, "en"), "copper_cathode")[0]
    assert (
        "the daily average edged down by 3.00%, mainly due to environmental inspections at one producer "
        "in north China; output was up" in en["production"]
    )
    assert "new capacity" not in en["production"]  # a rise's reason, against the fall
    assert (
        "Other stoppages and cuts reported for June: maintenance in central China (1 producer, unplanned); "
        "maintenance in east China (1 producer, unplanned)." in en["drivers"]
    )
    assert "north China" not in en["drivers"]
    zh = paragraphs(draft_report(inp, "zh"), "copper_cathode")[0]
    assert "日均产量小幅下降3.00%，主因华北地区环保检查致1家企业减产；" in zh["production"]
    assert "6月其他检修及减产情况：华中地区检修（1家，计划外）；华东地区检修（1家，计划外）。" in zh["drivers"]
    # a month of flat output (the fixture's: -0.30 % with no daily change) gives no reason
    flat = paragraphs(draft_report(report_input(events=events), "en"), "copper_cathode")[0]
    assert "mainly due to" not in flat["production"]
    assert "Stoppages and cuts reported for June: environmental inspections in north China" in flat["drivers"]


def _counts(reduced: float, reduced_prev: float, n_reduced: int, n_increased: int) -> pl.DataFrame:
    from tests.report.fixtures import PERIOD, fig

    def share(period: str, key: str, value: float) -> dict:
        return fig("copper_cathode", "producer_share", "level", period, value, unit="%", breakdown=key)

    def count(key: str, value: int) -> dict:
        return fig("copper_cathode", "producer_count", "count", PERIOD, value, unit="count", breakdown=key)

    return _copper_with(
        share(PERIOD, "change=reduced", reduced),
        share("2025-05", "change=reduced", reduced_prev),
        share(PERIOD, "change=increased", n_increased / 40 * 100),
        count("change=reduced", n_reduced),
        count("change=increased", n_increased),
        count("change=compared", 40),
        drop=("change=reduced", "change=increased"),
    )


def test_a_share_of_producers_as_last_month_reads_naturally():
    """All 40 producers compared lowered daily output in June, as all did in May: "as in
    May, all", never "all ..., against 100.00% in May"; none as in May likewise; and an
    equal share in between is "the same share"."""
    cases = [
        (
            _counts(100.0, 100.0, 40, 0),
            "As in May, all of the 40 producers that reported output in both months lowered their daily "
            "output in June, while none raised it.",
            "6月，在两个月均有产量数据的40家企业中，与5月相同，全部企业日均产量下降，没有企业日均产量上升。",
        ),
        (
            _counts(0.0, 0.0, 0, 40),
            "As in May, none of the 40 producers that reported output in both months lowered their daily "
            "output in June, while all raised it.",
            "6月，在两个月均有产量数据的40家企业中，与5月相同，没有企业日均产量下降，全部企业日均产量上升。",
        ),
        (
            _counts(37.5, 37.5, 15, 25),
            "Of the 40 producers that reported output in both months, 15 (37.50%) lowered their daily output "
            "in June, the same share as in May, while 25 (62.50%) raised it.",
            "6月，在两个月均有产量数据的40家企业中，15家（占37.50%）日均产量下降（5月同为37.50%），"
            "25家（占62.50%）日均产量上升。",
        ),
        (
            _counts(37.5, 18.75, 15, 25),
            "Of the 40 producers that reported output in both months, 15 (37.50%) lowered their daily output "
            "in June, against 18.75% in May, while 25 (62.50%) raised it.",
            "6月，在两个月均有产量数据的40家企业中，15家（占37.50%）日均产量下降（5月为18.75%），",
        ),
    ]
    for figures, en_text, zh_text in cases:
        inp = report_input(figures=figures)
        en = paragraphs(draft_report(inp, "en"), "copper_cathode")[0]["drivers"]
        assert en_text in en
        assert "against 100.00%" not in en and "against 0.00%" not in en
        zh = paragraphs(draft_report(inp, "zh"), "copper_cathode")[0]["drivers"]
        assert zh_text in zh


def test_the_overview_states_changes_in_one_style_a_column():
    """A product with 0 decimals (its page says "2%") beside one with 2: the overview prints
    both to 2 decimals. Precursor May 75,700 -> June 77,450: +1,750 = +2.3118 %; June 2024
    80,000: -2,550 = -3.1875 %; copper -3,400 on 1,142,000 = -0.2977 %."""
    from metalstat.catalog import Catalog
    from tests.report.fixtures import BISMUTH, COPPER, NICKEL_SULPHATE, PRECURSOR

    catalog = Catalog(products=(COPPER, NICKEL_SULPHATE, PRECURSOR.model_copy(update={"decimals": 0}), BISMUTH))
    report = draft_report(report_input(catalog=catalog), "en")
    rows = {r[0].text: [c.text for c in r] for r in report.overview.rows}
    assert rows["Ternary Cathode Precursor"][2] == "+2.31%"
    assert rows["Ternary Cathode Precursor"][4] == "-3.19%"
    assert rows["Copper Cathode"][2] == "-0.30%"
    page = paragraphs(report, "ternary_precursor")[0]["production"]
    assert "2%" in page and "2.31%" not in page  # the page keeps the product's decimals


def test_a_producer_with_no_return_is_counted_as_not_reporting():
    # Every status counted (the engine's zeros included): 15 cut, 1 under maintenance, none
    # in the other four; the sample holds 40, so 40 - 16 = 24 sent no return.
    from tests.report.fixtures import FIGURES, copper_rows, fig

    zeros = [
        fig("copper_cathode", "producer_count", "count", "2025-06", 0, unit="count", breakdown=f"status={s}")
        for s in ("halted", "normal", "increased", "commissioning")
    ]
    for lang, said in (
        (
            "en",
            "15 cut output (7 more than in May), 1 was under maintenance (as many as in May) and "
            "24 did not report (their output is estimated).",
        ),
        ("zh", "15家减产（较5月增加7家），1家检修（与5月持平），24家未报送（产量为估算值）。"),
    ):
        inp = report_input(figures=pl.DataFrame(copper_rows() + zeros, schema=FIGURES))
        drivers, _ = paragraphs(draft_report(inp, lang), "copper_cathode")
        assert drivers["drivers"].endswith(said), lang
