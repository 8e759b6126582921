"""In a real browser (the system's Chromium): an analyst signs in, uploads the month's
workbook with two bad cells, sees both errors by row and column with nothing written, fixes
them and uploads again."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from metalstat.survey.models import SurveyReturn
from tests.workspace.conftest import person
from tests.workspace.test_upload import template_with

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def browser_page():  # type: ignore[no-untyped-def]
    # Playwright's sync API runs an event loop in this thread; the test's own database calls
    # stay synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        yield page
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def test_upload_two_bad_cells_then_the_fixed_file(live_server, browser_page, panel: None, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    person("ana", "analysts")
    page = browser_page
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
