"""One product's section: the facts of every paragraph slot, the paragraphs worded by the
language with the analysts' commentary in place, the key table, the chart and the note."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from metalstat.catalog import Product
from metalstat.report.charts import production_chart
from metalstat.report.drafting.base import Draft, days
from metalstat.report.drafting.capacity import capacity_facts
from metalstat.report.drafting.chart import chart_data
from metalstat.report.drafting.counts import counts
from metalstat.report.drafting.events import event_groups, headline_reason
from metalstat.report.drafting.forecast import forecast_facts
from metalstat.report.drafting.market import market_series
from metalstat.report.drafting.model import SLOTS, Paragraph, Section
from metalstat.report.drafting.production import content_facts, production_facts, ytd_facts
from metalstat.report.drafting.rates import rate_facts
from metalstat.report.drafting.structure import structure
from metalstat.report.drafting.tables import key_table
from metalstat.report.inputs import CommentaryEntry
from metalstat.report.language import common_noun


def facts(d: Draft, p: Product) -> dict[str, Any]:
    """Everything the paragraphs of a product may state, by slot."""
    lang = d.lang
    unit = lang.unit(p)
    per_year = lang.label("per_year", unit=unit)
    dec = p.decimals

    def q(x: float | None) -> str:
        return lang.qty(x, p.unit, unit, dec)

    def qy(x: float | None) -> str:
        return lang.qty(x, p.unit, per_year, dec)

    name = lang.product_name(p)
    subject = str(lang.config.get("subject", {}).get(p.scope, "{name}")).format(name=name, common=common_noun(name))
    prod = production_facts(d, p)
    events = event_groups(d, p, d.t, planned_only=False)
    reason = headline_reason(d, p, prod, events)
    return {
        "code": p.code,
        "name": name,
        "subject": subject,
        "headline_content": (lang.term("contents", p.headline_content) if p.content == "both" else ""),
        "scope": p.scope,
        "scope_name": lang.term("scopes", p.scope),
        "unit": unit,
        "per_year": per_year,
        "dec": dec,
        "q": q,
        "qy": qy,
        "period": d.t,
        "previous": d.figs.previous,
        "year_ago": d.figs.year_ago,
        "days": days(d.t),
        "prev_days": days(d.figs.previous),
        "prod": prod,
        "contents": content_facts(d, p, lang),
        "ytd": ytd_facts(d, p),
        "rate": rate_facts(d, p),
        "capacity": capacity_facts(d, p),
        "structure": structure(d, p),
        "counts": counts(d, p),
        "events": events,
        # the headline's reason, and the other reasons the drivers paragraph names
        "reason": reason,
        "other_events": events[1:] if reason is not None and reason["kind"] == "stoppage" else events,
        "aux": market_series(d, p),
        "fc": forecast_facts(d, p),
    }


def place(slot: str, drafted: str, commentary: Iterable[CommentaryEntry]) -> list[Paragraph]:
    """The paragraphs of one slot: the analyst's text before, instead of, or after the draft."""
    mine = [c for c in commentary if c.slot == slot]
    before = [c for c in mine if c.mode == "before"]
    replace = [c for c in mine if c.mode == "replace"]
    after = [c for c in mine if c.mode == "after"]
    out = [Paragraph(slot, c.text.strip(), "analyst", c.author) for c in before]
    if replace:
        out.extend(Paragraph(slot, c.text.strip(), "analyst", c.author) for c in replace)
    elif drafted:
        out.append(Paragraph(slot, drafted))
    out.extend(Paragraph(slot, c.text.strip(), "analyst", c.author) for c in after)
    return [p for p in out if p.text]


def section(d: Draft, p: Product, commentary: Iterable[CommentaryEntry]) -> Section:
    """The product's section in the drafting's language, with ``commentary`` (the analysts'
    entries for this product and language) placed in its slots."""
    lang = d.lang
    ctx = facts(d, p)
    commentary = list(commentary)
    paragraphs: list[Paragraph] = []
    annex: list[Paragraph] = []
    for slot in SLOTS:
        body, rest = lang.paragraph_parts(slot, ctx)
        paragraphs.extend(place(slot, body, commentary))
        if rest:
            annex.append(Paragraph(slot, rest))
    chart = production_chart(chart_data(d, p, ctx), lang)
    notes = []
    note = lang.paragraph("sample_note", sample_facts(d, p, ctx))
    if note:
        notes.append(note)
    return Section(
        code=p.code,
        name=ctx["name"],
        anchor=f"p-{p.code}",
        paragraphs=paragraphs,
        table=key_table(d, p, ctx),
        chart_svg=chart,
        notes=notes,
        facts=ctx,
        annex=annex,
        chain=lang.term("chains", p.chain or ""),
    )


def sample_facts(d: Draft, p: Product, ctx: dict[str, Any]) -> dict[str, Any]:
    return {
        **ctx,
        "sample": ctx["counts"]["sample"],
        "provinces": ctx["counts"]["provinces"],
        "sample_capacity": d.v(p, "capacity", "level", breakdown="basis=sample"),
        "coverage": d.v(p, "coverage", "level"),
        "response": d.v(p, "response_rate", "level"),
        "imputed": d.v(p, "imputed_share", "level"),
    }
