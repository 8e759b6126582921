"""Reading a CSV or XLSX file into a header and numbered rows, refusing what cannot be trusted.

Row numbers are the ones the analyst sees: the header is row 1 (for XLSX, the sheet's own row
numbers). Blank rows are skipped but still counted. Problems with the file as a whole (empty,
not UTF-8, formulas, merged cells) are reported as issues, all of them at once.

What cannot be trusted is refused, not guessed at: a file over a size limit (``limits``,
checked before the file is read whole: an XLSX's uncompressed size and its sheets' claimed
dimensions before openpyxl opens it), a CSV that does not parse strictly (a quote that does
not close, a row with more or fewer cells than the header, a NUL byte), and a workbook with
more than one data sheet or with hidden sheets (a sheet the analyst cannot see is not read).
"""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from metalstat.core.tabular import limits
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
    _check_size(path, name)
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


def _check_size(path: Path, name: str) -> None:
    size = path.stat().st_size
    if size > limits.MAX_FILE_BYTES:
        reason = (
            f"the file is {size:,} bytes, over the limit of {limits.MAX_FILE_BYTES:,} bytes "
            f"({limits.MAX_FILE_BYTES // limits.MiB} MiB); split it into smaller files"
        )
        raise ImportRejected(name, [Issue(file=name, code="file_too_large", reason=reason)])


def _too_many(name: str, sheet: str | None, what: str, count: int, limit: int) -> ImportRejected:
    code = {"rows": "too_many_rows", "cells": "too_many_cells", "sheets": "too_many_sheets"}[what]
    reason = f"the file has {count:,} {what}, over the limit of {limit:,} {what}; split it into smaller files"
    if what == "rows" and sheet is not None:
        reason = f"the sheet claims {count:,} rows, over the limit of {limit:,} rows; split it into smaller files"
    return ImportRejected(name, [Issue(file=name, sheet=sheet, code=code, reason=reason)])


def _nul_issues(name: str, text: str) -> list[Issue]:
    out = []
    for line, content in enumerate(text.split("\n"), 1):
        if "\0" in content:
            out.append(
                Issue(
                    file=name,
                    code="nul_byte",
                    row=line,
                    reason=f"line {line} holds a NUL byte (character {content.index(chr(0)) + 1}); "
                    "the file is not plain text: save it again as CSV UTF-8",
                )
            )
    return out


