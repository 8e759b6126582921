"""Drafting: one vintage of figures and the month's context -> a report in one language.

Python gathers the facts each paragraph may state (only those the figures hold, never a
suppressed or withheld value) and the language's templates word them. The result is a plain
structure (``model.Report``) that the HTML, Markdown and JSON renderers lay out.

The parts: ``model`` (the document), ``base`` (the figures and language a draft reads),
``labels`` (breakdown names), one module per paragraph slot (``production``, ``rates``,
``structure``, ``capacity``, ``counts``, ``events``, ``market``, ``forecast``, ``overview``),
``tables``, ``chart`` and ``section`` (one product's section). The drafting does no
arithmetic on figures: every number it states is one of the engine's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from metalstat.report.drafting.base import BREAKDOWN_MIN_SPREAD, Draft, informative
from metalstat.report.drafting.events import MAX_REASONS, event_weight
from metalstat.report.drafting.market import join_ranges
from metalstat.report.drafting.model import OVERVIEW_SLOT, SLOTS, Cell, Paragraph, Report, Section, Table
from metalstat.report.drafting.overview import by_chain, overview_facts, takeaway_facts
from metalstat.report.drafting.section import place, section
from metalstat.report.drafting.tables import accuracy_table, methodology_table, overview_table
from metalstat.report.figureset import FigureSet
from metalstat.report.inputs import CommentaryEntry, ReportInput
from metalstat.report.language import load_language

__all__ = [
    "BREAKDOWN_MIN_SPREAD",
    "MAX_REASONS",
    "OVERVIEW_SLOT",
    "SLOTS",
    "Cell",
    "Paragraph",
    "Report",
    "Section",
    "Table",
    "draft_report",
    "draft_section",
    "event_weight",
    "informative",
    "join_ranges",
]


def _draft(inp: ReportInput, language: str, figures: FigureSet | None) -> Draft:
    prior = FigureSet(inp.prior_forecasts, inp.period) if inp.prior_forecasts is not None else None
    return Draft(inp, load_language(language), figures or FigureSet(inp.figures, inp.period), prior)


def draft_section(
    inp: ReportInput,
    language: str,
    product: str,
    commentary: Iterable[CommentaryEntry] | None = None,
    figures: FigureSet | None = None,
) -> Section:
    """One product's section, with ``commentary`` in its slots (the input's own commentary
    for that product and language when None): a preview of an analyst's text in place."""
    d = _draft(inp, language, figures)
    if commentary is None:
        commentary = inp.commentary
    mine = [c for c in commentary if c.product == product and c.language == d.lang.code]
    return section(d, inp.catalog.get(product), mine)


def draft_report(inp: ReportInput, language: str, figures: FigureSet | None = None) -> Report:
    """Draft the whole report for one language (``figures`` may be shared across languages)."""
    d = _draft(inp, language, figures)
    lang, figs = d.lang, d.figs
    products = by_chain([inp.catalog.get(code) for code in inp.product_codes()])
    sections = [
        section(d, p, [c for c in inp.commentary if c.product == p.code and c.language == lang.code]) for p in products
    ]
    overview_ctx = overview_facts(inp, products, figs, lang)
    takeaways = lang.paragraph("takeaways", takeaway_facts(overview_ctx, products, sections, lang))
    report_wide = [c for c in inp.commentary if c.product == "" and c.language == lang.code]
    # report-wide text: "end" closes the product sections, any other slot joins the overview
    intro = place(
        OVERVIEW_SLOT,
        lang.paragraph(OVERVIEW_SLOT, overview_ctx),
        [
            c if c.slot == OVERVIEW_SLOT else replace(c, slot=OVERVIEW_SLOT, mode="after")
            for c in report_wide
            if c.slot != "end"
        ],
    )
    closing = place("end", "", [c for c in report_wide if c.slot == "end"])
    overview = overview_table(d, products)
    accuracy = accuracy_table(d, products)
    methodology = methodology_table(d, products)
    method_text = [lang.paragraph("methodology", overview_ctx)]
    statuses = d.statuses_used
    legend_table = lang.config.get("obs_status", {})
    legend = [
        (
            code,
            lang.label("legend_provisional", month=lang.month(inp.period))
            if code == "P"
            else str(legend_table.get(code, code)),
        )
        for code in sorted(statuses)
        if code
    ]
    return Report(
        language=lang,
        period=inp.period,
        vintage=inp.vintage,
        release_at=inp.release_at,
        status=inp.status,
        title=lang.label("title"),
        subtitle=lang.label("subtitle", month=lang.month(inp.period), next=lang.month(figs.next)),
        intro=intro,
        closing=closing,
        overview=overview,
        takeaways=[t for t in takeaways.split("\n\n") if t],
        sections=sections,
        accuracy=accuracy,
        methodology=methodology,
        methodology_text=[t for t in method_text if t],
        legend=legend,
        statuses_used=statuses,
    )
