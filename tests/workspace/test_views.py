"""Every workspace page: who may see it (signed in, with a role), what it shows, in a bounded
number of queries; every write goes through the actions with the signed-in user."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client

from metalstat.releases.models import Release
from metalstat.survey.actions import do_record_return
from metalstat.survey.models import SurveyReturn, ValidationConfirmation

pytestmark = pytest.mark.django_db

PAGES = [
    "/workspace/2025-06/",
    "/workspace/2025-06/missing/",
    "/workspace/2025-06/findings/",
    "/workspace/2025-06/cells/",
    "/workspace/2025-06/release/",
    "/workspace/2025-06/review/",
    "/workspace/2025-06/commentary/",
    "/workspace/2025-06/lineage/copper_cathode/",
]
ANALYST_PAGES = ["/workspace/2025-06/upload/", "/workspace/2025-06/returns/CU-A/"]


def _june_returns() -> None:
    """June: A 21,000, B 19,000, D 12,000 with no reason (two warnings); C silent."""
    do_record_return("CU-A", "2025-06", output=21_000, actor="t", source="phone")
    do_record_return("CU-B", "2025-06", output=19_000, actor="t", source="phone")
    do_record_return("CU-D", "2025-06", output=12_000, actor="t", source="phone")


@pytest.mark.parametrize("url", PAGES + ANALYST_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(url: str, panel: None) -> None:
    response = Client().get(url)
    assert response.status_code == 302 and response["Location"].startswith("/workspace/login/?next=")


@pytest.mark.parametrize("url", PAGES + ANALYST_PAGES)
@pytest.mark.parametrize("role", ["administrator", "nobody"])
def test_roles_without_workspace_rights_are_refused(url: str, role: str, as_role, panel: None) -> None:  # type: ignore[no-untyped-def]
    assert as_role(role).get(url).status_code == 403


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("role", ["analyst", "editor"])
def test_analysts_and_editors_see_the_month(
    url: str, role: str, as_role, panel: None, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    _june_returns()
    client = as_role(role)
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("url", ANALYST_PAGES)
def test_editors_may_not_enter_returns(url: str, as_role, panel: None, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    assert as_role("editor").get(url).status_code == 403
    analyst = as_role("analyst")
    with django_assert_max_num_queries(12):
        assert analyst.get(url).status_code == 200


def test_the_board_counts_and_links(as_role, panel: None, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    _june_returns()
    client = as_role("analyst")
    with django_assert_max_num_queries(20):
        response = client.get("/workspace/2025-06/")
    board = response.context["board"]
    copper = next(r for r in board.rows if r.code == "copper_cathode")
    # 4 in the panel, 3 returned (3 × 365,000 of 4 × 365,000 capacity = 75%), C missing.
    assert (copper.panel, copper.received, copper.missing) == (4, 3, 1)
    assert copper.received_capacity_share == pytest.approx(0.75)
    # D: unexplained swing and far from schedule.
    assert (copper.errors, copper.warnings) == (0, 2)
    assert copper.imputed is None and board.release is None
    assert "the month has not been run: no vintage yet" in board.blockers
    html = response.content.decode()
    assert 'href="/workspace/2025-06/missing/?product=copper_cathode">1</a>' in html
    assert "/workspace/2025-06/findings/?product=copper_cathode&amp;severity=warning" in html


def test_the_board_follows_the_run_and_later_changes(as_role, panel: None) -> None:  # type: ignore[no-untyped-def]
    _june_returns()
    client = as_role("analyst")
    response = client.post("/workspace/2025-06/release/", {"step": "run"})
    assert response.status_code == 302
    release = Release.objects.get(period="2025-06-01")
    assert release.created_by == "u-analyst"
    board = client.get("/workspace/2025-06/").context["board"]
    copper = next(r for r in board.rows if r.code == "copper_cathode")
    assert copper.imputed == 1 and board.fresh
    do_record_return("CU-C", "2025-06", output=20_000, actor="t", source="phone")
    board = client.get("/workspace/2025-06/").context["board"]
    assert not board.fresh and any("run the month again" in b for b in board.blockers)


def test_the_chasing_list_and_its_excel_export(as_role, panel: None) -> None:  # type: ignore[no-untyped-def]
    from metalstat.registry.actions import do_upsert_producer

    _june_returns()
    do_upsert_producer("CU-C", contact="Ms Li, 0791-555 0101", actor="t")
    client = as_role("analyst")
    rows = client.get("/workspace/2025-06/missing/").context["rows"]
    assert [(r["code"], r["contact"], r["last_output"]) for r in rows] == [("CU-C", "Ms Li, 0791-555 0101", 20_000)]
    xlsx = client.get("/workspace/2025-06/missing/?format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in ws[3]][:4] == ["CU-C", "Smelter CU-C", "copper_cathode", "Ms Li, 0791-555 0101"]


def test_confirming_a_warning_needs_a_reason_and_the_analyst_role(as_role, panel: None) -> None:  # type: ignore[no-untyped-def]
    _june_returns()
    editor = as_role("editor")
    editor.post("/workspace/2025-06/findings/", {"producer": "CU-D", "rule": "far_from_schedule", "reason": "ok"})
    assert not ValidationConfirmation.objects.exists()
    analyst = as_role("analyst")
    analyst.post("/workspace/2025-06/findings/", {"producer": "CU-D", "rule": "far_from_schedule", "reason": " "})
    assert not ValidationConfirmation.objects.exists()
    analyst.post(
        "/workspace/2025-06/findings/", {"producer": "CU-D", "rule": "far_from_schedule", "reason": "furnace relined"}
    )
    c = ValidationConfirmation.objects.get()
    assert (c.rule, c.reason, c.confirmed_by) == ("far_from_schedule", "furnace relined", "u-analyst")
    rows = analyst.get("/workspace/2025-06/findings/").context["rows"]
    assert [r["rule"] for r in rows] == ["unexplained_swing"]
    # D's history: 20,000 from December to May, then June's 12,000.
    assert [v for _, v in rows[0]["history"]] == [20_000.0] * 6 + [12_000.0]


def test_the_one_return_form_applies_the_rules(as_role, panel: None) -> None:  # type: ignore[no-untyped-def]
    client = as_role("analyst")
    url = "/workspace/2025-06/returns/CU-C/"
    # 90,000 t in June is above what 365,000 t/year allows: an error, nothing written.
    bad = client.post(url, {"output": "90000", "status": "normal", "source": "phone", "revision": "0"})
    assert bad.status_code == 400 and "above_capacity" in bad.content.decode()
    # 12,000 against a 20,000 schedule: warnings, which need a reason.
    warn = client.post(url, {"output": "12000", "status": "normal", "source": "phone", "revision": "0"})
    assert warn.status_code == 400 and {w.rule for w in warn.context["warnings"]} == {
        "unexplained_swing",
        "far_from_schedule",
    }
    assert not SurveyReturn.objects.filter(producer__code="CU-C", period="2025-06-01").exists()
    ok = client.post(
        url,
        {"output": "12000", "status": "normal", "source": "phone", "revision": "0", "confirm_reason": "one line down"},
    )
    assert ok.status_code == 302
    assert SurveyReturn.objects.get(producer__code="CU-C", period="2025-06-01").output == 12_000
    assert ValidationConfirmation.objects.filter(producer__code="CU-C", reason="one line down").count() == 2
    history = client.get(url).context["history"]
    assert [(h["actor"], h["revision"], h["origin"]) for h in history] == [("u-analyst", 1, "workspace form")]
    assert ("output", None, 12_000.0) in history[0]["changes"]
    # A second analyst still looking at "no return yet" is refused, with the first one's change.
    late = as_role("analyst", "u-second").post(
        url, {"output": "13000", "status": "normal", "source": "phone", "revision": "0", "confirm_reason": "x"}
    )
    assert late.status_code == 409 and "changed by u-analyst" in late.context["conflict"]


def test_the_one_return_form_takes_breakdowns_and_planned_breakdowns(as_role) -> None:  # type: ignore[no-untyped-def]
    from metalstat.registry.actions import do_add_capacity_record, do_set_panel_membership, do_upsert_producer

    do_upsert_producer("NI-A", name="Coastal NPI", product="npi", province="Shandong", actor="t")
    do_add_capacity_record("NI-A", "2020-01-01", 120_000, actor="t")
    do_set_panel_membership("NI-A", "2020-01", actor="t")
    client = as_role("analyst")
    url = "/workspace/2025-06/returns/NI-A/"
    form = client.get(url).content.decode()
    assert 'name="grade=high-grade"' in form and 'name="schedule:grade=low-grade"' in form
    assert 'name="schedule_after_next"' in form
    base = {"output": "9000", "output_metal": "900", "status": "normal", "source": "phone", "revision": "0"}
    base |= {"grade=high-grade": "6000", "grade=low-grade": "3000", "schedule": "9100", "schedule_after_next": "9200"}
    # The planned parts add up to 8,100 against a schedule of 9,100: an error, nothing written.
    bad = client.post(url, base | {"schedule:grade=high-grade": "6100", "schedule:grade=low-grade": "2000"})
    assert bad.status_code == 400 and "planned_breakdown_sum" in bad.content.decode()
    assert not SurveyReturn.objects.filter(producer__code="NI-A").exists()
    check = client.post(url.replace("NI-A/", "NI-A/check/"), base | {"schedule:grade=high-grade": "x"})
    assert "schedule:grade=high-grade: 'x' is not a number" in check.json()["problems"]
    ok = client.post(url, base | {"schedule:grade=high-grade": "6100", "schedule:grade=low-grade": "3000"})
    assert ok.status_code == 302, ok.content.decode()
    stored = SurveyReturn.objects.get(producer__code="NI-A")
    assert stored.breakdown == {"grade": {"high-grade": 6000.0, "low-grade": 3000.0}}
    assert stored.schedule_breakdown == {"grade": {"high-grade": 6100.0, "low-grade": 3000.0}}
    assert stored.schedule_after_next == 9200.0
    # The form shows them again for the next edit.
    again = client.get(url).context["values"]
    assert (again["schedule:grade=high-grade"], again["grade=low-grade"]) == (6100.0, 3000.0)


def test_sign_off_needs_two_people(as_role, panel: None) -> None:  # type: ignore[no-untyped-def]
    _june_returns()
    analyst, editor = as_role("analyst"), as_role("editor")
    analyst.post("/workspace/2025-06/release/", {"step": "run"})
    release = Release.objects.get()
    editor.post("/workspace/2025-06/release/", {"step": "submit", "release": release.pk})
    release.refresh_from_db()
    assert release.status == "draft"  # editors do not submit
    analyst.post("/workspace/2025-06/release/", {"step": "submit", "release": release.pk})
    analyst.post("/workspace/2025-06/release/", {"step": "approve", "release": release.pk})
    release.refresh_from_db()
    assert release.status == "in_review"  # analysts do not approve
    editor.post("/workspace/2025-06/release/", {"step": "reject", "release": release.pk, "note": "recheck D"})
    release.refresh_from_db()
    assert (release.status, release.note) == ("draft", "recheck D")
    analyst.post("/workspace/2025-06/release/", {"step": "submit", "release": release.pk})
    editor.post("/workspace/2025-06/release/", {"step": "approve", "release": release.pk})
    editor.post(
        "/workspace/2025-06/release/", {"step": "publish", "release": release.pk, "release_at": "2099-07-15 09:30"}
    )
    release.refresh_from_db()
    assert (release.status, release.approved_by, release.published_by) == ("published", "u-editor", "u-editor")
    assert release.release_at is not None and release.release_at.year == 2099


def test_review_and_lineage_of_a_figure(as_role, panel: None, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    _june_returns()
    client = as_role("analyst")
    client.post("/workspace/2025-06/release/", {"step": "run"})
    with django_assert_max_num_queries(20):
        review = client.get("/workspace/2025-06/review/").context["review"]
    copper = review.rows[0]
    # June 21,000 + 19,000 + 20,000 (C from its schedule) + 12,000 = 72,000 against May's 80,000.
    assert copper["code"] == "copper_cathode"
    assert copper["value"] == pytest.approx(72_000) and copper["mom_pct"] == pytest.approx(-10.0)
    # 20,000 of 72,000 imputed: 27.8%.
    assert copper["imputed_pct"] == pytest.approx(20_000 / 72_000 * 100)
    with django_assert_max_num_queries(20):
        lineage = client.get("/workspace/2025-06/lineage/copper_cathode/").context["lineage"]
    assert lineage.figure == pytest.approx(72_000) and lineage.total == pytest.approx(72_000)
    assert {u.producer: u.method for u in lineage.units} == {
        "CU-A": "reported",
        "CU-B": "reported",
        "CU-C": "schedule",
        "CU-D": "reported",
    }
    assert [c.status for c in lineage.cells["CU-C"] if c.field == "output"] == ["imputed"]


def test_commentary_is_written_by_analysts_and_never_lost(as_role, panel: None, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    from metalstat.releases.models import Commentary

    new = {"product": "copper_cathode", "slot": "drivers", "language": "en", "mode": "replace", "version": ""}
    editor = as_role("editor")
    assert editor.post("/workspace/2025-06/commentary/", new | {"text": "Smelters ran hard."}).status_code == 403
    ana, bo = as_role("analyst"), as_role("analyst", "u-bo")
    assert ana.post("/workspace/2025-06/commentary/", new | {"text": "Smelters ran hard."}).status_code == 302
    with django_assert_max_num_queries(12):
        page = bo.get("/workspace/2025-06/commentary/")
    (entry, seen), *_ = page.context["entries"]
    assert entry.text == "Smelters ran hard."
    # Both open the paragraph at the same version; ana saves first, bo's save is refused.
    edit = new | {"version": seen}
    assert ana.post("/workspace/2025-06/commentary/", edit | {"text": "Smelters ran hard in June."}).status_code == 302
    late = bo.post("/workspace/2025-06/commentary/", edit | {"text": "Output fell."})
    assert late.status_code == 409
    assert (
        "changed by u-analyst" in late.context["conflict"] and "Smelters ran hard in June." in late.context["conflict"]
    )
    assert Commentary.objects.get().text == "Smelters ran hard in June."


def test_confirming_one_rule_for_several_producers_at_once(as_role, panel: None) -> None:  # type: ignore[no-untyped-def]
    # C and D both at 12,000 against a 20,000 schedule with no reason.
    do_record_return("CU-A", "2025-06", output=20_000, actor="t", source="phone")
    do_record_return("CU-C", "2025-06", output=12_000, actor="t", source="phone")
    do_record_return("CU-D", "2025-06", output=12_000, actor="t", source="phone")
    client = as_role("analyst")
    page = client.get("/workspace/2025-06/findings/?severity=warning")
    bulk = {(g["product"], g["rule"]): g["producers"] for g in page.context["bulk"]}
    assert bulk[("copper_cathode", "far_from_schedule")] == ["CU-C", "CU-D"]
    client.post(
        "/workspace/2025-06/findings/",
        {"rule": "far_from_schedule", "producer": ["CU-C", "CU-D"], "reason": "both relined in June"},
    )
    confirmed = ValidationConfirmation.objects.filter(rule="far_from_schedule", reason="both relined in June")
    assert sorted(confirmed.values_list("producer__code", flat=True)) == ["CU-C", "CU-D"]
    left = {r["rule"] for r in client.get("/workspace/2025-06/findings/").context["rows"]}
    assert left == {"unexplained_swing"}


def test_the_form_checks_values_as_they_are_typed(as_role, panel: None, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = as_role("analyst")
    url = "/workspace/2025-06/returns/CU-C/check/"
    with django_assert_max_num_queries(15):
        said = client.post(url, {"output": "90000", "status": "normal"}).json()
    # 90,000 in June against 365,000 × 30/365 = 30,000 (+ tolerance): an error on the output
    # field; +350% on the 20,000 scheduled and a daily swing of 3,000 against 645: warnings.
    assert {(f["rule"], f["field"], f["severity"]) for f in said["findings"]} == {
        ("above_capacity", "output", "error"),
        ("far_from_schedule", "output", "warning"),
        ("unexplained_swing", "output", "warning"),
    }
    assert client.post(url, {"output": "lots"}).json()["problems"] == ["output: 'lots' is not a number"]
    assert client.post(url, {"output": "20000", "status": "normal"}).json() == {"problems": [], "findings": []}
    assert not SurveyReturn.objects.filter(period="2025-06-01", producer__code="CU-C").exists()
    assert as_role("editor").post(url, {"output": "1"}).status_code == 403


def test_every_page_title_is_plain_text() -> None:
    """A title block holding markup (a table pasted into it) shows up as the tab's text."""
    import re
    from pathlib import Path

    import metalstat

    for path in Path(metalstat.__file__).parent.glob("*/templates/**/*.html"):
        found = re.search(r"\{% block title %\}(.*?)\{% endblock %\}", path.read_text("utf-8"), re.S)
        if found:
            assert "<" not in found[1] and "\n" not in found[1], path


