"""Reading files and typing their cells: no database needed."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from metalstat.core.tabular.columns import normalize_header, parse_number, parse_period
from metalstat.core.tabular.errors import ImportRejected, Issue, column_letter, format_issues
from metalstat.core.tabular.reading import read_table
from metalstat.core.tabular.rows import type_rows
from metalstat.spreadsheets.kinds import SCHEMAS

from .conftest import XlsxMaker


def rejected(path: Path, kind: str = "returns") -> ImportRejected:
    with pytest.raises(ImportRejected) as info:
        type_rows(read_table(path, kind, display_name=path.name), SCHEMAS[kind])
    return info.value


def found(path: Path, kind: str = "returns") -> list[tuple[int | None, str | None, str]]:
    typed = type_rows(read_table(path, kind, display_name=path.name), SCHEMAS[kind])
    return [(i.row, i.letter, i.code) for i in typed.issues]


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "A",
        "B",
        "Z",
        "AA",
        "AB",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


def test_header_matching_ignores_case_spaces_and_units() -> None:
    assert normalize_header(" Output  Metal ") == "output_metal"
    assert normalize_header("Schedule-Operating_capacity") == "schedule_operating_capacity"


def test_issue_message_names_every_place() -> None:
    issue = Issue(
        file="june.xlsx",
        sheet="returns",
        row=5,
        column="Output",
        letter="D",
        value="12a",
        code="not_a_number",
        reason="not a number",
    )
    assert issue.message() == (
        'june.xlsx, sheet "returns", row 5, column "Output" (D), value "12a": error: not a number'
    )


def test_printout_is_capped_with_a_count_of_the_rest() -> None:
    issues = [Issue(file="f.csv", row=i, code="x", reason="bad") for i in range(2, 252)]
    lines = format_issues(issues, cap=200)
    assert len(lines) == 201
    assert lines[-1] == "... and 50 more not shown"
    assert lines[0] == "f.csv, row 2: error: bad"


def test_numbers_and_periods() -> None:
    assert parse_number("12,345.5") == Decimal("12345.5")
    assert parse_number(" 800 ") == Decimal(800)
    assert parse_number(0.1) == Decimal("0.1")
    assert parse_period("2025-06") == date(2025, 6, 1)
    assert parse_period("2025/6") == date(2025, 6, 1)
    assert parse_period(datetime(2025, 6, 1)) == date(2025, 6, 1)  # Excel's reading of 2025-06


def test_valid_csv_types_every_cell(corpus: Path) -> None:
    typed = type_rows(read_table(corpus / "returns_2025_06.csv", "returns"), SCHEMAS["returns"])
    assert typed.issues == []
    assert [r.number for r in typed.rows] == [2, 3, 4]
    first = typed.rows[0].values
    assert first["producer"] == "CU001"
    assert first["period"] == date(2025, 6, 1)
    assert first["output"] == Decimal(28500)
    assert first["schedule"] == Decimal(29000)
    assert first["status"] == "normal"
    assert "source" not in first  # an absent column says nothing


def test_utf8_with_bom_and_chinese_headers(corpus: Path) -> None:
    typed = type_rows(read_table(corpus / "returns_bom_chinese.csv", "returns"), SCHEMAS["returns"])
    assert typed.issues == []
    values = typed.rows[0].values
    assert (values["producer"], values["period"], values["output"], values["reason"]) == (
        "CU001",
        date(2025, 6, 1),
        Decimal(28500),
        "检修结束",
    )


def test_gbk_csv_is_refused_as_not_utf8(corpus: Path) -> None:
    err = rejected(corpus / "returns_gbk.csv")
    assert [(i.row, i.code) for i in err.issues] == [(1, "not_utf8")]
    text = err.issues[0].message()
    assert text.startswith("returns_gbk.csv, row 1: error: the file is not UTF-8")
    assert "save it as UTF-8" in text


def test_empty_file(corpus: Path) -> None:
    err = rejected(corpus / "returns_empty.csv")
    assert [(i.row, i.code, i.reason) for i in err.issues] == [(None, "empty", "the file is empty")]


def test_empty_workbook(make_xlsx: XlsxMaker) -> None:
    err = rejected(make_xlsx("empty.xlsx", []))
    assert [(i.code, i.reason) for i in err.issues] == [("empty", "the file is empty")]


def test_header_without_rows(corpus: Path) -> None:
    err = rejected(corpus / "returns_header_only.csv")
    assert [i.code for i in err.issues] == ["no_rows"]


def test_missing_column(corpus: Path) -> None:
    typed = type_rows(read_table(corpus / "returns_missing_column.csv"), SCHEMAS["returns"])
    assert [(i.row, i.column, i.code) for i in typed.issues] == [(1, "period", "missing_column")]


def test_extra_column(corpus: Path) -> None:
    assert found(corpus / "returns_extra_column.csv") == [(1, "D", "extra_column")]


def test_text_in_a_number(corpus: Path) -> None:
    typed = type_rows(read_table(corpus / "returns_text_in_number.csv"), SCHEMAS["returns"])
    assert [(i.row, i.letter, i.column, i.value, i.code) for i in typed.issues] == [
        (3, "C", "output", "88OO", "not_a_number")
    ]
    assert [r.number for r in typed.good_rows()] == [2]


def test_negative_output(corpus: Path) -> None:
    assert found(corpus / "returns_negative_output.csv") == [(3, "C", "negative")]


def test_duplicated_row_names_the_first(corpus: Path) -> None:
    typed = type_rows(read_table(corpus / "returns_duplicate_row.csv"), SCHEMAS["returns"])
    assert [(i.row, i.letter, i.code) for i in typed.issues] == [(4, "A", "duplicate")]
    assert "duplicate of row 2" in typed.issues[0].reason


def test_malformed_periods(corpus: Path) -> None:
    typed = type_rows(read_table(corpus / "returns_bad_period.csv"), SCHEMAS["returns"])
    assert [(i.row, i.letter, i.value, i.code) for i in typed.issues] == [
        (2, "B", "2025-13", "bad_period"),
        (3, "B", "June 2025", "bad_period"),
    ]


def test_ragged_row_value_beyond_the_header(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("producer,period,output\nCU001,2025-06,1,oops\nCU002,2025-06\n", "utf-8")
    err = rejected(path)
    # Row 3 has fewer cells than the header: a ragged row too (issue 14, strict CSV).
    assert [(i.row, i.letter, i.code) for i in err.issues] == [(2, "D", "beyond_header"), (3, "C", "ragged_row")]


def test_xlsx_formula_is_refused_naming_the_cell(make_xlsx: XlsxMaker) -> None:
    path = make_xlsx(
        "formula.xlsx",
        [["producer", "period", "output"], ["CU001", "2025-06", "=28000+500"], ["CU002", "2025-06", 8800]],
    )
    err = rejected(path)
    assert [(i.sheet, i.row, i.letter, i.code) for i in err.issues] == [("returns", 2, "C", "formula")]
    assert "cell C2 holds a formula" in err.issues[0].message()


def test_xlsx_merged_cells_are_refused_naming_the_range(make_xlsx: XlsxMaker) -> None:
    path = make_xlsx(
        "merged.xlsx",
        [["producer", "period", "output"], ["CU001", "2025-06", 1], ["CU002", "2025-06", 2], [None, None, 3]],
        merge=["B3:B4"],
    )
    err = rejected(path)
    assert [(i.row, i.letter, i.code) for i in err.issues] == [(3, "B", "merged_cells")]
    assert "cells B3:B4 are merged" in err.issues[0].reason


def test_xlsx_cells_as_excel_types_them(make_xlsx: XlsxMaker) -> None:
    path = make_xlsx(
        "typed.xlsx",
        [["Producer", "Period", "Output (mt)", "Status"], [1001, datetime(2025, 6, 1), 28500.25, "Normal"]],
        extra_sheets=["instructions"],
    )
    typed = type_rows(read_table(path, "returns"), SCHEMAS["returns"])
    assert typed.issues == []
    values = typed.rows[0].values
    assert values["producer"] == "1001"
    assert values["period"] == date(2025, 6, 1)
    assert values["output"] == Decimal("28500.25")
    assert values["status"] == "normal"


def test_template_rows_left_empty_are_no_returns(make_xlsx: XlsxMaker) -> None:
    path = make_xlsx(
        "filled.xlsx",
        [
            ["producer", "producer_name", "period", "output", "status"],
            ["CU001", "Eastern", "2025-06", 1, None],
            ["CU002", "River", "2025-06", None, None],
        ],
    )
    typed = type_rows(read_table(path, "returns"), SCHEMAS["returns"])
    assert typed.issues == []
    assert [r.number for r in typed.rows] == [2]
    assert typed.blank_returns == [3]


def test_all_problems_of_a_file_come_at_once(tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_text(
        "producer,period,output,status,remarks\nCU001,2025-6x,abc,normal,\n,2025-06,-1,sleeping,\n",
        "utf-8",
    )
    typed = type_rows(read_table(path), SCHEMAS["returns"])
    assert sorted((i.row, i.letter, i.code) for i in typed.issues) == [
        (1, "E", "extra_column"),
        (2, "B", "bad_period"),
        (2, "C", "not_a_number"),
        (3, "A", "empty"),
        (3, "C", "negative"),
        (3, "D", "not_a_choice"),
    ]
