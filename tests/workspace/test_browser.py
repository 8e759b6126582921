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
