"""The commentary's live preview: the product's section drafted by the report in English and
Chinese with the unsaved paragraph in place; nothing saved; analysts only."""

from __future__ import annotations

import pytest
from django.test import Client

from metalstat.core.models import AuditEntry
from metalstat.releases.actions import do_set_commentary
from metalstat.releases.models import Commentary
from metalstat.report import SLOTS
from metalstat.survey.actions import do_record_return

pytestmark = pytest.mark.django_db
URL = "/workspace/2025-06/commentary/preview/"
TYPED = {"product": "copper_cathode", "slot": "drivers", "language": "en", "mode": "replace", "version": ""}


def _run_june(client: Client) -> None:
    for code, output in (("CU-A", 21_000), ("CU-B", 19_000), ("CU-D", 20_000)):
        do_record_return(code, "2025-06", output=output, actor="t", source="phone")
    assert client.post("/workspace/2025-06/release/", {"step": "run"}).status_code == 302


def test_the_preview_drafts_both_languages_with_the_unsaved_text_in_place(as_role, panel: None) -> None:  # type: ignore[no-untyped-def]
    analyst = as_role("analyst")
    _run_june(analyst)
    do_set_commentary("2025-06", "copper_cathode", "drivers", "冶炼厂满负荷生产。", language="zh", actor="t")
    audit_before = AuditEntry.objects.count()
    answer = analyst.post(URL, TYPED | {"text": "Smelters ran hard in June."})
    assert answer.status_code == 200
    en, zh = answer.context["preview"]
    assert (en.language, zh.language) == ("en", "zh")
    # English: the typed paragraph replaces the drafted drivers paragraph, in the drivers slot
    typed = [p for p in en.paragraphs if p.unsaved]
    assert [(p.slot, p.text, p.source) for p in typed] == [("drivers", "Smelters ran hard in June.", "analyst")]
    slots = [p.slot for p in en.paragraphs]
    assert slots == sorted(slots, key=SLOTS.index) and slots.count("drivers") == 1
    assert any(p.source == "drafted" and p.slot == "production" for p in en.paragraphs)
    # Chinese: its own drafted section and its saved paragraph, not the English text
    assert zh.name != en.name and any(p.source == "drafted" for p in zh.paragraphs)
    assert [p.text for p in zh.paragraphs if p.source == "analyst"] == ["冶炼厂满负荷生产。"]
    html = answer.content.decode()
    assert "Smelters ran hard in June." in html and "冶炼厂满负荷生产。" in html and 'lang="zh-Hans"' in html
    assert "<html" not in html  # a fragment for the page's script
    # nothing saved, nothing audited
    assert list(Commentary.objects.values_list("language", "text")) == [("zh", "冶炼厂满负荷生产。")]
    assert AuditEntry.objects.count() == audit_before


def test_chinese_typed_text_appears_in_the_chinese_section_only(as_role, panel: None) -> None:  # type: ignore[no-untyped-def]
    analyst = as_role("analyst")
    _run_june(analyst)
    en, zh = analyst.post(URL, TYPED | {"language": "zh", "mode": "after", "text": "六月开工率偏高。"}).context[
        "preview"
    ]
    assert [p.text for p in zh.paragraphs if p.unsaved] == ["六月开工率偏高。"]
    # "after": the drafted drivers paragraph stays, the text follows it
    drivers = [p.source for p in zh.paragraphs if p.slot == "drivers"]
    assert drivers[-1] == "analyst" and len(drivers) == len([p for p in en.paragraphs if p.slot == "drivers"]) + 1
    assert not any("六月开工率偏高。" in p.text for p in en.paragraphs)
    assert not Commentary.objects.exists()


def test_the_preview_is_for_analysts_and_says_when_there_is_nothing_to_draft(as_role, panel: None) -> None:  # type: ignore[no-untyped-def]
    analyst = as_role("analyst")
    nothing = analyst.post(URL, TYPED | {"text": "x"})
    assert nothing.status_code == 200 and "run" in nothing.context["preview_problem"]
    _run_june(analyst)
    for role in ("editor", "administrator", "nobody"):
        assert as_role(role, f"u-{role}").post(URL, TYPED | {"text": "x"}).status_code == 403
    assert Client().post(URL, TYPED | {"text": "x"}).status_code == 302  # to sign in
    assert analyst.get(URL).status_code == 405
    report_wide = analyst.post(URL, TYPED | {"product": "", "text": "x"})
    assert "choose a product" in report_wide.context["preview_problem"]


def test_without_script_the_preview_button_shows_the_page_with_the_text_kept(as_role, panel: None) -> None:  # type: ignore[no-untyped-def]
    analyst = as_role("analyst")
    _run_june(analyst)
    page = analyst.post("/workspace/2025-06/commentary/", TYPED | {"text": "Smelters ran hard.", "preview": "1"})
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("Smelters ran hard.") == 2  # in the form and in the preview
    assert [p.text for p in page.context["preview"][0].paragraphs if p.unsaved] == ["Smelters ran hard."]
    assert not Commentary.objects.exists()
    editor = as_role("editor")
    assert editor.post("/workspace/2025-06/commentary/", TYPED | {"text": "x", "preview": "1"}).status_code == 403
