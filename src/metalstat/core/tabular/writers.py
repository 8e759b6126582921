"""Writing rows of a kind to CSV or XLSX so that importing them again changes nothing.

Numbers are written so they read back as the same value (shortest exact form), months as
``YYYY-MM`` text (so Excel does not turn them into dates), dates as dates, yes/no as words.

CSV exports are safe to open in a spreadsheet (OWASP CSV injection): a text cell starting with
``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading single quote, which the import
takes off again (``columns.unquote_formula``). Numbers are never quoted, negative ones included.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from metalstat.core.tabular.columns import FORMULA_STARTS, KindSchema

SUFFIXES = (".csv", ".xlsx")


def text_of(value: Any) -> str:
    """A cell as CSV text that reads back as the same value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def neutralise(text: str) -> str:
    """A text a spreadsheet would take for a formula, with a leading single quote.

    A text that already starts with quotes before such a character gets one more, so the
    import's taking off of one quote gives back exactly the text stored."""
    return "'" + text if text.lstrip("'").startswith(FORMULA_STARTS) else text


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    schema: KindSchema | None = None,
) -> None:
    """Write CSV UTF-8; text cells (not those of the schema's number columns) neutralised."""
    numeric = {i for i, h in enumerate(header) if schema is not None and _is_number_column(schema, h)}
    # A BOM so Excel opens the UTF-8 (Chinese names) correctly; the importer accepts it.
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow(
                [neutralise(v) if isinstance(v, str) and i not in numeric else text_of(v) for i, v in enumerate(row)]
            )


def write_xlsx(path: Path, schema: KindSchema, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = schema.kind
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    text_columns = {i for i, h in enumerate(header) if _is_text_column(schema, h)}
    for row in rows:
        values = []
        for i, v in enumerate(row):
            if isinstance(v, bool):
                values.append("yes" if v else "no")
            elif i in text_columns and v is not None:
                values.append(str(v))
            else:
                values.append(v)
        ws.append(values)
    for i in text_columns:
        for (cell,) in ws.iter_rows(min_row=2, min_col=i + 1, max_col=i + 1):
            cell.number_format = "@"
            if isinstance(cell.value, str) and cell.value.startswith("="):
                # A text that Excel would take for a formula: store it as a plain string.
                cell.data_type = "s"
    for i, name in enumerate(header):
        ws.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width = max(10, min(40, len(name) + 2))
    wb.save(path)


def _is_text_column(schema: KindSchema, name: str) -> bool:
    try:
        column = schema.column(name)
    except KeyError:
        return False
    return column.type in ("text", "period", "choice")


def _is_number_column(schema: KindSchema, name: str) -> bool:
    try:
        return schema.column(name).type == "number"
    except KeyError:
        return "=" in name  # a breakdown quantity column (dimension=value)


def write_table(path: Path, schema: KindSchema, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Write the rows as CSV or XLSX by the file's suffix (one of SUFFIXES)."""
    if path.suffix.lower() == ".csv":
        write_csv(path, header, rows, schema)
    else:
        write_xlsx(path, schema, header, rows)
