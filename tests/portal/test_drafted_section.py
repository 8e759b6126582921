"""A product's page drafts only its own section of the month's report, from that product's
figures only, and the text is the one the whole report has; nothing of an embargoed vintage is
drafted for a reader who may not preview it."""

from __future__ import annotations

import html
from dataclasses import replace

import polars as pl
import pytest

from metalstat.portal import pages
from metalstat.releases.queries import COMMAND_LINE
from metalstat.report.drafting import draft_report
from metalstat.report.loader import build_report_input
from tests.portal.conftest import World, reader_client, text_of
from tests.report.synthetic import synthetic_input


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_products_section_drafted_alone_is_its_section_of_the_whole_report(language: str) -> None:
    """What ``build_report_input(products=[code])`` gives the drafting: the product only, its
    figures only; on a synthetic vintage of all 54 products."""
    inp = synthetic_input()
    whole = {s.code: s for s in draft_report(inp, language).sections}
    assert len(whole) == 54
    for code, section in whole.items():
        alone = replace(inp, products=(code,), figures=inp.figures.filter(pl.col("product") == code))
        (drafted,) = draft_report(alone, language).sections
        assert (drafted.paragraphs, drafted.notes, drafted.table, drafted.chart_svg) == (
            section.paragraphs,
            section.notes,
            section.table,
            section.chart_svg,
        ), code


def test_the_loader_reads_only_the_products_figures(world: World) -> None:
    inp = build_report_input("2025-06", 1, user=None, commentary_user=COMMAND_LINE, products=["copper_cathode"])
    assert inp.figures["product"].unique().to_list() == ["copper_cathode"]
    assert inp.product_codes() == ("copper_cathode",)
    every = build_report_input("2025-06", 1, user=None, commentary_user=COMMAND_LINE)
    assert set(every.figures["product"].unique().to_list()) == {"copper_cathode", "npi"}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_product_page_has_the_reports_paragraphs(world: World, language: str) -> None:
    reader = pages.reader_of(_user("trader"))
    lang = pages.report_language(language)
    section = pages.drafted_section(reader, world.june, lang, "copper_cathode")
    whole = pages.section_of(
        draft_report(build_report_input("2025-06", 1, user=None, commentary_user=COMMAND_LINE), lang.code),
        "copper_cathode",
    )
    assert section is not None and whole is not None and section.paragraphs == whole.paragraphs
    client = reader_client("trader")
    client.post("/i18n/setlang/", {"language": "zh-hans" if language == "zh" else "en", "next": "/"})
    body = html.unescape(text_of(client.get("/products/copper_cathode/")))
    assert section.paragraphs[0].text in body
    # what the printed report moves to its data annex is on the page too, folded
    assert section.annex == whole.annex and section.annex
    assert all(p.text in body for p in section.annex)
    assert ("本月明细" if language == "zh" else "The month in detail") in body


def test_nothing_of_an_embargoed_vintage_is_drafted_but_for_a_preview(world: World) -> None:
    lang = pages.report_language("en")
    public = pages.reader_of(_user("ana"))
    assert pages.drafted_section(public, world.july, lang, "copper_cathode") is None
    preview = pages.reader_of(_user("chief"))
    section = pages.drafted_section(preview, world.july, lang, "copper_cathode")
    assert section is not None and "7,800" in " ".join(p.text for p in section.paragraphs)
    # the preview's section is kept apart: the public reader still gets none
    assert pages.drafted_section(public, world.july, lang, "copper_cathode") is None


def _user(name: str) -> object:
    from django.contrib.auth.models import User

    return User.objects.get(username=name)
