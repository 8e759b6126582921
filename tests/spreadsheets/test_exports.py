"""Exports, the returns template, and the command line."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from metalstat.cli import cli
from metalstat.registry.actions import (
    do_add_capacity_record,
    do_set_panel_membership,
    do_upsert_producer,
)
from metalstat.spreadsheets.exports import export_file
from metalstat.spreadsheets.kinds import KINDS
from metalstat.survey.actions import do_record_return
from metalstat.survey.models import SurveyReturn
from metalstat.survey.returns_template import template_columns, write_template

from .conftest import CORPUS
from .test_import import counts, db_state, run

pytestmark = pytest.mark.django_db

JUNE = date(2025, 6, 1)


@pytest.fixture
def world() -> None:
    for kind, name in (
        ("producers", "producers.csv"),
        ("capacity", "capacity.csv"),
        ("panel", "panel.csv"),
        ("returns", "returns_history.csv"),
    ):
        run(kind, CORPUS / name)


@pytest.fixture
def full_world(world: None) -> None:
    """Every kind has rows, including a return with metal content, a breakdown, a planned
    breakdown, a schedule two months out and text."""
    for kind, name in (("returns", "returns_2025_06.csv"), ("events", "events.csv"), ("auxiliary", "auxiliary.csv")):
        run(kind, CORPUS / name)
    do_upsert_producer(
        "NI001", name="Coastal NPI", name_zh="沿海镍铁", product="npi", province="Shandong", actor="tester"
    )
    do_add_capacity_record("NI001", date(2020, 1, 1), 120000.0, actor="tester")
    do_set_panel_membership("NI001", "2024-01", actor="tester")
    do_record_return(
        "NI001",
        JUNE,
        output=9000.5,
        output_metal=900.05,
        schedule=9100.0,
        schedule_after_next=9200.0,
        breakdown={"grade": {"high-grade": 6000.25, "low-grade": 3000.25}},
        schedule_breakdown={"grade": {"high-grade": 6100.0, "low-grade": 3000.0}},
        reason='=line 2, "restarted"',
        status="increased",
        actor="tester",
        source="phone",
    )


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("kind", KINDS)
def test_import_export_import_changes_nothing(full_world: None, kind: str, suffix: str, tmp_path: Path) -> None:
    path = tmp_path / f"{kind}{suffix}"
    n = export_file(kind, path)
    expected_rows = {"producers": 4, "capacity": 5, "panel": 4, "returns": 19, "events": 2, "auxiliary": 2}[kind]
    assert n == expected_rows
    before = db_state()
    result = run(kind, path)
    assert counts(result) == (0, 0, expected_rows)
    assert db_state() == before


def test_exported_csv_reads_as_written(full_world: None, tmp_path: Path) -> None:
    path = tmp_path / "returns.csv"
    export_file("returns", path, product="npi", period=JUNE)
    text = path.read_text("utf-8-sig").splitlines()
    assert text[0] == (
        "producer,product,period,output,output_metal,schedule,schedule_metal,"
        "operating_capacity,schedule_operating_capacity,status,reason,schedule_after_next,source,"
        "grade=high-grade,grade=low-grade,schedule:grade=high-grade,schedule:grade=low-grade"
    )
    assert text[1] == (
        'NI001,npi,2025-06,9000.5,900.05,9100,,,,increased,"\'=line 2, ""restarted""",9200,phone,'
        "6000.25,3000.25,6100,3000"
    )
    path = tmp_path / "capacity.csv"
    export_file("capacity", path, product="copper_cathode")
    assert path.read_text("utf-8-sig").splitlines()[-1] == ("CU003,2025-07-01,73000,expansion,second line")


def test_export_filters_by_product_and_month(full_world: None, tmp_path: Path) -> None:
    assert export_file("returns", tmp_path / "a.csv", product="copper_cathode") == 18
    assert export_file("returns", tmp_path / "b.csv", period=JUNE) == 4
    assert export_file("panel", tmp_path / "c.csv", period=date(2026, 1, 1)) == 3  # CU003 ended
    assert export_file("events", tmp_path / "d.csv", period=date(2025, 5, 1)) == 1
    assert export_file("auxiliary", tmp_path / "e.csv", period=date(2025, 5, 1)) == 0


