"""Running an import of one kind: read, check everything, then write all of it or nothing.

The order is fixed: read the file (refusing formulas, merged cells, non-UTF-8 text), type
every cell, check every row against the register, confront returns with the engine's
validation rules, and only when no error is left (and every warning is confirmed) write the
rows through the ``do_*`` actions inside one transaction. Every problem found on the way is
kept, so one run reports them all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, ClassVar, Protocol

from django.core.exceptions import ValidationError
from django.db import transaction

from metalstat.catalog import Catalog, Product, load_catalog
from metalstat.core.changelog import Actor
from metalstat.core.locks import serialised
from metalstat.core.tabular.columns import KindSchema, code_key, unit_matches
from metalstat.core.tabular.errors import ImportRejected, Issue
from metalstat.core.tabular.reading import read_table
from metalstat.core.tabular.rows import Row, TypedRows, type_rows

# Above this many rows the command line shows a progress bar.
PROGRESS_MIN_ROWS = 2000
_CHUNK = 500  # codes per lookup query, under every backend's parameter limit


class ProgressSink(Protocol):
    """Where an import reports how far it got (the CLI draws a rich progress bar)."""

    def stage(self, name: str, total: int | None) -> None: ...

    def advance(self, n: int = 1) -> None: ...


class _NoProgress:
    def stage(self, name: str, total: int | None) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass


@dataclass
class ImportResult:
    """What an import did: counts by outcome, rows left unanswered, warnings confirmed."""

    kind: str
    file: str
    rows: int
    counts: Counter[str] = field(default_factory=Counter)
    blank_rows: list[int] = field(default_factory=list)
    confirmed: list[Issue] = field(default_factory=list)
    dry_run: bool = False
    changed_word: str = "updated"  # what a change is called: returns are "revised"

    def summary(self) -> str:
        changed = self.counts["revised"] + self.counts["updated"]
        text = (
            f"{self.file}: {self.rows} {self.kind} row{'s' if self.rows != 1 else ''}: "
            f"{self.counts['created']} created, {changed} {self.changed_word}, "
            f"{self.counts['unchanged']} unchanged"
        )
        if self.blank_rows:
            text += f"; {len(self.blank_rows)} rows left empty (no return)"
        if self.confirmed:
            text += f"; {len(self.confirmed)} warnings confirmed"
        if self.dry_run:
            text += " (dry run: nothing written)"
        return text


@dataclass
class Context:
    """What the checks need from the register, fetched once per file."""

    catalog: Catalog
    producers: dict[str, Any] = field(default_factory=dict)  # code -> the kind's loaded rows

    def product(self, code: str) -> Product | None:
        try:
            return self.catalog.get(code)
        except KeyError:
            return None


def chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _validation_issues(typed: TypedRows, row: Row, exc: ValidationError) -> list[Issue]:
    """An action's ValidationError, placed at the row and (when it names one) the column,
    with the error's own code when it gives one (e.g. ``capacity_rewrite``)."""
    out = []
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            column = name if typed.letter(name) else None
            for error in errors:
                for message in error.messages:
                    out.append(
                        typed.issue(row.number, column, error.code or "refused", message, value=row.raw.get(name))
                    )
    else:
        for error in exc.error_list:
            for message in error.messages:
                out.append(typed.issue(row.number, None, error.code or "refused", message))
    return out


def check_units(typed: TypedRows, rows: Iterable[Row], product_of: Callable[[Row], Product | None]) -> None:
    """A unit written in a quantity column's header must be the product's unit.

    One issue per column and product (on the header row), not one per row; the rows concerned
    are left out of later checks.
    """
    stated = [
        b
        for b in typed.header.bindings
        if b.unit and (b.breakdown or (b.column and b.column.type == "number" and not b.column.reference))
    ]
    if not stated:
        return
    reported: set[tuple[int, str]] = set()
    for row in rows:
        product = product_of(row)
        if product is None:
            continue
        for b in stated:
            assert b.unit is not None
            if unit_matches(b.unit, product.unit, product.unit_zh):
                continue
            # The row's values are in another unit: no rule can judge them.
            typed.bad_rows.add(row.number)
            if (b.index, product.code) in reported:
                continue
            reported.add((b.index, product.code))
            typed.add(
                Issue(
                    file=typed.table.file,
                    sheet=typed.table.sheet,
                    row=1,
                    column=b.header,
                    letter=b.letter,
                    code="wrong_unit",
                    reason=f"the header gives the unit {b.unit!r} but {product.code} is "
                    f"reported in {product.unit}: convert the values to {product.unit} and "
                    "write that unit (or none)",
                )
            )


def near_duplicate(code: str, existing: dict[str, str]) -> str | None:
    """The stored code ``code`` differs from only in letter case (or width: NFKC), if any.

    ``existing``: ``code_key(code) -> code`` of the stored codes."""
    other = existing.get(code_key(code))
    return other if other is not None and other != code else None


