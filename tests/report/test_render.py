"""The rendered documents: self-contained HTML with inline SVG, Markdown, JSON, files."""

from __future__ import annotations

import json
import re

import pytest
from markupsafe import escape

from metalstat.report import (
    build_documents,
    draft_report,
    render_html,
    render_markdown,
    report_filename,
    write_documents,
)
from tests.report.fixtures import report_input


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


def test_release_time_in_beijing_time(docs):
    # released 30 June 2025 18:00 UTC = 1 July 2025 02:00 in Beijing (UTC+8), in both editions
    assert "Release time: 1 July 2025 02:00 Beijing time" in docs[("en", "md")].decode()
    assert "2025年7月1日 02:00（北京时间）" in docs[("zh", "md")].decode()
    assert "UTC" not in docs[("en", "html")].decode().split("</style>")[1]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_print_edition_leaves_the_annex_to_the_html_edition(lang):
    report = draft_report(report_input(), lang)
    web, printed = render_html(report), render_html(report, annex=False)
    elsewhere = {"en": "is in the HTML edition of this report", "zh": "见本报告网页版"}[lang]
    # the fixture's copper section has annex paragraphs; the web edition prints them
    annexed = [str(escape(p.text)) for s in report.sections for p in s.annex]
    assert annexed and 'id="annex"' in web and elsewhere not in web
    assert all(text.split("\n\n")[0].strip() in web for text in annexed)
    # the print edition names where they are, and prints none of them
    assert 'id="annex"' not in printed and '<a href="#annex">' not in printed
    assert elsewhere in printed
    assert not any(text.split("\n\n")[0].strip() in printed for text in annexed)
