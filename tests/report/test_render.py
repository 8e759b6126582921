"""The rendered documents: self-contained HTML with inline SVG, Markdown, JSON, files."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from metalstat.report import (
    build_documents,
    draft_report,
    render_html,
    render_markdown,
    report_filename,
    write_documents,
)
from metalstat.report.charts import ChartData, nice_ticks, production_chart
from metalstat.report.language import load_language
from tests.report.fixtures import report_input

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def docs():
    return build_documents(report_input(), ["en", "zh"], ["html", "md", "json"])


def test_html_is_self_contained(docs):
    for lang in ("en", "zh"):
        html = docs[(lang, "html")].decode("utf-8")
        assert "<script" not in html.lower()
        assert "<link" not in html.lower()
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
        assert "url(" not in html
        assert html.count("<svg") == 4  # a chart per product with a production level
        assert "&#39;" not in html.split("</style>")[0]  # CSS is not HTML-escaped
    assert '<html lang="zh-CN">' in docs[("zh", "html")].decode()
    assert "'Noto Sans CJK SC'" in docs[("zh", "html")].decode()
    assert '<html lang="en">' in docs[("en", "html")].decode()


def test_html_has_contents_and_anchors(docs):
    html = docs[("en", "html")].decode()
    for code in ("copper_cathode", "nickel_sulphate", "ternary_precursor", "refined_bismuth"):
        assert f'href="#p-{code}"' in html and f'id="p-{code}"' in html
    assert "target-counter(attr(href), page)" in html


def test_markdown(docs):
    md = docs[("en", "md")].decode()
    assert md.startswith("# China Metal Production\n")
    assert "\n## Copper Cathode\n" in md
    assert "| Copper Cathode | 1,138,600 mt | -0.30% |  | +12.93% | +1.36% |" in md
    zh = docs[("zh", "md")].decode()
    assert "\n## 电解铜\n" in zh


def test_json_has_figures_and_text(docs):
    data = json.loads(docs[("en", "json")])
    assert data["period"] == "2025-06" and data["vintage"] == 3 and data["language"] == "en"
    copper = data["products"][0]
    assert copper["code"] == "copper_cathode"
    assert copper["paragraphs"][0]["slot"] == "production"
    level = next(
        f
        for f in copper["figures"]
        if f["measure"] == "production"
        and f["statistic"] == "level"
        and f["period"] == "2025-06"
        and f["breakdown"] == {}
    )
    assert level["value"] == 1_138_600.0 and level["status"] == "P"
    precursor = next(p for p in data["products"] if p["code"] == "ternary_precursor")
    secret = next(f for f in precursor["figures"] if f["breakdown"] == {"series": "8-series"})
    assert secret["value"] is None and secret["conf_status"] == "C"
    zh = json.loads(docs[("zh", "json")])
    assert zh["products"][0]["name"] == "电解铜" and zh["products"][0]["name_en"] == "Copper Cathode"


def test_write_documents_names_files(tmp_path):
    paths = write_documents(report_input(), ["en"], ["md", "json"], tmp_path)
    assert sorted(p.name for p in paths) == ["report-2025-06.en.json", "report-2025-06.en.md"]
    assert report_filename("2025-06", "zh", "pdf") == "report-2025-06.zh.pdf"
    with pytest.raises(ValueError, match="unknown report language"):
        write_documents(report_input(), ["fr"], ["md"], tmp_path)
    with pytest.raises(ValueError, match="unknown report format"):
        write_documents(report_input(), ["en"], ["docx"], tmp_path)


def test_analyst_text_is_escaped():
    from tests.report.fixtures import commentary

    inp = report_input(commentary=(commentary("copper_cathode", "end", "after", "<b>x</b> & y"),))
    html = render_html(draft_report(inp, "en"))
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in html and "<b>x</b>" not in html
    assert "> &lt;b" not in render_markdown(draft_report(inp, "en"))


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


def test_chart_svg():
    months = [f"2024-{m:02d}" for m in range(6, 13)] + [f"2025-{m:02d}" for m in range(1, 7)]
    data = ChartData(
        months=months,
        levels=[100_000.0 + i * 1000 for i in range(13)],
        yoy=[None] * 6 + [float(i) for i in range(7)],
        rates=[80.0 + i for i in range(13)],
        forecast_month="2025-07",
        forecast=115_000.0,
        unit="mt",
        unit_code="mt",
        title="Copper Cathode",
    )
    svg = production_chart(data, load_language("en"))
    root = ET.fromstring(svg)  # noqa: S314 (our own SVG) well-formed XML
    bars = [r for r in root.iter(f"{SVG}rect") if float(r.get("height", 0)) > 20]
    assert len(bars) == 14  # 13 months and the forecast
    lines = list(root.iter(f"{SVG}polyline"))
    assert len(lines) == 2  # YoY and operating rate
    assert len(lines[0].get("points").split()) == 7
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "thousand mt" in texts and "Jun" in texts and "2025" in texts
    zh = production_chart(replace(data, unit="吨"), load_language("zh"))
    assert 'font-family="Noto Sans CJK SC"' in zh and "万吨" in zh
    empty = ChartData(months, [None] * 13, [None] * 13, None, "2025-07", None, "mt", "mt", "x")
    assert production_chart(empty, load_language("en")) == ""


def test_release_time_in_beijing_time(docs):
    # released 30 June 2025 18:00 UTC = 1 July 2025 02:00 in Beijing (UTC+8), in both editions
    assert "Release time: 1 July 2025 02:00 Beijing time" in docs[("en", "md")].decode()
    assert "2025年7月1日 02:00（北京时间）" in docs[("zh", "md")].decode()
    assert "UTC" not in docs[("en", "html")].decode().split("</style>")[1]
