"""The commentary's live preview: one product's section as the report drafts it, in every
language of the report, with the analyst's unsaved paragraph in place. Nothing is written.

The drafting is the report's own (``report.loader.build_report_input`` and
``report.draft_report``, its public functions): this module only swaps the paragraph being
typed into the month's saved commentary and narrows the report to one product. It is the
workspace's only module that imports the report.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from metalstat.report import SLOTS, CommentaryEntry, available_languages, draft_report
from metalstat.report.loader import ReportError, build_report_input

__all__ = ["SLOTS", "NoPreview", "PreviewSection", "commentary_preview"]  # SLOTS: where commentary goes


@dataclass(frozen=True)
class PreviewParagraph:
    slot: str
    text: str
    source: str  # drafted | analyst
    author: str
    unsaved: bool  # the paragraph being typed

    @property
    def slot_label(self) -> str:
        return self.slot.replace("_", " ")


@dataclass(frozen=True)
class PreviewSection:
    language: str  # en | zh
    name: str  # the product's name in that language
    analyst_label: str  # how the report marks an analyst's paragraph, in that language
    paragraphs: list[PreviewParagraph]
    typed_here: bool  # the paragraph being typed is in this language


class NoPreview(ValueError):
    """There is nothing to draft the section from (no vintage yet, no figures of the product)."""


def commentary_preview(
    period: date,
    product: str,
    slot: str,
    text: str,
    *,
    language: str,
    mode: str,
    user: Any,
    author: str = "",
) -> list[PreviewSection]:
    """The product's section in each report language from the month's newest vintage the
    user may see, with ``text`` as the (product, slot, language, mode) commentary in place of
    the saved one (empty text: the slot as saved). Raises NoPreview when it cannot be drafted."""
    if not product:
        raise NoPreview("the preview drafts one product's section: choose a product")
    try:
        inp = build_report_input(f"{period:%Y-%m}", user=user)
    except ReportError as exc:
        raise NoPreview(f"{exc}; the preview drafts from the month's vintage") from None
    if product not in inp.product_codes():
        raise NoPreview(f"the month's vintage has no figures for {product}: run the month first")
    typed = text.strip()
    kept = [
        c
        for c in inp.commentary
        if not (c.product == product and c.slot == slot and c.language == language and c.mode == mode and typed)
    ]
    if typed:
        kept.append(
            CommentaryEntry(product=product, language=language, slot=slot, mode=mode, text=typed, author=author)
        )
    one = replace(inp, products=(product,), commentary=tuple(kept))
    out = []
    for lang in available_languages():
        report = draft_report(one, lang)
        (section,) = report.sections
        here = lang == language
        out.append(
            PreviewSection(
                language=lang,
                name=section.name,
                analyst_label=report.language.label("analyst"),
                paragraphs=[
                    PreviewParagraph(
                        slot=p.slot,
                        text=p.text,
                        source=p.source,
                        author=p.author,
                        unsaved=here and bool(typed) and p.source == "analyst" and p.slot == slot and p.text == typed,
                    )
                    for p in section.paragraphs
                ],
                typed_here=here,
            )
        )
    return out
