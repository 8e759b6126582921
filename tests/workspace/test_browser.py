"""In a real browser (the system's Chromium): an analyst signs in, uploads the month's
workbook with two bad cells, sees both errors by row and column with nothing written, fixes
them and uploads again."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from metalstat.survey.models import SurveyReturn
from tests.workspace.conftest import person
from tests.workspace.test_upload import template_with

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_two_bad_cells_then_the_fixed_file(live_server, page, panel: None, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    person("ana", "analysts")
    page.goto(f"{live_server.url}/workspace/2025-06/upload/")
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", "pw")
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/workspace/2025-06/upload/")

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(template_with(tmp_path, {2: "twenty thousand", 3: 20_000, 4: -5}).read())
    page.set_input_files("input[name=file]", str(bad))
    page.click("button:has-text('Upload')")
    page.wait_for_selector("#rejected")
    rows = page.locator("#issues tbody tr.issue")
    assert rows.count() == 2
    first, second = rows.nth(0).inner_text(), rows.nth(1).inner_text()
    assert "returns" in first and "2" in first and "output (I)" in first and "twenty thousand" in first
    assert "4" in second and "output (I)" in second and "-5" in second
    assert page.locator("#issues td.cell-error").count() == 2
    page.screenshot(path=str(tmp_path / "upload-errors.png"), full_page=True)
    assert not SurveyReturn.objects.filter(period=date(2025, 6, 1)).exists()

    good = tmp_path / "good.xlsx"
    good.write_bytes(template_with(tmp_path, {2: 20_000, 3: 20_000, 4: 19_500}).read())
    page.set_input_files("input[name=file]", str(good))
    page.click("button:has-text('Upload')")
    page.wait_for_selector("#imported")
    summary = page.locator("#summary").inner_text()
    assert "New\t3" in summary and "Revised\t0" in summary
    assert SurveyReturn.objects.filter(period=date(2025, 6, 1)).count() == 3


def _sign_in(page, url: str, name: str) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto(url)
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", "pw")
    page.click("button:has-text('Sign in')")
    page.wait_for_url(url)


def test_an_analyst_runs_and_submits_another_person_approves_and_schedules(  # type: ignore[no-untyped-def]
    live_server, page, panel: None
) -> None:
    from metalstat.releases.models import Release
    from metalstat.survey.actions import do_record_return

    for code, output in (("CU-A", 21_000), ("CU-B", 19_000), ("CU-C", 20_000), ("CU-D", 20_000)):
        do_record_return(code, "2025-06", output=output, actor="t", source="phone")
    person("ana", "analysts")
    person("bo", "editors")
    url = f"{live_server.url}/workspace/2025-06/release/"
    _sign_in(page, url, "ana")
    page.click("button:has-text('Run the month')")
    page.wait_for_selector("text=stored 2025-06 v1 as a draft")
    page.click("button:has-text('Submit for review')")
    page.wait_for_selector("text=submit done")
    # Ana may not approve: the page offers her no button (and the action refuses a post).
    assert page.locator("button:has-text('Approve')").count() == 0
    assert Release.objects.get().status == "in_review"

    _sign_in(page, url, "bo")
    page.click("button:has-text('Approve')")
    page.wait_for_selector("text=approve done")
    page.fill("input[name=release_at]", "2099-07-15 09:30")
    page.click("button:has-text('Schedule')")
    page.wait_for_selector("text=publish done")
    release = Release.objects.get()
    assert (release.status, release.submitted_by, release.approved_by) == ("published", "ana", "bo")
    board = f"{live_server.url}/workspace/2025-06/"
    page.goto(board)
    assert "is scheduled for 2099-07-15" in page.inner_text("body")


SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"  # not kept in git


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_the_commentary_preview_follows_the_typing_in_both_languages(live_server, page, panel: None) -> None:  # type: ignore[no-untyped-def]
    from metalstat.releases.cycle import run_month
    from metalstat.releases.models import Commentary
    from metalstat.survey.actions import do_confirm_warning, do_mark_follow_up, do_record_return

    for code, output in (("CU-A", 21_000), ("CU-B", 19_000), ("CU-D", 12_000)):
        do_record_return(code, "2025-06", output=output, actor="t", source="phone")
    do_mark_follow_up("CU-D", "2025-06", "far_from_schedule", note="Wang calls the plant on Monday", actor="wang")
    do_confirm_warning("CU-D", "2025-06", "unexplained_swing", reason="phoned: a furnace relined", actor="wang")
    run_month("2025-06", actor="t")
    person("ana", "analysts")
    url = f"{live_server.url}/workspace/2025-06/commentary/"
    _sign_in(page, url, "ana")
    form = page.locator("#new-paragraph")
    form.locator("select[name=product]").select_option("copper_cathode")
    form.locator("select[name=slot]").select_option("drivers")
    form.locator("textarea[name=text]").fill("Smelters ran hard in June, one furnace apart.")
    page.wait_for_selector("#preview .unsaved")
    english = page.locator("#preview section[data-language=en]")
    chinese = page.locator("#preview section[data-language=zh]")
    assert "Smelters ran hard in June, one furnace apart." in english.locator(".unsaved").inner_text()
    assert chinese.count() == 1 and "铜" in chinese.inner_text()
    assert english.locator(".para").count() > 2  # the drafted paragraphs around it
    _shot(page, "commentary-preview")
    assert not Commentary.objects.exists()
    # the other pages of the month, for a look
    for name, path in (
        ("board", ""),
        ("findings", "findings/"),
        ("review", "review/"),
        ("lineage", "lineage/copper_cathode/"),
    ):
        page.goto(f"{live_server.url}/workspace/2025-06/{path}")
        _shot(page, name)


def test_the_release_an_editor_schedules_appears_on_the_portal_at_its_time(live_server, page, panel: None) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, timedelta

    from django.utils import timezone

    from metalstat.releases.actions import do_submit_for_review
    from metalstat.releases.cycle import run_month
    from metalstat.releases.models import Release
    from metalstat.subscriptions.actions import do_add_subscriber, do_create_organisation, do_grant_subscription
    from metalstat.survey.actions import do_record_return

    # June: 21,000 + 19,000 + 18,000 t and C from its 20,000 schedule: 78,000 t
    for code, output in (("CU-A", 21_000), ("CU-B", 19_000), ("CU-D", 18_000)):
        do_record_return(code, "2025-06", output=output, actor="t", source="phone")
    ana = person("ana", "analysts")
    person("bo", "editors")
    release = run_month("2025-06", actor=ana).release
    do_submit_for_review(release, actor=ana)
    org = do_create_organisation("Desk One", actor="admin")
    do_grant_subscription(org, "Base metals", groups=["base_metals"], actor="admin")
    reader = do_add_subscriber("trader", org, actor="admin").user
    reader.set_password("copper-cathode-2025")
    reader.save()

    url = f"{live_server.url}/workspace/2025-06/release/"
    _sign_in(page, url, "bo")
    page.click("button:has-text('Approve')")
    page.wait_for_selector("text=approve done")
    soon = timezone.localtime(timezone.now() + timedelta(hours=2))
    page.fill("input[name=release_at]", f"{soon:%Y-%m-%d %H:%M}")
    page.click("button:has-text('Schedule')")
    page.wait_for_selector("text=publish done")
    release.refresh_from_db()
    assert release.status == "published" and release.release_at == soon.replace(second=0, microsecond=0)
    _shot(page, "release")

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/account/sign-in/")
    page.fill("#id_username", "trader")
    page.fill("#id_password", "copper-cathode-2025")
    page.click("form.sign-in button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    # before its time: the time, no figure
    for path in ("/", "/products/copper_cathode/", "/calendar/"):
        page.goto(f"{live_server.url}{path}")
        assert "78,000" not in page.inner_text("body"), path
    calendar = page.inner_text("body")
    assert "Scheduled release" in calendar and f"{soon.astimezone(UTC):%H:%M} UTC" in calendar
    _shot(page, "portal-before-release")
    # its time comes (moved, as the clock would): June is on the portal, with no job to run
    Release.objects.filter(pk=release.pk).update(release_at=timezone.now() - timedelta(seconds=1))
    page.goto(f"{live_server.url}/products/copper_cathode/")
    assert "78,000 mt" in page.inner_text("body")
    _shot(page, "portal-after-release")
