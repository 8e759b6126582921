"""Write the report files for one month: every language and format asked for."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from metalstat.core.environment import value
from metalstat.report.drafting import Report, draft_report
from metalstat.report.figureset import FigureSet
from metalstat.report.inputs import ReportInput
from metalstat.report.language import available_languages
from metalstat.report.render import (
    FORMATS,
    render_html,
    render_json,
    render_markdown,
    render_pdf,
)

SUFFIX = {"html": "html", "pdf": "pdf", "md": "md", "json": "json"}


def report_filename(period: str, lang: str, fmt: str) -> str:
    return f"report-{period}.{lang}.{SUFFIX[fmt]}"


def _check(langs: Iterable[str], formats: Iterable[str]) -> tuple[list[str], list[str]]:
    langs, formats = list(langs), list(formats)
    known = available_languages()
    bad = [x for x in langs if x not in known]
    if bad:
        raise ValueError(f"unknown report language(s) {', '.join(bad)}; known: {', '.join(known)}")
    bad = [x for x in formats if x not in FORMATS]
    if bad:
        raise ValueError(f"unknown report format(s) {', '.join(bad)}; known: {', '.join(FORMATS)}")
    return langs, formats


def build_documents(inp: ReportInput, langs: Iterable[str], formats: Iterable[str]) -> dict[tuple[str, str], bytes]:
    """Every requested (language, format) document as bytes."""
    langs, formats = _check(langs, formats)
    figures = FigureSet(inp.figures, inp.period)
    out: dict[tuple[str, str], bytes] = {}
    pdf_html: dict[str, str] = {}
    for lang in langs:
        report: Report = draft_report(inp, lang, figures)
        for fmt in formats:
            if fmt == "html":
                out[(lang, fmt)] = render_html(report, inp.catalog).encode("utf-8")
            elif fmt == "pdf":
                pdf_html[lang] = render_html(report, inp.catalog, annex=False)
            elif fmt == "md":
                out[(lang, fmt)] = render_markdown(report, inp.catalog).encode("utf-8")
            elif fmt == "json":
                out[(lang, fmt)] = render_json(report, inp, figures).encode("utf-8")
    for lang, pdf in zip(pdf_html, render_pdfs(list(pdf_html.values())), strict=True):
        out[(lang, "pdf")] = pdf
    return out


def render_pdfs(htmls: list[str]) -> list[bytes]:
    """Lay out several PDFs, one process per document when there are cores to spare: layout
    is CPU-bound and single-threaded, and two languages take about 11 s each. Processes are
    spawned, not forked (the parent may hold database connections and polars threads)."""
    workers = min(len(htmls), int(value("METALSTAT_REPORT_WORKERS") or os.cpu_count() or 1))
    if workers < 2:
        return [render_pdf(h) for h in htmls]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(render_pdf, htmls))


def write_documents(inp: ReportInput, langs: Iterable[str], formats: Iterable[str], out_dir: str | Path) -> list[Path]:
    """Write ``report-YYYY-MM.<lang>.<ext>`` files into ``out_dir``; returns their paths."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for (lang, fmt), data in build_documents(inp, langs, formats).items():
        path = folder / report_filename(inp.period, lang, fmt)
        path.write_bytes(data)
        paths.append(path)
    return paths
