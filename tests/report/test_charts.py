"""The product chart's SVG, by its structure (marks, labels, axis ranges, unit text), never by
pixels. docs/report.md, "The chart"."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from metalstat.report.charts import ChartData, nice_ticks, production_chart, robust_range
from metalstat.report.language import load_language

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = [f"2024-{m:02d}" for m in range(6, 13)] + [f"2025-{m:02d}" for m in range(1, 7)]
OKABE_ITO = {"#0072B2", "#56B4E9", "#D55E00", "#009E73"}


def chart(**kw) -> ChartData:
    values = dict(
        months=MONTHS,
        levels=[100_000.0 + i * 1000 for i in range(13)],
        yoy=[None] * 7 + [1.0, 2.0, -1.0, 3.0, 2.5, 1.5],  # 18 months of history: YoY from January
        rates=[80.0 + i for i in range(13)],
        forecast_month="2025-07",
        forecast=115_000.0,
        unit="mt",
        unit_code="mt",
        title="Copper Cathode",
        mom=[0.5, 1.0, -1.0, 0.8, 1.2, -0.4, 0.9, 1.1, -2.0, 1.5, 0.3, 0.7, 0.9],
        forecast_mom=2.0,
        forecast_rate=93.5,
    )
    values.update(kw)
    return ChartData(**values)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own SVG) well-formed XML


def by_class(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [e for e in root.iter(f"{SVG}{tag}") if cls in (e.get("class") or "").split()]


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def ticks(root: ET.Element, panel: str) -> list[float]:
    """A panel's axis (level, change, rate) as numbers."""
    return [float(t.text.replace(",", "")) for t in by_class(root, "text", "tick") if panel in t.get("class")]


def test_level_change_and_rate_marks():
    root = parse(production_chart(chart(), load_language("en")))
    level = by_class(root, "polyline", "level")
    assert len(level) == 1 and len(level[0].get("points").split()) == 13
    assert len(by_class(root, "circle", "forecast")) == 2  # production and operating rate, hollow
    moms = by_class(root, "rect", "mom")
    assert len(moms) == 14  # 13 months and next month's forecast
    assert len(by_class(root, "rect", "forecast")) == 1
    assert by_class(root, "rect", "forecast")[0].get("fill") == "#fff"  # told apart by shape
    yoy = by_class(root, "polyline", "yoy")
    assert len(yoy) == 1 and len(yoy[0].get("points").split()) == 6  # starts where it has data
    assert len(by_class(root, "circle", "yoy")) == 6
    rate = by_class(root, "polyline", "rate")
    assert len(rate) == 1 and len(rate[0].get("points").split()) == 13
    words = texts(root)
    assert "YoY (from Jan 2025)" in words  # said where the line starts
    # the month labels: under the change panel and again under the operating rate panel
    months = [t.text for t in by_class(root, "text", "month")]
    assert months.count("Jun") == 4 and months.count("Jul") == 4 and len(months) == 28
    assert words.count("2025") == 1 and words.count("2024") == 1
    assert not by_class(root, "path", "clipped")  # nothing to clip here
    # the level axis is fitted to the data (100,000 .. 115,000 mt), not drawn from zero
    assert 90 <= min(ticks(root, "level")) <= 100 and 115 <= max(ticks(root, "level")) <= 125
    # the operating rate axis holds next month's forecast rate (93.5 %)
    assert min(ticks(root, "rate")) <= 80 and max(ticks(root, "rate")) >= 93.5


def test_mom_bars_point_the_way_of_the_change():
    root = parse(production_chart(chart(), load_language("en")))
    zero = next(
        float(line.get("y1")) for line in root.iter(f"{SVG}line") if line.get("stroke") == "#33414e"
    )  # the change panel's zero line
    bars = by_class(root, "rect", "mom")
    # MoM -1.0 (Aug 2024): the bar hangs below zero; +1.0 (Jul 2024) stands on it
    assert float(bars[2].get("y")) == pytest.approx(zero, abs=0.11)
    assert float(bars[1].get("y")) + float(bars[1].get("height")) == pytest.approx(zero, abs=0.11)


