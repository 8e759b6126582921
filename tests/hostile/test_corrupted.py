"""A valid returns file damaged at random: imported with exactly what it says, or refused.

Each example damages the corpus's June returns with one to three edits (a character inserted,
deleted or replaced, a digit mistyped, a line doubled or cut short) and imports it. Either the import is refused
and nothing changed, or it succeeds and every answer in force is what an independent reading
of the damaged text (Python's strict ``csv`` reader) says, and nothing else changed.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from metalstat.core.tabular.errors import ImportRejected
from metalstat.registry.models import CapacityRecord, PanelMembership, Producer
from metalstat.survey.models import SurveyReturn

from ..spreadsheets.conftest import CORPUS
from ..spreadsheets.test_import import db_state, run

VALID = (CORPUS / "returns_2025_06.csv").read_text("utf-8")
# What a careless edit or a broken export puts in a CSV: separators, quotes, line breaks,
# NUL, signs, digits, letters, spaces, an invisible character, a full-width letter.
INSERTED = [",", '"', "\n", "\r\n", "\x00", "-", "+", "9", "0", ".", "e", "x", " ", "\u200b", "ｃ", ";", "'"]


@st.composite
def damaged(draw: st.DrawFn) -> str:
    text = VALID
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, max(len(text) - 1, 0)))
        edit = draw(st.sampled_from(["insert", "delete", "replace", "double_line", "cut", "digit", "digit"]))
        digits = [i for i, ch in enumerate(text) if ch.isdigit()]
        if edit == "digit" and digits:
            # A mistyped figure: the file stays well formed, its meaning changes.
            i = draw(st.sampled_from(digits))
            text = text[:i] + draw(st.sampled_from("0123456789")) + text[i + 1 :]
        elif edit == "insert":
            text = text[:at] + draw(st.sampled_from(INSERTED)) + text[at:]
        elif edit == "delete":
            text = text[:at] + text[at + 1 :]
        elif edit == "replace":
            text = text[:at] + draw(st.sampled_from(INSERTED)) + text[at + 1 :]
        elif edit == "double_line":
            lines = text.split("\n")
            i = draw(st.integers(0, len(lines) - 1))
            text = "\n".join([*lines[: i + 1], lines[i], *lines[i + 1 :]])
        else:
            text = text[:at]
    return text


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        for kind, name in (
            ("producers", "producers.csv"),
            ("capacity", "capacity.csv"),
            ("panel", "panel.csv"),
            ("returns", "returns_history.csv"),
        ):
            run(kind, CORPUS / name)
        yield
        SurveyReturn.objects.all().delete()
        for model in (CapacityRecord, PanelMembership, Producer):
            model.objects.all().delete()


def _in_force(code: str, period: date) -> SurveyReturn | None:
    return SurveyReturn.objects.filter(producer__code=code, period=period).order_by("-revision").first()


def _month(text: str) -> date:
    # the forms a month cell may take as text (docs/imports.md): 2025-06, 2025/6, 2025.06, 2025年6月,
    # with spaces around the separator ("2025 -06" reads as June 2025 too)
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?", text.strip())
    assert m, f"the import accepted the month {text!r}"
    return date(int(m[1]), int(m[2]), 1)


def _expect_what_the_text_says(text: str) -> None:
    """Every row of the damaged text, read independently, is the answer in force."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), strict=True))
    header = [h.strip() for h in rows[0]]
    for cells in rows[1:]:
        if not any(c.strip() for c in cells):
            continue
        row = dict(zip(header, (c.strip() for c in cells), strict=True))
        code = unicodedata.normalize("NFKC", row["producer"])
        stored = _in_force(code, _month(row["period"]))
        filled = {k: v for k, v in row.items() if k in {"output", "schedule", "status", "reason"} and v}
        if not filled:
            continue  # a row left empty: no return
        assert stored is not None, row
        for name, value in filled.items():
            got = getattr(stored, name)
            if name in {"output", "schedule"}:
                assert got == pytest.approx(float(value)), (name, value, got)
            else:
                assert got == value, (name, value, got)


@pytest.mark.django_db
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=damaged())
def test_a_damaged_file_is_imported_as_it_reads_or_refused_with_nothing_written(
    world: None, tmp_path: Path, text: str
) -> None:
    path = tmp_path / "returns.csv"
    path.write_bytes(text.encode("utf-8"))
    with transaction.atomic():
        before = db_state()
        try:
            run("returns", path)
        except ImportRejected as refusal:
            event("refused")
            assert refusal.errors or refusal.needs_confirmation
            assert db_state() == before
        else:
            event("imported")
            _expect_what_the_text_says(text)
            after = db_state()
            # Only returns and their audit entries may have changed.
            assert {k: v for k, v in after.items() if k not in {"returns", "audit"}} == {
                k: v for k, v in before.items() if k not in {"returns", "audit"}
            }
        transaction.set_rollback(True)
