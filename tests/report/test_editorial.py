"""Editorial slips the report must not make (issue 10, item 9): running headers that name the
section starting on the page, product names in one spelling per language, a provisional
month said once, and a methodology page with the definitions a reader needs."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from metalstat.catalog import load_catalog
from metalstat.report import draft_report, render_html, render_markdown, render_pdf
from metalstat.report.language import common_noun
from tests.report.fixtures import report_input
from tests.report.synthetic import synthetic_input

# American spellings beside the catalog's British ones ("sulphate"): one spelling per language.
US_SPELLINGS = ("aluminum", "sulfate", "sulfide", "sulfur", "color", "fiber", "vapor")


@pytest.fixture(scope="module")
def full_month():
    inp = synthetic_input()
    return inp, {lang: draft_report(inp, lang) for lang in ("en", "zh")}


def body_text(report) -> str:
    parts = [report.title, report.subtitle, *(p.text for p in report.intro)]
    for s in report.sections:
        parts.append(s.name)
        parts += [p.text for p in s.paragraphs]
        parts += s.notes
        if s.table is not None:
            parts += [c.text for row in s.table.rows for c in row]
    parts += [c.text for t in (report.overview, report.accuracy, report.methodology) for row in t.rows for c in row]
    return "\n".join(parts)


def test_catalog_names_have_one_spelling_and_one_style():
    for p in load_catalog():
        words = re.findall(r"[A-Za-z][A-Za-z0-9]*", p.name)
        assert not [w for w in words if w.lower() in US_SPELLINGS], p.name
        # every heading capitalised alike: each word (and each part of a hyphenated one) opens
        # with a capital ("High-Carbon Ferrochrome", "PV-Grade EVA", "Mn3O4")
        assert all(w[0].isupper() for w in words), p.name
        # Chinese names: no English word, only the established codes in capitals (EVA, DMC)
        assert not re.search(r"[a-z]{2,}", p.name_zh), p.name_zh


def test_drafted_text_spells_every_product_as_the_catalog(full_month):
    inp, reports = full_month
    en = body_text(reports["en"])
    assert not [w for w in US_SPELLINGS if re.search(rf"\b{w}", en, re.I)]
    for p in inp.catalog:
        if p.code not in inp.product_codes():
            continue
        allowed = {p.name, common_noun(p.name)}
        # any mention of the name, whatever its case or hyphenation, is one of the two forms
        pattern = re.escape(p.name).replace(r"\-", "[- ]").replace(r"\ ", "[- ]")
        found = {m.group(0) for m in re.finditer(pattern, en, re.I)}
        assert found and found <= allowed, (p.code, found - allowed)
    zh = body_text(reports["zh"])
    for p in inp.catalog:
        if p.code in inp.product_codes():
            assert p.name_zh in zh
            if re.search(r"[a-z]{2,}", p.name):  # codes (DMC, NPI, Mn3O4) are written alike
                assert p.name not in zh, f"English product name in the Chinese text: {p.name}"
    # (sections run in chain order: the names, not their order, are checked here)
    assert sorted(s.name for s in reports["zh"].sections) == sorted(
        inp.catalog.get(c).name_zh for c in inp.product_codes()
    )


def test_a_provisional_month_is_said_once_not_on_every_cell():
    report = draft_report(report_input(), "en")
    tables = [report.overview, *(s.table for s in report.sections if s.table is not None)]
    assert not [c for t in tables for row in t.rows for c in row if c.status == "P"]
    assert [code for code, _ in report.legend].count("P") == 1
    assert "may be revised" in dict(report.legend)["P"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_methodology_page_defines_the_terms(lang):
    report = draft_report(report_input(), lang)
    html = render_html(report)
    method = html[html.index('id="methodology"') :]
    if lang == "en":
        terms = ("Operating rate", "Size classes", "Feedstock routes", "Revisions", "Release time")
        # from the catalog: copper cathode's thresholds, unit once, and its feedstock routes
        row = ("large ≥ 400,000; medium ≥ 100,000; small: the rest (mt/year)",)
        row += ("output basis (a month = 1/12 of annual capacity)",)
        row += ("Feedstock route: copper concentrate, copper scrap or anode",)
        when = "1 July 2025 02:00 Beijing time"  # 30 June 18:00 UTC
    else:
        terms = ("开工率", "企业规模", "原料路线", "数据修订", "发布时间")
        row = ("大型≥40万；中型≥10万；小型：其余（吨/年）", "原料路线：铜精矿、废铜或阳极铜")
        when = "2025年7月1日 02:00（北京时间）"
    for term in terms:
        assert f"<dt>{term}</dt>" in method, term
    for cell in row:
        assert cell in method, cell
    assert when in method
    md = render_markdown(report)
    assert all(f"**{term}**" in md for term in terms) and row[0] in md


def test_methodology_table_uses_the_catalog_it_is_given():
    inp = report_input()
    html = render_html(draft_report(inp, "en"), inp.catalog)
    # the fixture's catalog: nickel sulphate has a single class
    assert "all: the rest (mt/year)" in html


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
def test_running_headers_name_the_section_that_starts_on_the_page(tmp_path):
    inp = report_input(products=("copper_cathode", "nickel_sulphate"))
    path = tmp_path / "report.en.pdf"
    path.write_bytes(render_pdf(render_html(draft_report(inp, "en"))))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    titles = (
        "Key takeaways",
        "Production by product",
        "Copper Cathode",
        "Nickel Sulphate",
        "Data annex",
        "Methodology and sample",
    )
    headers, opened = {}, []
    for page in range(2, pages + 1):
        text = subprocess.run(
            ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        headers[page] = lines[0]
        # a page that opens with a section's heading (under its chain's kicker, "COPPER")
        # names that section in its header
        first = lines[2] if lines[1].isupper() else lines[1]
        if first in titles:
            assert lines[0].endswith(first), (page, lines[0])
            opened.append(first)
    assert {"Key takeaways", "Production by product", "Copper Cathode", "Data annex", "Methodology and sample"} <= set(
        opened
    )
    # the takeaways and contents page is not headed by the overview that follows it
    assert headers[2].endswith("Key takeaways")