def test_an_outlier_does_not_flatten_the_change_axis():
    # MoM around ±2 % and one +300 % month (a restart from almost nothing)
    mom = [0.5, 1.0, -1.0, 0.8, 1.2, -0.4, 0.9, 300.0, -2.0, 1.5, 0.3, 0.7, 0.9]
    root = parse(production_chart(chart(mom=mom, yoy=[None] * 13), load_language("en")))
    axis = ticks(root, "change")
    # The pooled values are the 13 MoM and the forecast MoM 2.0; sorted (n = 14):
    # -2, -1, -0.4, 0.3, 0.5, 0.7, 0.8, 0.9, 0.9, 1.0, 1.2, 1.5, 2.0, 300.
    # Q1 at position 13 × 0.25 = 3.25: 0.3 + 0.25 × (0.5 − 0.3) = 0.35;
    # Q3 at position 9.75: 1.0 + 0.75 × (1.2 − 1.0) = 1.15; IQR 0.8.
    # reach = max(3 × 0.8, 10) = 10: fences −9.65 and 11.15, so 300 is out and the axis
    # covers −2 .. 2 (nice ticks −2, −1, 0, 1, 2).
    assert axis == [-2, -1, 0, 1, 2]
    clipped = by_class(root, "path", "clipped")
    assert len(clipped) == 1  # the 300 % month, marked at the axis' edge
    assert "300.0" in [t.text for t in by_class(root, "text", "clipped-value")]
    assert "beyond the axis: value written" in texts(root)


def test_a_clipped_yoy_point_is_marked_not_drawn_off_the_chart():
    yoy = [None] * 7 + [1.0, 2.0, -1.0, 310.0, 2.5, 1.5]
    root = parse(production_chart(chart(yoy=yoy), load_language("en")))
    clipped = by_class(root, "path", "clipped")
    assert len(clipped) == 1 and clipped[0].get("fill") == "#D55E00"
    assert "310.0" in [t.text for t in by_class(root, "text", "clipped-value")]
    assert len(by_class(root, "circle", "yoy")) == 5  # the clipped one is a triangle instead


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # sorted 1..5, 100: Q1 (pos 1.25) 2.25, Q3 (pos 3.75) 4.75, IQR 2.5, reach max(7.5, 10)
        # = 10: fences −7.75 .. 14.75 keep 1..5; with zero: (0, 5)
        ([1.0, 2.0, 3.0, 4.0, 5.0, 100.0], (0.0, 5.0)),
        # sorted −50, −2, −1, 0, 1, 2: Q1 −1.75, Q3 0.75, reach 10: fences −11.75 .. 10.75
        ([-2.0, -1.0, 0.0, 1.0, 2.0, -50.0], (-2.0, 2.0)),
        # tight values and a real −3 % month: reach 10 keeps everything
        ([0.5, 1.0, 1.5, 2.0, -3.0], (-3.0, 2.0)),
        # too few values to judge: nothing clipped
        ([1.0, 2.0, 300.0], (0.0, 300.0)),
        ([], (0.0, 0.0)),
    ],
)
def test_robust_range(values, expected):
    assert robust_range(values) == expected


def test_units_are_written_once_and_right():
    en, zh = load_language("en"), load_language("zh")
    words = texts(parse(production_chart(chart(), en)))
    assert "Production, thousand mt" in words
    assert sum("mt" in w for w in words) == 1
    assert "Change, %" in words and "Operating rate, %" in words
    assert not any(w.endswith("%") and w[:1].isdigit() for w in words)  # ticks carry no unit
    # a unit that is itself a multiple is never multiplied again: in English 10,000 m² is
    # written in million m² (50,000 × 10,000 m² = 500 million m²), in Chinese as 万平方米
    film = dict(unit_code="10,000 m²", levels=[50_000.0 + i * 100 for i in range(13)], forecast=51_000.0)
    words = texts(parse(production_chart(chart(unit="10,000 m²", **film), en)))
    assert "Production, million m²" in words and not any("thousand" in w or "10,000" in w for w in words)
    assert "500" in words and "50,000" not in words  # the first month's tick or label, scaled
    words = texts(parse(production_chart(chart(unit="万平方米", **film), zh)))
    assert "产量（万平方米）" in words and not any("万万" in w for w in words)
    # tonnes in Chinese: 万吨, ticks in 万
    zh_svg = production_chart(chart(unit="吨"), zh)
    assert "产量（万吨）" in texts(parse(zh_svg))
    # millions only from 10 million, as in the text: 1.1 million mt reads in thousands
    big = chart(levels=[1_100_000.0 + i * 1000 for i in range(13)], forecast=1_120_000.0)
    assert "Production, thousand mt" in texts(parse(production_chart(big, en)))
    assert "1,112" in texts(parse(production_chart(big, en)))  # June's value, labelled
    # in 万吨 June's 3,605,400 t is labelled 360.5 (four digits), not a rounded 361
    alu = chart(unit="吨", levels=[3_500_000.0] * 12 + [3_605_400.0], forecast=3_707_200.0)
    assert "360.5" in texts(parse(production_chart(alu, zh)))