def check_near_duplicates(typed: TypedRows, rows: Iterable[Row], column: str, stored: Iterable[str], what: str) -> None:
    """Refuse a new code that differs from a stored one, or from an earlier row's new code,
    only in letter case: ``CU001`` and ``cu001`` would be two producers nobody can tell apart."""
    known = set(stored)
    keys = {code_key(c): c for c in sorted(known)}
    for row in rows:
        code = str(row.get(column))
        if code in known:
            continue
        other = near_duplicate(code, keys)
        if other is not None:
            typed.add(
                typed.issue(
                    row.number,
                    column,
                    "near_duplicate",
                    f"{code!r} differs from the {what} {other!r} only in letter case; codes may not differ "
                    f"by case alone: write {other!r}, or choose a distinct code",
                    value=code,
                )
            )
            continue
        known.add(code)
        keys[code_key(code)] = code


# ---------------------------------------------------------------------------------------------
# Per-kind checks and writes


class Handler:
    """One importable kind: its columns, its checks against the stored data, its writes.

    The apps declare their kinds as subclasses (``registry.imports``, ``survey.imports``);
    :func:`run_import` drives them.
    """

    schema: ClassVar[KindSchema]
    changed_word: ClassVar[str] = "updated"
    by_period: ClassVar[bool] = True  # whether an export can select one month

    def columns(self) -> list[str]:
        """The columns an import reads and an export writes, in order."""
        return [c.name for c in self.schema.input_columns()]

    def export(self, *, product: str | None, period: date | None) -> tuple[list[str], list[list[Any]]]:
        """The header and rows of the kind as stored, filtered by product and month."""
        raise NotImplementedError

    @property
    def kind(self) -> str:
        return self.schema.kind

    def check(self, typed: TypedRows, ctx: Context) -> None:
        """Add the issues found against stored data to ``typed`` (rows already well typed)."""

    def apply(
        self,
        typed: TypedRows,
        rows: Sequence[Row],
        ctx: Context,
        *,
        actor: Actor,
        origin: str,
        progress: ProgressSink,
    ) -> Counter[str]:
        raise NotImplementedError

    def confirm(self, warnings: Sequence[Issue], ctx: Context, *, reason: str, actor: Actor, origin: str) -> None:
        """Store the analyst's confirmation of the warnings (kinds that raise warnings)."""
        raise NotImplementedError(f"{self.kind} raises no warnings to confirm")

    @staticmethod
    def each(
        typed: TypedRows,
        rows: Sequence[Row],
        progress: ProgressSink,
        write: Callable[[Row], str],
    ) -> Counter[str]:
        """Write row by row through an action; refusals become issues and undo everything."""
        counts: Counter[str] = Counter()
        refused: list[Issue] = []
        for row in rows:
            try:
                counts[write(row)] += 1
            except ValidationError as exc:
                refused.extend(_validation_issues(typed, row, exc))
            progress.advance()
        if refused:
            raise ImportRejected(typed.table.file, refused)
        return counts


def run_import(
    handler: Handler,
    path: str | Path,
    *,
    actor: Actor,
    confirm: str | None = None,
    display_name: str | None = None,
    progress: ProgressSink | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import ``path`` with ``handler``; raise ImportRejected (nothing written) on any problem.

    Warnings (a value about 1,000x the producer's usual, output far from last month's
    schedule ...) stop the import too unless ``confirm`` gives the analyst's reason; then
    the handler stores one confirmation per warning with that reason.
    """
    kind = handler.kind
    name = display_name or str(path)
    sink: ProgressSink = progress or _NoProgress()
    sink.stage(f"reading {Path(name).name}", None)
    table = read_table(path, kind, display_name=name)
    sink.stage("checking", len(table.rows))
    typed = type_rows(table, handler.schema, sink.advance)
    ctx = Context(catalog=load_catalog())
    # Checked and written under one lock: another import cannot change what this one was
    # checked against before it writes (core.locks).
    with serialised("metalstat-import", what=f"import of {Path(name).name}"):
        sink.stage("checking against the register", None)
        if not typed.header.missing:
            # Without a required column no row can be checked against the register.
            handler.check(typed, ctx)
        errors = [i for i in typed.issues if i.severity == "error"]
        warnings = [i for i in typed.issues if i.severity == "warning"]
        if errors:
            raise ImportRejected(name, typed.issues)
        if warnings and not (confirm and confirm.strip()):
            raise ImportRejected(name, warnings, needs_confirmation=True)
        result = ImportResult(
            kind=kind,
            file=name,
            rows=len(typed.rows),
            blank_rows=list(typed.blank_returns),
            changed_word=handler.changed_word,
        )
        sink.stage("writing", len(typed.rows))
        result.counts = handler.apply(typed, typed.rows, ctx, actor=actor, origin=name, progress=sink)
        if warnings:
            handler.confirm(warnings, ctx, reason=str(confirm).strip(), actor=actor, origin=name)
            result.confirmed = warnings
        if dry_run:
            result.dry_run = True
            transaction.set_rollback(True)
    return result
