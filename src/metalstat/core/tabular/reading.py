"""Reading a CSV or XLSX file into a header and numbered rows, refusing what cannot be trusted.

Row numbers are the ones the analyst sees: the header is row 1 (for XLSX, the sheet's own row
numbers). Blank rows are skipped but still counted. Problems with the file as a whole (empty,
not UTF-8, formulas, merged cells) are reported as issues, all of them at once.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from metalstat.core.tabular.errors import ImportRejected, Issue, column_letter, show_value

CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
# Sheets an XLSX may carry beside the data, e.g. the template's instructions.
SIDE_SHEETS = ("instructions", "说明", "填写说明")


@dataclass(frozen=True)
class RawRow:
    number: int  # as the analyst sees it; the header is row 1
    values: tuple[object, ...]  # one per header column; "" or None when empty


@dataclass
class Table:
    """The cells of one imported sheet, before any typing."""

    file: str
    sheet: str | None
    header: list[str]
    rows: list[RawRow] = field(default_factory=list)

    def issue(self, code: str, reason: str, **where: object) -> Issue:
        return Issue(file=self.file, sheet=self.sheet, code=code, reason=reason, **where)  # type: ignore[arg-type]


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_table(path: str | Path, kind: str | None = None, display_name: str | None = None) -> Table:
    """Read ``path`` (CSV or XLSX) into a Table or raise ImportRejected naming every problem."""
    path = Path(path)
    name = display_name or str(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise ImportRejected(name, [Issue(file=name, code="no_file", reason="no such file")])
    if suffix in CSV_SUFFIXES:
        return read_csv(path, name)
    if suffix in XLSX_SUFFIXES:
        return read_xlsx(path, name, kind)
    if suffix == ".xls":
        reason = "old Excel .xls files are not read; save the sheet as .xlsx (or CSV UTF-8)"
    else:
        reason = f"unsupported file type {suffix or '(none)'!r}; use .csv (UTF-8) or .xlsx"
    raise ImportRejected(name, [Issue(file=name, code="file_type", reason=reason)])


def _not_utf8(name: str, data: bytes, exc: UnicodeDecodeError) -> Issue:
    # Count records the way the analyst does: the header line is row 1.
    line = data.count(b"\n", 0, exc.start) + 1
    bad = data[exc.start : exc.start + 2].hex(" ")
    return Issue(
        file=name,
        code="not_utf8",
        row=line,
        reason=(
            f"the file is not UTF-8 (bytes {bad} at byte {exc.start} are not valid UTF-8; "
            "Chinese text saved by Excel is often GBK): save it as UTF-8 "
            '(Excel: "CSV UTF-8 (Comma delimited)") and import again'
        ),
    )


def read_csv(path: Path, name: str) -> Table:
    data = path.read_bytes()
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise ImportRejected(name, [Issue(file=name, code="empty", reason="the file is empty")])
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        issue = Issue(
            file=name,
            code="not_utf8",
            reason="the file is UTF-16, not UTF-8: save it as UTF-8 (CSV UTF-8) and import again",
        )
        raise ImportRejected(name, [issue])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(name, [_not_utf8(name, data, exc)]) from None
    records = list(csv.reader(io.StringIO(text, newline="")))
    return _table_from_records(name, None, [(i, rec) for i, rec in enumerate(records, 1)])


def _table_from_records(name: str, sheet: str | None, records: Sequence[tuple[int, Sequence[object]]]) -> Table:
    """Header from the first record, then the numbered rows, ragged or blank rows handled."""
    if not records or all(_is_blank(v) for v in records[0][1]):
        issue = Issue(
            file=name,
            sheet=sheet,
            code="empty" if not records else "no_header",
            row=1 if records else None,
            reason="the file is empty" if not records else "row 1 is blank; it must hold the column names",
        )
        raise ImportRejected(name, [issue])
    first_number, raw_header = records[0]
    header = ["" if v is None else str(v).strip() for v in raw_header]
    while header and not header[-1]:
        header.pop()
    table = Table(file=name, sheet=sheet, header=header)
    issues: list[Issue] = []
    width = len(header)
    used = set()
    for number, values in records[1:]:
        if all(_is_blank(v) for v in values):
            continue
        cells = list(values[:width]) + [""] * (width - len(values))
        for j in range(width, len(values)):
            if not _is_blank(values[j]):
                issues.append(
                    table.issue(
                        "beyond_header",
                        "a value to the right of the last named column; give the column a "
                        "name in row 1 or delete the value",
                        row=number,
                        letter=column_letter(j),
                        value=values[j],
                    )
                )
        for j, value in enumerate(cells):
            if not _is_blank(value):
                used.add(j)
        table.rows.append(RawRow(number, tuple(cells)))
    for j, h in enumerate(header):
        if not h and j in used:
            issues.append(
                table.issue(
                    "unnamed_column",
                    "this column holds values but has no name in row 1",
                    row=first_number,
                    letter=column_letter(j),
                )
            )
    if not table.rows:
        issues.append(table.issue("no_rows", "the file has column names but no rows of data", row=None))
    if issues:
        raise ImportRejected(name, issues)
    return table


def _pick_sheet(wb: object, kind: str | None) -> object:
    sheets = list(wb.worksheets)  # type: ignore[attr-defined]
    if kind:
        for ws in sheets:
            if ws.title.strip().lower() == kind.lower():
                return ws
    for ws in sheets:
        if ws.sheet_state == "visible" and ws.title.strip().lower() not in SIDE_SHEETS:
            return ws
    return sheets[0]


def read_xlsx(path: Path, name: str, kind: str | None = None) -> Table:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # Not read-only: merged ranges are only known to a fully loaded sheet.
        wb = openpyxl.load_workbook(path, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        issue = Issue(
            file=name,
            code="not_xlsx",
            reason=f"not a readable XLSX workbook ({exc}); save as .xlsx",
        )
        raise ImportRejected(name, [issue]) from None
    try:
        ws = _pick_sheet(wb, kind)
        sheet = ws.title  # type: ignore[attr-defined]
        issues: list[Issue] = []
        for rng in sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):  # type: ignore[attr-defined]
            issues.append(
                Issue(
                    file=name,
                    sheet=sheet,
                    code="merged_cells",
                    row=rng.min_row,
                    letter=column_letter(rng.min_col - 1),
                    reason=f"cells {rng.coord} are merged; unmerge them and give every row its own values",
                )
            )
        records: list[tuple[int, list[object]]] = []
        for row in ws.iter_rows():  # type: ignore[attr-defined]
            values: list[object] = []
            for cell in row:
                if cell.data_type == "f":
                    formula = cell.value if isinstance(cell.value, str) else "array formula"
                    issues.append(
                        Issue(
                            file=name,
                            sheet=sheet,
                            code="formula",
                            row=cell.row,
                            letter=cell.column_letter,
                            value=formula,
                            reason=f"cell {cell.coordinate} holds a formula; formulas are not "
                            "imported: copy the sheet and paste values only",
                        )
                    )
                    values.append(None)
                else:
                    values.append(cell.value)
            if row:
                records.append((row[0].row, values))
        if issues:
            raise ImportRejected(name, issues)
    finally:
        wb.close()
    if records and records[0][0] != 1:
        # Leading blank rows: the header is still expected on row 1.
        records.insert(0, (1, []))
    return _table_from_records(name, sheet, records)


__all__ = ["RawRow", "Table", "read_table", "show_value"]
