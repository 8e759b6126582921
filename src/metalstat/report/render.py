"""Lay a drafted report out as HTML (self-contained), PDF (from that HTML), Markdown, JSON."""

from __future__ import annotations

import json
import logging
from datetime import UTC
from functools import lru_cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from metalstat.catalog import Catalog, Product, load_catalog
from metalstat.catalog.vocabulary import OBS_STATUS
from metalstat.releases.serializers import figure_record
from metalstat.report.drafting import Cell, Report, Table
from metalstat.report.figureset import FigureSet
from metalstat.report.inputs import ReportInput
from metalstat.report.language import Language

FORMATS = ("html", "pdf", "md", "json")


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("metalstat.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@lru_cache(maxsize=1)
def _css() -> str:
    return resources.files("metalstat.report").joinpath("templates/report.css").read_text("utf-8")


# Release times are stated in Beijing time in every edition (a naive time is taken as UTC).
RELEASE_TIME_ZONE = ZoneInfo("Asia/Shanghai")


def _release_time(report: Report) -> str:
    if report.release_at is None:
        return "—"
    at = report.release_at
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    at = at.astimezone(RELEASE_TIME_ZONE)
    lang = report.language
    return lang.label("release_time_at", date=lang.date(at), time=f"{at:%H:%M}")


# The terms the methodology page defines, in order (language.toml, table [method]).
METHOD_TERMS = ("operating_rate", "size_classes", "feedstock_routes", "revision", "release_time")


def method_definitions(report: Report) -> list[tuple[str, str]]:
    """The methodology page's definitions: (term, text) in the report's language. The facts
    are those of docs/methodology.md; the release time is this edition's."""
    lang = report.language
    return [
        (lang.term("method", f"{k}_term"), lang.term("method", k).format(release_time=_release_time(report)))
        for k in METHOD_TERMS
    ]


def _size_classes(lang: Language, p: Product) -> str:
    """ "large ≥ 400,000; medium ≥ 100,000; small: the rest (mt/year)": the unit once."""
    parts = []
    for c in p.size_classes:
        if c.min_capacity > 0:
            qty = lang.measured(c.min_capacity, p.unit, "").strip()  # "400,000", "40万", "1.5万"
            parts.append(lang.term("method", "class_from").format(name=lang.name_of(c), qty=qty))
        else:
            parts.append(lang.term("method", "class_rest").format(name=lang.name_of(c)))
    return lang.term("method", "classes").format(
        classes=lang.term("method", "class_joiner").join(parts), unit=lang.label("per_year", unit=lang.scaled_unit(p))
    )


def _rate_basis(lang: Language, p: Product) -> str:
    if p.operating_rate == "none":
        return lang.term("method", "basis_none")
    if p.operating_rate == "capacity":
        return lang.term("method", "basis_capacity")
    return lang.term("method", "basis_output_twelfth" if p.month_capacity == "twelfth" else "basis_output")


def _routes(lang: Language, p: Product) -> str:
    return lang.term("method", "class_joiner").join(
        lang.term("method", "route").format(
            label=lang.dimension_label(d),
            values=lang.term("method", "value_joiner").join(lang.name_of(v) for v in d.values),
        )
        for d in p.dimensions
        if d.operating_rate
    )


def method_table(report: Report, catalog: Catalog) -> Table:
    """Size classes, operating-rate basis and the routes with a rate of their own, per
    product, from the catalog (the products the report has sections for)."""
    lang = report.language
    rows = []
    known = set(catalog.codes())
    for s in report.sections:
        if s.code not in known:
            continue
        p = catalog.get(s.code)
        rows.append(
            (
                Cell(lang.product_name(p), numeric=False),
                Cell(_size_classes(lang, p), numeric=False),
                Cell(_rate_basis(lang, p), numeric=False),
                Cell(_routes(lang, p), numeric=False),
            )
        )
    columns = tuple(lang.term("method", k) for k in ("col_product", "col_classes", "col_basis", "col_routes"))
    return Table(columns, tuple(rows))


def render_html(report: Report, catalog: Catalog | None = None, *, annex: bool = True) -> str:
    """One self-contained HTML page: CSS and SVG inline, no script, nothing fetched.
    ``catalog``: the one the report was drafted from (the packaged one by default).
    ``annex=False`` is the print edition: the data annex's enumerations (11 pages of small
    type) stay in the HTML edition and the downloads, and the contents page says so."""
    template = _env().get_template("document.html.j2")
    return template.render(
        r=report,
        L=report.language,
        css=_css(),
        release_time=_release_time(report),
        definitions=method_definitions(report),
        method_table=method_table(report, catalog or load_catalog()),
        annex=annex,
    )


def render_pdf(html: str) -> bytes:
    """The PDF of the report's HTML (its print edition, ``render_html(..., annex=False)``),
    laid out by WeasyPrint's paged-media support."""
    from weasyprint import HTML

    # fontTools logs every subsetting step at INFO; the report does not need that noise
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_table(t: Table) -> str:
    if not t.rows:
        return ""
    head = "| " + " | ".join(_md_cell(c) for c in t.columns) + " |"
    rule = "|" + "|".join(":--" if i == 0 else "--:" for i in range(len(t.columns))) + "|"
    lines = [head, rule]
    heads = dict(t.groups)
    for i, row in enumerate(t.rows):
        if i in heads:
            lines.append("| " + " | ".join([f"**{_md_cell(heads[i])}**"] + [""] * (len(row) - 1)) + " |")
        cells = []
        for cell in row:
            text = cell.text + (f"<sup>{cell.status}</sup>" if cell.status else "")
            cells.append(_md_cell(text))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_markdown(report: Report, catalog: Catalog | None = None) -> str:
    lang = report.language
    out: list[str] = [f"# {report.title}", "", f"**{report.subtitle}**", ""]
    out += [
        f"- {lang.label('release_time')}: {_release_time(report)}",
        f"- {lang.label('vintage')}: {report.vintage if report.vintage is not None else '—'}",
        f"- {lang.label('workflow_status')}: {lang.term('workflow', report.status)}",
        "",
    ]
    if report.status != "published":
        out += [f"> {lang.label('draft_banner')}", ""]
    for p in report.intro:
        out += [p.text, ""]
    if report.takeaways:
        out += [f"## {lang.label('takeaways')}", ""] + [f"- {t}" for t in report.takeaways] + [""]
    out += [f"## {lang.label('overview_table')}", "", _md_table(report.overview), ""]
    for s in report.sections:
        out += [f"## {s.name}", ""]
        if s.chain:
            out += [f"*{s.chain}*", ""]
        for p in s.paragraphs:
            if p.source == "analyst":
                by = f" — *{lang.label('analyst_by', author=p.author) if p.author else lang.label('analyst')}*"
                out += ["> " + p.text.replace("\n", "\n> ") + by, ""]
            else:
                out += [p.text, ""]
        if s.table is not None and s.table.rows:
            out += [f"**{lang.label('key_figures')}**", "", _md_table(s.table), ""]
    for p in report.closing:
        by = f" — *{lang.label('analyst_by', author=p.author) if p.author else lang.label('analyst')}*"
        out += ["> " + p.text.replace("\n", "\n> ") + by, ""]
    out += [f"## {lang.label('annex')}", "", lang.label("annex_intro"), ""]
    for s in report.sections:  # (the sample notes: in the sample table of the methodology)
        if s.annex:
            out += [f"### {s.name}", ""]
            out += [x for p in s.annex for x in (p.text, "")]
    out += [
        f"## {lang.label('accuracy')}",
        "",
        lang.label("accuracy_intro", month=lang.month(report.period)),
        "",
        _md_table(report.accuracy),
        "",
        f"## {lang.label('methodology')}",
        "",
    ]
    for t in report.methodology_text:
        out += [t, ""]
    out += [f"### {lang.term('method', 'title')}", ""]
    for term, text in method_definitions(report):
        out += [f"**{term}**: {text}", ""]
    method = method_table(report, catalog or load_catalog())
    out += [f"### {lang.term('method', 'table_title')}", "", _md_table(method), ""]
    out += [f"### {lang.label('sample_table')}", "", _md_table(report.methodology), ""]
    if report.legend:
        out += [f"### {lang.label('legend')}", ""]
        out += [f"- **{code}**: {text}" for code, text in report.legend]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def report_json(report: Report, inp: ReportInput, figures: FigureSet) -> dict[str, Any]:
    """The figures the report quotes plus the drafted text, per product.

    Suppressed and withheld values are null here too, like everywhere outside the analysts'
    view; every figure has the one shape of ``releases.serializers``.
    """
    lang = report.language
    wanted_periods = {figures.period, figures.next, figures.ytd, figures.ytd_next}
    products = []
    for s in report.sections:
        p = inp.catalog.get(s.code)
        rows = []
        for key, fig in figures.rows(s.code):
            _, kind, measure, breakdown, statistic, period = key
            if period not in wanted_periods and not (measure == "producer_share" and period == figures.previous):
                continue
            rows.append(
                figure_record(
                    {
                        "product": s.code,
                        "kind": kind,
                        "measure": measure,
                        "breakdown": breakdown,
                        "statistic": statistic,
                        "period": period,
                        "value": fig.shown,
                        "unit": fig.unit,
                        "status": fig.status,
                        "conf_status": fig.conf_status,
                    },
                    inp.catalog,
                )
            )
        rows.sort(key=lambda r: (r["period"], r["kind"], r["measure"], str(r["breakdown"]), r["statistic"]))
        products.append(
            {
                "code": s.code,
                "name": s.name,
                "name_en": p.name,
                "scope": p.scope,
                "unit": p.unit,
                "chain": p.chain,
                "paragraphs": [
                    {"slot": x.slot, "source": x.source, "author": x.author, "text": x.text} for x in s.paragraphs
                ],
                # the data annex's text of the product, by slot
                "annex": [{"slot": x.slot, "text": x.text} for x in s.annex],
                "notes": s.notes,
                "figures": rows,
            }
        )
    return {
        "period": report.period,
        "vintage": report.vintage,
        "release_at": report.release_at.isoformat() if report.release_at else None,
        "status": report.status,
        "language": lang.code,
        "title": report.title,
        "intro": [p.text for p in report.intro],
        "takeaways": report.takeaways,
        "closing": [p.text for p in report.closing],
        "obs_status": {k: OBS_STATUS[k] for k in OBS_STATUS},
        "products": products,
    }


def render_json(report: Report, inp: ReportInput, figures: FigureSet) -> str:
    return json.dumps(report_json(report, inp, figures), ensure_ascii=False, indent=1) + "\n"
