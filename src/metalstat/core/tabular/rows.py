"""From a read table to typed rows of one kind, with every header and cell problem found.

This is the structural half of an import and needs no database: column names, types, units,
periods, negative numbers, empty required cells and duplicated rows. What needs the register
(unknown producer, product of the producer) and the producer's history (capacity, usual
output) is checked later, on the rows that pass here.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from metalstat.core.tabular.columns import (
    CellError,
    HeaderMap,
    KindSchema,
    is_empty,
    match_header,
    normalize_header,
    parse_cell,
    parse_number,
)
from metalstat.core.tabular.errors import Issue
from metalstat.core.tabular.reading import Table


@dataclass
class Row:
    """One data row: typed values by column name, breakdown quantities, where each came from."""

    number: int
    values: dict[str, object] = field(default_factory=dict)
    parts: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # dimension -> value -> q
    raw: dict[str, object] = field(default_factory=dict)  # column name -> cell as written

    def get(self, name: str) -> object:
        return self.values.get(name)


@dataclass
class TypedRows:
    table: Table
    schema: KindSchema
    header: HeaderMap
    rows: list[Row] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    blank_returns: list[int] = field(default_factory=list)  # template rows left unanswered
    bad_rows: set[int] = field(default_factory=set)  # rows with a structural error

    def letter(self, name: str) -> str | None:
        for b in self.header.bindings:
            if b.column is not None and b.column.name == name:
                return b.letter
            if b.breakdown is not None and "=".join(b.breakdown) == name:
                return b.letter
        return None

    def heading(self, name: str) -> str:
        for b in self.header.bindings:
            if b.column is not None and b.column.name == name:
                return b.header
        return name

    def issue(self, row: int | None, column: str | None, code: str, reason: str, **kw: object) -> Issue:
        """An issue at a row and column (by schema name), naming the column as the file does."""
        return Issue(
            file=self.table.file,
            sheet=self.table.sheet,
            row=row,
            column=self.heading(column) if column else None,
            letter=self.letter(column) if column else None,
            code=code,
            reason=reason,
            **kw,  # type: ignore[arg-type]
        )

    def add(self, issue: Issue) -> None:
        self.issues.append(issue)
        if issue.row is not None and issue.severity == "error":
            self.bad_rows.add(issue.row)

    def good_rows(self) -> list[Row]:
        return [r for r in self.rows if r.number not in self.bad_rows]


def _header_issues(result: TypedRows) -> None:
    table, schema, header = result.table, result.schema, result.header
    names = [c.name for c in schema.columns]
    for b in header.unknown:
        close = difflib.get_close_matches(normalize_header(b.header), names, n=1)
        hint = f'did you mean "{close[0]}"? ' if close else ""
        result.issues.append(
            Issue(
                file=table.file,
                sheet=table.sheet,
                row=1,
                column=b.header,
                letter=b.letter,
                code="extra_column",
                reason=f"unknown column; {hint}metalstat import --columns {schema.kind} lists the columns",
            )
        )
    for first, again in header.repeated:
        result.issues.append(
            Issue(
                file=table.file,
                sheet=table.sheet,
                row=1,
                column=again.header,
                letter=again.letter,
                code="repeated_column",
                reason=f"the same column as {first.letter} ({first.header!r}); keep one of them",
            )
        )
    for c in header.missing:
        result.issues.append(
            Issue(
                file=table.file,
                sheet=table.sheet,
                row=1,
                column=c.name,
                code="missing_column",
                reason=f"missing column {c.name!r} ({c.help}); add it to row 1",
            )
        )


def type_rows(
    table: Table,
    schema: KindSchema,
    advance: Callable[[int], None] | None = None,
    today: date | None = None,
) -> TypedRows:
    """Type every cell of ``table`` by ``schema``; collect every problem instead of stopping.

    ``advance(n)`` is told every few hundred rows how many more were typed (progress bars).
    ``today`` dates the "no later than next month" rule (default: the machine's date).
    """
    today = today or date.today()
    header = match_header(schema, table.header)
    result = TypedRows(table=table, schema=schema, header=header)
    _header_issues(result)
    present = {b.column.name for b in header.bindings if b.column is not None}
    key_or_reference = {c.name for c in schema.columns if c.reference} | set(schema.identity)
    seen_keys: dict[tuple[object, ...], int] = {}
    for count, raw in enumerate(table.rows, 1):
        if advance is not None and count % 500 == 0:
            advance(500)
        row = Row(number=raw.number)
        errors: list[Issue] = []
        for b in header.bindings:
            value = raw.values[b.index]
            if b.column is not None:
                row.raw[b.column.name] = value
                if b.column.reference:
                    continue
                if is_empty(value):
                    row.values[b.column.name] = b.column.default
                    continue
                try:
                    row.values[b.column.name] = parse_cell(b.column, value, today)
                except CellError as exc:
                    errors.append(result.issue(raw.number, b.column.name, exc.code, str(exc), value=value))
            elif b.breakdown is not None:
                dim, val = b.breakdown
                if is_empty(value):
                    continue
                row.raw[f"{dim}={val}"] = value
                try:
                    quantity = parse_number(value)
                    if quantity < 0:
                        raise CellError("negative; quantities cannot be below zero", "negative")
                except CellError as exc:
                    errors.append(
                        Issue(
                            file=table.file,
                            sheet=table.sheet,
                            row=raw.number,
                            column=b.header,
                            letter=b.letter,
                            code=exc.code,
                            reason=str(exc),
                            value=value,
                        )
                    )
                    continue
                row.parts.setdefault(dim, {})[val] = quantity
        if schema.identity and not errors and _unanswered(row, key_or_reference):
            result.blank_returns.append(raw.number)
            continue
        for c in schema.columns:
            if c.mandatory and c.name in present and is_empty(row.raw.get(c.name)):
                errors.append(result.issue(raw.number, c.name, "empty", f"empty; {c.name} is required ({c.help})"))
        key = tuple(row.values.get(k) for k in schema.key)
        if all(k is not None for k in key):
            first = seen_keys.get(key)
            if first is None:
                seen_keys[key] = raw.number
            else:
                errors.append(
                    result.issue(
                        raw.number,
                        schema.key[0],
                        "duplicate",
                        f"duplicate of row {first} (same {' + '.join(schema.key)}); keep one row",
                        value=row.raw.get(schema.key[0]),
                    )
                )
        for e in errors:
            result.add(e)
        result.rows.append(row)
    return result


def _unanswered(row: Row, keys: set[str]) -> bool:
    """A row whose input cells are all empty: the producer has not answered (yet)."""
    if row.parts:
        return False
    return all(is_empty(v) for name, v in row.raw.items() if name not in keys)
