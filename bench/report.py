"""Time the monthly report: HTML and PDF, English and Chinese, for the full month.

Uses the demo's June 2025 release when a demo database is given (``--demo-db`` with the
data folder of ``metalstat demo``), otherwise a synthetic vintage of every catalog product.
Prints one JSON line per step: {"step", "lang", "format", "products", "seconds", ...}.
Targets: HTML under 2 s, PDF under 20 s per language.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _input(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    if args.demo_db:
        os.environ["METALSTAT_DATA_DIR"] = str(Path(args.demo_db).resolve())
        from metalstat.core.startup import setup_django

        setup_django(migrate=False)
        from metalstat.report.loader import build_report_input

        return "demo", build_report_input(args.period)
    from tests.report.synthetic import synthetic_input

    return "synthetic", synthetic_input(args.period)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period", default="2025-06")
    parser.add_argument("--demo-db", default=None, help="data folder holding the demo database")
    parser.add_argument("--out", default=None, help="keep the files in this folder")
    args = parser.parse_args()

    from metalstat.report.drafting import draft_report
    from metalstat.report.figureset import FigureSet
    from metalstat.report.output import render_pdfs
    from metalstat.report.render import render_html, render_pdf

    started = time.perf_counter()
    source, inp = _input(args)
    load_s = time.perf_counter() - started
    products = len(inp.product_codes())
    print(
        json.dumps(
            {
                "step": "load",
                "source": source,
                "products": products,
                "figures": inp.figures.height,
                "seconds": round(load_s, 3),
            }
        )
    )
    out = Path(args.out or tempfile.mkdtemp(prefix="metalstat-report-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    figures = FigureSet(inp.figures, inp.period)
    index_s = time.perf_counter() - t0
    htmls = []
    for lang in ("en", "zh"):
        t0 = time.perf_counter()
        report = draft_report(inp, lang, figures)
        html = render_html(report)
        html_s = time.perf_counter() - t0 + index_s / 2
        (out / f"report-{inp.period}.{lang}.html").write_text(html, "utf-8")
        htmls.append(html)
        print(
            json.dumps(
                {
                    "step": "html",
                    "lang": lang,
                    "products": products,
                    "seconds": round(html_s, 3),
                    "bytes": len(html.encode()),
                    "target_s": 2,
                }
            )
        )
        t0 = time.perf_counter()
        pdf = render_pdf(render_html(report, annex=False))  # the print edition
        pdf_s = time.perf_counter() - t0
        path = out / f"report-{inp.period}.{lang}.pdf"
        path.write_bytes(pdf)
        print(
            json.dumps(
                {
                    "step": "pdf",
                    "lang": lang,
                    "products": products,
                    "seconds": round(pdf_s, 3),
                    "bytes": len(pdf),
                    "target_s": 20,
                    "path": str(path),
                }
            )
        )
    # Both PDFs as the report command makes them: one process per language when cores allow.
    t0 = time.perf_counter()
    render_pdfs(htmls)
    print(
        json.dumps(
            {
                "step": "pdf_both_languages",
                "products": products,
                "seconds": round(time.perf_counter() - t0, 3),
                "workers": min(2, os.cpu_count() or 1),
            }
        )
    )


if __name__ == "__main__":
    main()