def _csv_records(name: str, text: str) -> tuple[list[tuple[int, list[str]]], list[Issue]]:
    """The records of a CSV text, parsed strictly; the issues of what does not parse."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    issues: list[Issue] = []
    cells = 0
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            issues.append(
                Issue(
                    file=name,
                    code="bad_quote",
                    row=len(records) + 1,
                    reason=f'line {start}: a quote (") opens a text that does not close properly ({exc}); '
                    'a quote inside a text is written twice (""), and the whole text is quoted',
                )
            )
            break
        records.append((len(records) + 1, record))
        cells += len(record)
        if len(records) - 1 > limits.MAX_ROWS:
            raise _too_many(name, None, "rows", len(records) - 1, limits.MAX_ROWS)
        if cells > limits.MAX_CELLS:
            raise _too_many(name, None, "cells", cells, limits.MAX_CELLS)
    return records, issues


def _ragged_issues(name: str, records: Sequence[tuple[int, Sequence[str]]]) -> list[Issue]:
    """Rows with fewer cells than the header, or more (all blank: values beyond the named
    columns are ``beyond_header``), and quoted texts running over lines shaped like rows."""
    if not records:
        return []
    width = len(records[0][1])
    named = len([h for h in records[0][1] if h.strip()]) or width
    out = []
    for number, values in records[1:]:
        if all(_is_blank(v) for v in values):
            continue
        extra = values[width:]
        if len(values) < width or (extra and all(_is_blank(v) for v in extra)):
            out.append(
                Issue(
                    file=name,
                    code="ragged_row",
                    row=number,
                    letter=column_letter(min(len(values), width)),
                    reason=f"the row has {len(values)} cells, the header {width}; every row needs one cell "
                    "per column (a missing or extra comma, or a quote not closed)",
                )
            )
            continue
        for j, value in enumerate(values):
            lines = value.split("\n")[1:]
            if any(line.count(",") >= named - 1 > 0 for line in lines):
                out.append(
                    Issue(
                        file=name,
                        code="folded_line",
                        row=number,
                        letter=column_letter(j),
                        value=value,
                        reason="a quoted text runs over a line break into what looks like rows of their own; "
                        'a quote (") is probably not closed',
                    )
                )
                break
    return out


def read_csv(path: Path, name: str) -> Table:
    _check_size(path, name)
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
    if "\0" in text:
        raise ImportRejected(name, _nul_issues(name, text))
    records, issues = _csv_records(name, text)
    if issues:
        raise ImportRejected(name, issues)
    return _table_from_records(name, None, records, _ragged_issues(name, records))


def _table_from_records(
    name: str,
    sheet: str | None,
    records: Sequence[tuple[int, Sequence[object]]],
    found: Sequence[Issue] = (),
) -> Table:
    """Header from the first record, then the numbered rows, ragged or blank rows handled;
    ``found``: issues already found in the records, reported with these."""
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
    issues: list[Issue] = list(found)
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


_ELEMENT = re.compile(r"<(?:\w+:)?(sheet|Relationship)\s([^>]*)>")
_ATTRIBUTE = re.compile(r'([\w:]+)="([^"]*)"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')
_PART_HEAD = 64 * 1024  # the dimension element comes before the sheet's data


def _letters_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part name -> sheet title, from the workbook's own list (best effort, read
    with patterns rather than an XML parser: the file is not trusted yet)."""
    try:
        parts = [zf.getinfo(n) for n in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")]
        if any(p.file_size > limits.MiB for p in parts):
            return {}
        book, rels = (zf.read(p).decode("utf-8", "replace") for p in parts)
    except KeyError:
        return {}
    targets: dict[str, str] = {}
    titles: dict[str, str] = {}
    for kind, attrs in (*_ELEMENT.findall(rels), *_ELEMENT.findall(book)):
        found = {k.split(":")[-1] if k != "r:id" else k: html.unescape(v) for k, v in _ATTRIBUTE.findall(attrs)}
        if kind == "Relationship" and "Id" in found:
            target = found.get("Target", "")
            targets[found["Id"]] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        elif kind == "sheet" and "name" in found:
            rid = next((v for k, v in found.items() if k.endswith("id") and k != "sheetId"), "")
            titles[rid] = found["name"]
    return {targets[rid]: title for rid, title in titles.items() if rid in targets}


def _check_xlsx_sizes(path: Path, name: str) -> None:
    """Refuse a zip bomb, too many sheets or a sheet claiming too many rows or cells, from the
    zip's directory and the sheets' first bytes, before openpyxl inflates anything."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return  # openpyxl says what is wrong with it
    with zf:
        members = zf.infolist()
        inflated = sum(m.file_size for m in members)
        if inflated > limits.MAX_XLSX_INFLATED_BYTES:
            reason = (
                f"the workbook inflates to {inflated:,} bytes uncompressed, over the limit of "
                f"{limits.MAX_XLSX_INFLATED_BYTES:,} bytes ({limits.MAX_XLSX_INFLATED_BYTES // limits.MiB} MiB); "
                "split it into smaller files"
            )
            raise ImportRejected(name, [Issue(file=name, code="xlsx_too_large", reason=reason)])
        sheets = [m for m in members if re.fullmatch(r"xl/(work|chart)sheets/[^/]+\.xml", m.filename)]
        if len(sheets) > limits.MAX_SHEETS:
            raise _too_many(name, None, "sheets", len(sheets), limits.MAX_SHEETS)
        titles = _sheet_parts(zf)
        for member in sheets:
            with zf.open(member) as fh:
                head = fh.read(_PART_HEAD)
            m = _DIMENSION.search(head)
            if not m:
                continue
            first_row = int(m[2] or 1)
            last_row = int(m[4] or m[2] or 1)
            first_col = _letters_index(m[1].decode()) if m[1] else 1
            last_col = _letters_index(m[3].decode()) if m[3] else first_col
            rows = last_row - 1  # data rows below the header row
            cells = (last_row - first_row + 1) * (last_col - first_col + 1)
            title = titles.get(member.filename, member.filename)
            if rows > limits.MAX_ROWS:
                raise _too_many(name, title, "rows", rows, limits.MAX_ROWS)
            if cells > limits.MAX_CELLS:
                raise _too_many(name, title, "cells", cells, limits.MAX_CELLS)


def _quoted(titles: Sequence[str]) -> str:
    return ", ".join(f'"{t}"' for t in titles)


def _pick_sheet(wb: object, name: str, kind: str | None) -> object:
    """The one data sheet of the workbook; refuse hidden sheets and more than one data sheet.

    The template's instructions (``SIDE_SHEETS``) may sit beside the data sheet.
    """
    sheets = list(wb.worksheets) + list(wb.chartsheets)  # type: ignore[attr-defined]
    what = f"the {kind} sheet" if kind else "the data sheet"
    hidden = [ws.title for ws in sheets if ws.sheet_state != "visible"]
    data = [ws for ws in sheets if ws.sheet_state == "visible" and ws.title.strip().lower() not in SIDE_SHEETS]
    issues = []
    if hidden:
        issues.append(
            Issue(
                file=name,
                code="hidden_sheet",
                value=", ".join(hidden),
                reason=f"hidden sheet{'s' if len(hidden) > 1 else ''} {_quoted(hidden)}: a workbook holds only "
                f"{what} (and the instructions); unhide and delete {'them' if len(hidden) > 1 else 'it'}",
            )
        )
    if len(data) > 1:
        titles = [ws.title for ws in data]
        issues.append(
            Issue(
                file=name,
                code="extra_sheet",
                value=", ".join(titles),
                reason=f"{len(data)} data sheets ({_quoted(titles)}): a file holds {what} only "
                "(and the instructions); move the others to files of their own",
            )
        )
    if not data and not hidden:
        issues.append(
            Issue(file=name, code="no_data_sheet", reason=f"no data sheet, only the instructions; add {what}")
        )
    if issues:
        raise ImportRejected(name, issues)
    ws = data[0]
    if not hasattr(ws, "iter_rows"):
        raise ImportRejected(
            name, [Issue(file=name, code="chart_sheet", reason=f'sheet "{ws.title}" is a chart, not a table')]
        )
    return ws


def read_xlsx(path: Path, name: str, kind: str | None = None) -> Table:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    _check_size(path, name)
    _check_xlsx_sizes(path, name)
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
        ws = _pick_sheet(wb, name, kind)
        sheet = ws.title  # type: ignore[attr-defined]
        rows = ws.max_row - 1  # type: ignore[attr-defined]
        if rows > limits.MAX_ROWS:
            raise _too_many(name, sheet, "rows", rows, limits.MAX_ROWS)
        if ws.max_row * ws.max_column > limits.MAX_CELLS:  # type: ignore[attr-defined]
            raise _too_many(name, sheet, "cells", ws.max_row * ws.max_column, limits.MAX_CELLS)  # type: ignore[attr-defined]
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