def test_chinese_labels_in_the_cjk_font():
    svg = production_chart(chart(unit="吨"), load_language("zh"))
    assert 'font-family="Noto Sans CJK SC"' in svg
    root = parse(svg)
    words = texts(root)
    assert {"环比", "同比（自2025年1月起）", "开工率（%）", "2025年7月预测"} <= set(words)
    assert "6月" in [t.text for t in by_class(root, "text", "month")]


def test_colour_blind_safe_palette():
    root = parse(production_chart(chart(), load_language("en")))
    marks = by_class(root, "polyline", "level") + by_class(root, "polyline", "yoy") + by_class(root, "polyline", "rate")
    marks += [r for r in by_class(root, "rect", "mom") if "forecast" not in r.get("class")]
    colours = {m.get("stroke") or m.get("fill") for m in marks}
    assert colours <= OKABE_ITO and len(colours) == 4


def test_one_layout_with_or_without_an_operating_rate():
    root = parse(production_chart(chart(rates=None, forecast_rate=None), load_language("en")))
    assert not by_class(root, "polyline", "rate") and "Operating rate, %" not in texts(root)
    assert len(by_class(root, "rect", "mom")) == 14 and len(by_class(root, "polyline", "level")) == 1


def test_gaps_break_the_lines_and_mom_falls_back_to_the_levels():
    levels = [100.0, 110.0, None, 99.0, 99.0, 99.0, 99.0, 99.0, 99.0, 99.0, 99.0, 99.0, 99.0]
    data = chart(levels=levels, forecast=108.9, mom=None, forecast_mom=None)
    root = parse(production_chart(data, load_language("en")))
    assert len(by_class(root, "polyline", "level")) == 2  # never drawn across the missing month
    # without the engine's MoM the bars follow the levels: +10 % (110 / 100), none around the
    # gap (June's level is missing, so neither July nor August has one), then nine 0 % months,
    # and +10 % for the forecast (108.9 / 99)
    bars = by_class(root, "rect", "mom")
    assert len(bars) == 1 + 9 + 1
    heights = [float(b.get("height")) for b in bars]
    assert heights[0] == pytest.approx(heights[-1], abs=0.2) and heights[0] > 10
    assert all(h < 0.05 for h in heights[1:-1])


def test_no_chart_without_a_level():
    empty = ChartData(MONTHS, [None] * 13, [None] * 13, None, "2025-07", None, "mt", "mt", "x")
    assert production_chart(empty, load_language("en")) == ""


@pytest.mark.parametrize(
    ("lo", "hi", "ticks"),
    [
        (0, 1.2, [0, 0.25, 0.5, 0.75, 1.0, 1.25]),
        (0, 30, [0, 10, 20, 30]),
        (-19.7, 0, [-20, -15, -10, -5, 0]),
    ],
)
def test_nice_ticks(lo, hi, ticks):
    assert nice_ticks(lo, hi, 5 if hi == 1.2 else 4) == ticks


def test_language_files_scale_only_the_units_they_name():
    for code in ("en", "zh"):
        for rule in load_language(code).config["chart_scale"]:
            assert rule.get("units"), f"{code}: a chart_scale rule without units would scale 10,000 m²"


def test_chart_data_defaults_keep_old_callers_working():
    data = ChartData(MONTHS, [1.0] * 13, [None] * 13, None, "2025-07", 1.0, "mt", "mt", "x")
    assert data.mom is None and data.forecast_mom is None and data.forecast_rate is None
    assert replace(data, forecast_rate=5.0).forecast_rate == 5.0


def test_a_drafted_section_charts_the_engines_forecast_rate_and_changes():
    """The drafting hands the chart the engine's figures: copper's forecast operating rate
    for July (86.93 % in the fixture's forecast release) is the rate panel's hollow point,
    and the forecast's MoM bar is drawn; without the forecast rate there is one hollow point."""
    from dataclasses import replace as dc_replace

    from metalstat.report import draft_report
    from tests.report.fixtures import report_input

    report = draft_report(report_input(), "en")
    copper = next(s for s in report.sections if s.code == "copper_cathode")
    root = parse(copper.chart_svg)
    assert len(by_class(root, "circle", "forecast")) == 2
    assert len(by_class(root, "rect", "forecast")) == 1
    assert max(ticks(root, "rate")) >= 86.93
    inp = report_input()
    without = inp.figures.filter(~((inp.figures["kind"] == "forecast") & (inp.figures["measure"] == "operating_rate")))
    bare = draft_report(dc_replace(inp, figures=without), "en")
    root = parse(next(s for s in bare.sections if s.code == "copper_cathode").chart_svg)
    assert len(by_class(root, "circle", "forecast")) == 1
