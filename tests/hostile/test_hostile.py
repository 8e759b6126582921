"""Hostile inputs across the import kinds: each refused where and why, nothing written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from metalstat.core.models import AuditEntry
from metalstat.core.tabular import limits
from metalstat.core.tabular.columns import CellError, parse_number, parse_period, unquote_formula
from metalstat.core.tabular.errors import ImportRejected
from metalstat.core.tabular.writers import neutralise
from metalstat.registry.models import CapacityRecord, PanelMembership, Producer
from metalstat.spreadsheets.exports import export_file
from metalstat.survey.models import AuxiliaryObservation, AuxiliarySeries, MaintenanceEvent, SurveyReturn

from ..spreadsheets.conftest import CORPUS
from ..spreadsheets.test_import import db_state, run
from .generate import HEADERS, VALID, Case, all_cases, csv_rows, xlsx

CASES = all_cases(date.today())


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The corpus register, built once for the module (each test then runs in a transaction
    rolled back at its end), and removed after it."""
    with django_db_blocker.unblock():
        for kind, name in (
            ("producers", "producers.csv"),
            ("capacity", "capacity.csv"),
            ("panel", "panel.csv"),
            ("returns", "returns_history.csv"),
            ("auxiliary", "auxiliary.csv"),
        ):
            run(kind, CORPUS / name)
        yield
        for model in (SurveyReturn, MaintenanceEvent, AuxiliaryObservation, AuxiliarySeries):
            model.objects.all().delete()
        for model in (CapacityRecord, PanelMembership, Producer, AuditEntry):
            model.objects.all().delete()


def test_the_generator_covers_every_family_and_kind() -> None:
    assert len(CASES) >= 60
    families = {c.id.split("-")[0] for c in CASES}
    assert families >= {"period", "date", "sheet", "csv", "code", "number", "capacity", "event", "control", "limit"}
    assert {c.kind for c in CASES} == set(HEADERS)


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input_is_refused_and_nothing_written(
    world: None, case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = case.build(tmp_path)
    for name, value in case.limits.items():
        monkeypatch.setattr(limits, name, value)
    before = db_state()
    with pytest.raises(ImportRejected) as info:
        run(case.kind, path)
    found = [(i.code, i.row, i.letter) for i in info.value.errors]
    assert found == list(case.errors), info.value.lines()
    for issue in info.value.errors:
        assert issue.reason and issue.file == path.name
    assert db_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(HEADERS))
def test_the_valid_rows_of_the_generator_import(world: None, kind: str, tmp_path: Path) -> None:
    """The cases change one thing of these rows: the rows themselves are accepted."""
    for build in (csv_rows(f"{kind}.csv", kind, [VALID[kind]]), xlsx(f"{kind}.xlsx", kind, [VALID[kind]])):
        run(kind, build(tmp_path), dry_run=True)


@pytest.mark.django_db
def test_full_width_code_is_normalised_to_the_registered_one(world: None, tmp_path: Path) -> None:
    path = csv_rows("r.csv", "returns", [["ＣＵ００１", "2025-06", "28500"]])(tmp_path)
    result = run("returns", path)
    assert result.counts["created"] == 1
    assert Producer.objects.filter(code__iexact="cu001").count() == 1


@pytest.mark.django_db
def test_instructions_beside_the_data_sheet_are_allowed(world: None, tmp_path: Path) -> None:
    path = xlsx("r.xlsx", "returns", [VALID["returns"]], sheets=[("instructions", "visible")])(tmp_path)
    assert run("returns", path, dry_run=True).rows == 1


def test_the_messages_say_the_rule() -> None:
    with pytest.raises(CellError) as info:
        parse_period(2025.1)
    assert str(info.value) == "a number, not a month: format the column as text and write 2025-10"
    with pytest.raises(CellError) as info:
        parse_number("1e309")
    assert "at most 1e+15" in str(info.value)
    assert parse_number("-44.1") == Decimal("-44.1")


@pytest.mark.parametrize(
    "text", ["=1+1", "+1", "-x", "@SUM(A1)", "\tx", "\rx", "'=x", "''-x", "'plain", "plain", "-", "'"]
)
def test_neutralised_text_reads_back_as_written(text: str) -> None:
    written = neutralise(text)
    assert not written.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert unquote_formula(written) == text


@pytest.mark.django_db
def test_export_neutralises_formulas_but_not_numbers(world: None, tmp_path: Path) -> None:
    path = csv_rows("p.csv", "producers", [["CU009", '=HYPERLINK("x")', "copper_cathode"], ["CU010", "-", "npi"]])
    run("producers", path(tmp_path))
    out = tmp_path / "out.csv"
    export_file("producers", out)
    text = out.read_text("utf-8-sig")
    assert "'=HYPERLINK" in text and ",'-," in text
    aux = tmp_path / "aux.csv"
    export_file("auxiliary", aux)
    assert ",-44.1," in aux.read_text("utf-8-sig")
    before = db_state()
    assert run("producers", out).counts["updated"] == 0
    assert db_state() == before