# -- template ---------------------------------------------------------------------------------

COPPER_COLUMNS = [
    "producer",
    "producer_name",
    "province",
    "capacity_in_force",
    "last_month_output",
    "scheduled_for_month",
    "product",
    "period",
    "output",
    "schedule",
    "status",
    "reason",
    "schedule_after_next",
]


def test_template_lists_the_panel_with_reference_values(world: None, tmp_path: Path) -> None:
    path = tmp_path / "copper_2025_06.xlsx"
    assert write_template("copper_cathode", JUNE, path) == 3
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["returns", "instructions"]
    ws = wb["returns"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0] == COPPER_COLUMNS
    assert rows[1:] == [
        [
            "CU001",
            "Eastern Copper Smelter",
            "Jiangxi",
            365000,
            28000,
            28000,
            "copper_cathode",
            "2025-06",
            None,
            None,
            None,
            None,
            None,
        ],
        [
            "CU002",
            "River Copper Refinery",
            "Anhui",
            120000,
            9000,
            9000,
            "copper_cathode",
            "2025-06",
            None,
            None,
            None,
            None,
            None,
        ],
        [
            "CU003",
            "Highland Copper Works",
            "Yunnan",
            36500,
            2800,
            2800,
            "copper_cathode",
            "2025-06",
            None,
            None,
            None,
            None,
            None,
        ],
    ]
    assert ws.freeze_panes == "B2"
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1
    assert lists[0].formula1 == '"normal,increased,cut,maintenance,halted,commissioning"'
    assert str(lists[0].sqref) == "K2:K4"
    text = " ".join(str(c.value) for c in wb["instructions"]["A"])
    assert "metalstat import returns FILE.xlsx" in text


def test_template_filled_in_imports_back(world: None, tmp_path: Path) -> None:
    path = tmp_path / "copper_2025_06.xlsx"
    write_template("copper_cathode", JUNE, path)
    wb = openpyxl.load_workbook(path)
    ws = wb["returns"]
    # output (I), schedule (J), status (K), schedule_after_next (M); CU003 has not answered.
    for row, values in ((2, (28500, 29000, "normal", 29500)), (3, (8800, 9000, None, None))):
        for col, value in zip("IJKM", values, strict=True):
            ws[f"{col}{row}"] = value
    wb.save(path)
    result = run("returns", path)
    assert counts(result) == (2, 0, 0)
    assert result.blank_rows == [4]
    assert list(
        SurveyReturn.objects.filter(period=JUNE)
        .order_by("producer__code")
        .values_list("producer__code", "output", "schedule", "schedule_after_next", "status", "source")
    ) == [
        ("CU001", 28500.0, 29000.0, 29500.0, "normal", "spreadsheet"),
        ("CU002", 8800.0, 9000.0, None, "normal", "spreadsheet"),
    ]
    # Re-issued for the same month, the workbook carries the answers and imports unchanged.
    again = tmp_path / "again.xlsx"
    write_template("copper_cathode", JUNE, again)
    assert counts(run("returns", again)) == (0, 0, 2)


def test_template_follows_the_panel_and_the_product(world: None, tmp_path: Path) -> None:
    # CU003 leaves the panel after 2025-12.
    assert write_template("copper_cathode", date(2026, 1, 1), tmp_path / "jan.xlsx") == 2
    from metalstat.catalog import load_catalog

    npi = template_columns(load_catalog().get("npi"))
    assert npi[8:] == [
        "output",
        "output_metal",
        "schedule",
        "schedule_metal",
        "status",
        "reason",
        "schedule_after_next",
        "grade=high-grade",
        "grade=low-grade",
        "schedule:grade=high-grade",
        "schedule:grade=low-grade",
    ]
    aluminium = template_columns(load_catalog().get("aluminium"))
    assert "operating_capacity" in aluminium and "schedule_operating_capacity" in aluminium


# -- command line -----------------------------------------------------------------------------


@pytest.fixture
def cli_runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    # The test database is ready; the commands must not set Django up again.
    monkeypatch.setattr("metalstat.core.startup.setup_django", lambda migrate=True: None)  # noqa: ARG005
    return CliRunner()