def test_an_approved_vintage_goes_back_only_by_an_editor_withdrawing_the_approval(as_role, panel: None) -> None:  # type: ignore[no-untyped-def]
    from metalstat.releases.models import Figure

    _june_returns()
    analyst, editor = as_role("analyst"), as_role("editor")
    url = "/workspace/2025-06/release/"
    analyst.post(url, {"step": "run"})
    release = Release.objects.get()
    figures = sorted(Figure.objects.filter(release=release).values_list("id", "value"))
    analyst.post(url, {"step": "submit", "release": release.pk})
    editor.post(url, {"step": "approve", "release": release.pk})
    # scheduled: withdrawn from the schedule first (back to approved), with a reason
    editor.post(url, {"step": "publish", "release": release.pk, "release_at": "2099-07-15 09:30"})
    assert "Withdraw from schedule" in editor.get(url).content.decode()
    editor.post(url, {"step": "withdraw", "release": release.pk, "note": "hold for the NPI check"})
    release.refresh_from_db()
    assert (release.status, release.release_at) == ("approved", None)
    # an approved vintage is not rejected, and an analyst cannot take its approval back
    editor.post(url, {"step": "reject", "release": release.pk, "note": "x"})
    analyst.post(url, {"step": "withdraw_approval", "release": release.pk, "note": "x"})
    editor.post(url, {"step": "withdraw_approval", "release": release.pk, "note": " "})
    release.refresh_from_db()
    assert (release.status, release.approved_by) == ("approved", "u-editor")
    page = editor.get(url).content.decode()
    assert "Withdraw approval" in page
    editor.post(url, {"step": "withdraw_approval", "release": release.pk, "note": "D's furnace: recheck"})
    release.refresh_from_db()
    assert (release.status, release.approved_by, release.approved_at, release.note) == (
        "draft",
        "",
        None,
        "D's furnace: recheck",
    )
    # its figures never changed; it goes round again with four eyes
    assert sorted(Figure.objects.filter(release=release).values_list("id", "value")) == figures
    analyst.post(url, {"step": "submit", "release": release.pk})
    editor.post(url, {"step": "approve", "release": release.pk})
    release.refresh_from_db()
    assert release.status == "approved"
