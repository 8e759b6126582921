"""The PDF as a reader gets it: text extracted with pdftotext, pages counted with pdfinfo.

One small document per language here; the full month is in the slow end-to-end test.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from metalstat.report import draft_report, render_html, render_pdf
from tests.report.fixtures import report_input

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None,
    reason="poppler-utils is not installed (scripts/install-system-deps.sh installs it)",
)


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))


def pdf_fonts(path) -> str:
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def zh_pdf(tmp_path_factory):
    inp = report_input(products=("copper_cathode", "ternary_precursor"))
    path = tmp_path_factory.mktemp("pdf") / "report.zh.pdf"
    path.write_bytes(render_pdf(render_html(draft_report(inp, "zh"))))
    return path


def test_chinese_pdf_text_and_pages(zh_pdf):
    text = pdf_text(zh_pdf)
    assert "中国金属产量" in text
    assert "电解铜" in text and "三元前驱体" in text
    assert "113.86万吨" in text
    assert "个百分点" in text
    # cover, overview, contents, two product sections, accuracy, methodology
    pages = pdf_pages(zh_pdf)
    assert 6 <= pages <= 9
    # page numbers in the footer: "1 / N" on the cover
    assert re.search(rf"\b1\s*/\s*{pages}\b", text)
    assert "NotoSansCJK" in pdf_fonts(zh_pdf).replace(" ", "").replace("-", "")


def test_english_pdf_contents_page_numbers(tmp_path):
    inp = report_input(products=("copper_cathode",))
    path = tmp_path / "report.en.pdf"
    path.write_bytes(render_pdf(render_html(draft_report(inp, "en"))))
    text = pdf_text(path)
    assert "China's copper cathode production was 1,138,600 mt in June 2025" in text
    # the contents line for the section ends with the page it starts on (the 4th)
    assert re.search(r"Copper Cathode\s*\.+\s*4\b", text)
