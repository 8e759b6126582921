"""Uploading returns through the page: every error listed by sheet, row, column, value and
reason with nothing written; then the fixed file goes in with what changed."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from metalstat.survey.models import SurveyReturn
from metalstat.survey.returns_template import write_template

pytestmark = pytest.mark.django_db
JUNE = date(2025, 6, 1)


def template_with(tmp_path: Path, outputs: dict[int, object]) -> SimpleUploadedFile:
    """June's copper workbook with output (column I) and status normal (K) in the given rows
    (row 2 is CU-A, 3 CU-B, 4 CU-C, 5 CU-D)."""
    path = tmp_path / "copper-2025-06.xlsx"
    write_template("copper_cathode", JUNE, path)
    wb = openpyxl.load_workbook(path)
    ws = wb["returns"]
    for row, value in outputs.items():
        ws[f"I{row}"] = value
        ws[f"K{row}"] = "normal"
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile(path.name, buffer.getvalue())


def test_two_bad_cells_are_both_shown_and_nothing_is_written(as_role, panel: None, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = as_role("analyst")
    upload = template_with(tmp_path, {2: "twenty thousand", 3: 20_000, 4: -5})
    response = client.post("/workspace/2025-06/upload/", {"file": upload})
    assert response.status_code == 400
    issues = [(i.sheet, i.row, i.column, i.letter) for i in response.context["rejected"].errors]
    assert issues == [("returns", 2, "output", "I"), ("returns", 4, "output", "I")]
    html = response.content.decode()
    assert "twenty thousand" in html and "-5" in html and "nothing was imported" in html
    assert not SurveyReturn.objects.filter(period=JUNE).exists()


def test_the_fixed_file_goes_in_with_a_summary(as_role, panel: None, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = as_role("analyst")
    response = client.post("/workspace/2025-06/upload/", {"file": template_with(tmp_path, {2: 20_000, 3: 20_500})})
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.counts["created"], result.counts["revised"], result.counts["unchanged"]) == (2, 0, 0)
    assert result.blank_rows == [4, 5]
    assert SurveyReturn.objects.get(producer__code="CU-B", period=JUNE).collected_by == "u-analyst"
    # The same workbook again: nothing new, both unchanged.
    again = client.post("/workspace/2025-06/upload/", {"file": template_with(tmp_path, {2: 20_000, 3: 20_500})})
    assert again.context["result"].counts["unchanged"] == 2


def test_warnings_need_a_reason_then_are_confirmed(as_role, panel: None, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = as_role("analyst")
    # CU-A at 12,000 against its 20,000 schedule: warnings.
    first = client.post("/workspace/2025-06/upload/", {"file": template_with(tmp_path, {2: 12_000})})
    assert first.status_code == 400 and first.context["rejected"].needs_confirmation
    assert not SurveyReturn.objects.filter(period=JUNE).exists()
    ok = client.post(
        "/workspace/2025-06/upload/", {"file": template_with(tmp_path, {2: 12_000}), "reason": "line 2 relined"}
    )
    assert ok.status_code == 200 and len(ok.context["result"].confirmed) >= 1


def test_a_csv_and_the_wrong_kind_of_file(as_role, panel: None) -> None:  # type: ignore[no-untyped-def]
    client = as_role("analyst")
    csv = SimpleUploadedFile("june.csv", b"producer,period,output,status\nCU-A,2025-06,20000,normal\n")
    assert client.post("/workspace/2025-06/upload/", {"file": csv}).context["result"].counts["created"] == 1
    text = SimpleUploadedFile("june.txt", b"hello")
    assert client.post("/workspace/2025-06/upload/", {"file": text}).status_code == 400


def test_editors_cannot_upload(as_role, panel: None, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    response = as_role("editor").post("/workspace/2025-06/upload/", {"file": template_with(tmp_path, {2: 1})})
    assert response.status_code == 403
    assert not SurveyReturn.objects.filter(period=JUNE).exists()