def invoke(runner: CliRunner, *args: Any) -> Any:
    return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_cli_lists_columns(cli_runner: CliRunner) -> None:
    out = invoke(cli_runner, "import", "--columns", "returns")
    assert out.exit_code == 0
    assert "output_metal" in out.output and "grade=high-grade" in out.output
    assert "(also: 产量, 实际产量)" in out.output
    help_text = invoke(cli_runner, "import", "--help").output
    assert "--columns" in help_text and "--confirm" in help_text


def test_cli_import_refused_exits_nonzero_with_summary_and_list(world: None, cli_runner: CliRunner) -> None:
    out = invoke(cli_runner, "import", "returns", CORPUS / "returns_bad_period.csv", "--actor", "tester")
    assert out.exit_code == 1
    lines = out.output.splitlines()
    assert lines[0] == (f"{CORPUS / 'returns_bad_period.csv'}: rejected, 2 errors; nothing was imported")
    assert len(lines) == 3 and 'row 2, column "period" (B), value "2025-13"' in lines[1]


def test_cli_import_confirm_export_template(world: None, cli_runner: CliRunner, tmp_path: Path) -> None:
    path = CORPUS / "returns_unit_mixup.csv"
    out = invoke(cli_runner, "import", "returns", path, "--actor", "tester")
    assert out.exit_code == 1 and "--confirm" in out.output
    out = invoke(cli_runner, "import", "returns", path, "--actor", "tester", "--confirm", "checked with the plant")
    assert out.exit_code == 0
    assert out.output.strip() == (f"{path}: 1 returns row: 1 created, 0 revised, 0 unchanged; 1 warnings confirmed")
    target = tmp_path / "returns.xlsx"
    out = invoke(cli_runner, "export", "returns", "--period", "2025-06", "-o", target)
    assert out.exit_code == 0 and out.output.strip() == f"{target}: 1 returns row written"
    out = invoke(cli_runner, "export", "capacity", "--period", "2025-06", "-o", target)
    assert out.exit_code == 1 and "--period does not apply to capacity" in out.output
    sheet = tmp_path / "t.xlsx"
    out = invoke(cli_runner, "template", "returns", "--product", "copper_cathode", "--period", "2025-07", "-o", sheet)
    assert out.exit_code == 0 and out.output.strip() == f"{sheet}: copper_cathode 2025-07, 3 producers"
    out = invoke(cli_runner, "template", "returns", "--product", "copper", "--period", "2025-07", "-o", sheet)
    assert out.exit_code == 2 and "not a product code" in out.output


def test_template_with_metal_content_and_breakdown_round_trip(full_world: None, tmp_path: Path) -> None:
    path = tmp_path / "npi_2025_07.xlsx"
    assert write_template("npi", date(2025, 7, 1), path) == 1
    wb = openpyxl.load_workbook(path)
    ws = wb["returns"]
    header = [c.value for c in ws[1]]
    row = dict(zip(header, (c.value for c in ws[2]), strict=True))
    # June's answer of NI001 is the reference: output 9,000.5 and schedule 9,100 for July.
    assert (row["producer"], row["last_month_output"], row["scheduled_for_month"]) == (
        "NI001",
        9000.5,
        9100,
    )
    filled = {
        "output": 9100,
        "output_metal": 910,
        "schedule": 9200,
        "status": "normal",
        "reason": "steady",
        "grade=high-grade": 6100,
        "grade=low-grade": 3000,
    }
    for name, value in filled.items():
        ws.cell(row=2, column=header.index(name) + 1, value=value)
    wb.save(path)
    assert counts(run("returns", path)) == (1, 0, 0)
    july = SurveyReturn.objects.get(producer__code="NI001", period=date(2025, 7, 1))
    assert (july.output, july.output_metal, july.schedule, july.reason) == (
        9100.0,
        910.0,
        9200.0,
        "steady",
    )
    assert july.breakdown == {"grade": {"high-grade": 6100.0, "low-grade": 3000.0}}


def test_the_command_line_knows_every_kind_by_name() -> None:
    from metalstat.spreadsheets import commands

    assert commands.KINDS == KINDS
