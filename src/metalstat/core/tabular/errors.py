"""What goes wrong in an imported file, said so the analyst can find and fix it.

Every problem is an ``Issue`` naming the file, sheet (XLSX), row as the analyst sees it (the
header is row 1), column (its header and letter), the value and the reason. Issues are collected
for the whole file before anything is written, so one run reports them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

Severity = Literal["error", "warning"]

# Printing thousands of lines helps nobody; the count of the rest is given instead.
PRINT_CAP = 200


def column_letter(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA"."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def show_value(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(frozen=True)
class Issue:
    """One problem at one place of an imported file.

    ``code`` is a stable short name of the problem (``not_a_number``, ``unknown_producer`` ...);
    ``rule`` is the engine's validation rule for findings that come from it. Warnings carry the
    producer code and period they are about, so a confirmation can be stored for each.
    """

    file: str
    code: str
    reason: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    letter: str | None = None
    value: object = None
    severity: Severity = "error"
    rule: str | None = None
    producer: str | None = None
    period: date | None = None

    def where(self) -> str:
        parts = [self.file]
        if self.sheet is not None:
            parts.append(f'sheet "{self.sheet}"')
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            col = f'column "{self.column}"'
            if self.letter:
                col += f" ({self.letter})"
            parts.append(col)
        elif self.letter:
            parts.append(f"column {self.letter}")
        return ", ".join(parts)

    def message(self) -> str:
        text = self.where()
        if self.value is not None and self.value != "":
            text += f', value "{show_value(self.value)}"'
        label = "warning" if self.severity == "warning" else "error"
        return f"{text}: {label}: {self.reason}"

    def sort_key(self) -> tuple[int, int, str]:
        return (self.row or 0, 0 if self.letter is None else len(self.letter), self.letter or "")


def format_issues(issues: Sequence[Issue], cap: int = PRINT_CAP) -> list[str]:
    """One line per issue, the first ``cap`` of them, then how many more were left out."""
    lines = [i.message() for i in issues[:cap]]
    if len(issues) > cap:
        lines.append(f"... and {len(issues) - cap} more not shown")
    return lines


class ImportRejected(Exception):
    """The file has errors (or unconfirmed warnings); nothing was written."""

    def __init__(self, file: str, issues: Iterable[Issue], *, needs_confirmation: bool = False):
        self.file = file
        self.issues = sorted(issues, key=Issue.sort_key)
        self.needs_confirmation = needs_confirmation
        super().__init__(self.summary())

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    def summary(self) -> str:
        n_err, n_warn = len(self.errors), len(self.warnings)
        if n_err:
            text = f"{self.file}: rejected, {n_err} error{'s' if n_err != 1 else ''}"
            if n_warn:
                text += f" and {n_warn} warning{'s' if n_warn != 1 else ''}"
            return text + "; nothing was imported"
        return (
            f"{self.file}: {n_warn} warning{'s' if n_warn != 1 else ''} to confirm; nothing was "
            'imported. Check each value; if they are right, import again with --confirm "reason"'
        )

    def lines(self, cap: int = PRINT_CAP) -> list[str]:
        return format_issues(self.issues, cap)
