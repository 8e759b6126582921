"""Importing a file of one kind: read, check everything, then write all of it or nothing.

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
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import transaction

from metalstat.catalog import Catalog, Product, load_catalog
from metalstat.spreadsheets.errors import ImportRejected, Issue
from metalstat.spreadsheets.reading import read_table
from metalstat.spreadsheets.rows import Row, TypedRows, type_rows
from metalstat.spreadsheets.schemas import KINDS, CellError, parse_choice, unit_matches

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

    @property
    def changed_word(self) -> str:
        return "revised" if self.kind == "returns" else "updated"

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
    producers: dict[str, Any] = field(default_factory=dict)  # code -> Producer

    def product(self, code: str) -> Product | None:
        try:
            return self.catalog.get(code)
        except KeyError:
            return None


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def load_producers(codes: Iterable[str]) -> dict[str, Any]:
    from metalstat.registry.models import Producer

    found: dict[str, Any] = {}
    for chunk in _chunks(sorted(set(codes))):
        for p in Producer.objects.filter(code__in=chunk):
            found[p.code] = p
    return found


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _product_of(ctx: Context, row: Row) -> Product | None:
    producer = ctx.producers.get(str(row.get("producer")))
    return None if producer is None else ctx.product(producer.product)


def _validation_issues(typed: TypedRows, row: Row, exc: ValidationError) -> list[Issue]:
    """An action's ValidationError, placed at the row and (when it names one) the column."""
    out = []
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            column = name if typed.letter(name) else None
            for message in errors:
                out.append(
                    typed.issue(row.number, column, "refused", message, value=row.raw.get(name))
                )
    else:
        for message in exc.messages:
            out.append(typed.issue(row.number, None, "refused", message))
    return out


def check_units(
    typed: TypedRows, rows: Iterable[Row], product_of: Callable[[Row], Product | None]
) -> None:
    """A unit written in a quantity column's header must be the product's unit.

    One issue per column and product (on the header row), not one per row; the rows concerned
    are left out of later checks.
    """
    stated = [
        b for b in typed.header.bindings
        if b.unit and (b.breakdown or (b.column and b.column.type == "number"
                                        and not b.column.reference))
    ]  # fmt: skip
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
                    file=typed.table.file, sheet=typed.table.sheet, row=1, column=b.header,
                    letter=b.letter, code="wrong_unit",
                    reason=f"the header gives the unit {b.unit!r} but {product.code} is "
                    f"reported in {product.unit}: convert the values to {product.unit} and "
                    "write that unit (or none)",
                )
            )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Per-kind checks and writes


class Handler:
    kind: str

    def check(self, typed: TypedRows, ctx: Context) -> None:
        """Add the issues found against the register to ``typed`` (rows already well typed)."""

    def apply(
        self, typed: TypedRows, rows: Sequence[Row], ctx: Context, *, actor: str, origin: str,
        progress: ProgressSink,
    ) -> Counter[str]:  # fmt: skip
        raise NotImplementedError

    def _known_producer(self, typed: TypedRows, row: Row, ctx: Context) -> Any:
        code = row.get("producer")
        producer = ctx.producers.get(str(code))
        if producer is None:
            typed.add(
                typed.issue(
                    row.number,
                    "producer",
                    "unknown_producer",
                    f"no producer with code {code!r} in the register; import it first "
                    "(metalstat import producers)",
                    value=code,
                )
            )
        return producer

    @staticmethod
    def _each(
        typed: TypedRows, rows: Sequence[Row], progress: ProgressSink,
        write: Callable[[Row], str],
    ) -> Counter[str]:  # fmt: skip
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


class ProducersHandler(Handler):
    kind = "producers"
    FIELDS = ("name", "name_zh", "product", "province", "region", "nature", "feedstock", "country")

    def check(self, typed: TypedRows, ctx: Context) -> None:
        rows = typed.good_rows()
        ctx.producers = load_producers(str(r.get("code")) for r in rows)
        for row in rows:
            code = row.get("product")
            product = ctx.product(str(code))
            if product is None:
                typed.add(
                    typed.issue(
                        row.number, "product", "unknown_product",
                        f"{code!r} is not a product code of the catalog (metalstat catalog)",
                        value=code,
                    )
                )  # fmt: skip
                continue
            existing = ctx.producers.get(str(row.get("code")))
            if existing is not None and existing.product != product.code:
                typed.add(
                    typed.issue(
                        row.number, "product", "product_change",
                        f"producer {existing.code!r} makes {existing.product}; a plant making "
                        "another product is a separate producer with its own code",
                        value=code,
                    )
                )  # fmt: skip
            self._canonical(typed, row, "region", product.regions)
            self._canonical(typed, row, "province", product.provinces)
            if row.get("feedstock"):
                routes = next((d for d in product.dimensions if d.name == "feedstock"), None)
                if routes is None:
                    typed.add(
                        typed.issue(
                            row.number, "feedstock", "not_a_choice",
                            f"{product.code} has no feedstock routes; leave it empty",
                            value=row.get("feedstock"),
                        )
                    )  # fmt: skip
                else:
                    self._canonical(typed, row, "feedstock", routes.value_names())

    @staticmethod
    def _canonical(typed: TypedRows, row: Row, name: str, allowed: Sequence[str]) -> None:
        value = row.get(name)
        if not value or not allowed:
            return
        try:
            row.values[name] = parse_choice(value, allowed)
        except CellError as exc:
            typed.add(
                typed.issue(row.number, name, "not_a_choice", f"{exc} ({row.get('product')})",
                            value=value)
            )  # fmt: skip

    def apply(self, typed, rows, ctx, *, actor, origin, progress):  # type: ignore[no-untyped-def]
        from metalstat.registry.actions import do_upsert_producer

        present = {b.column.name for b in typed.header.bindings if b.column is not None}

        def write(row: Row) -> str:
            fields = {f: _text(row.get(f)) for f in self.FIELDS if f in present}
            if "country" in fields and not fields["country"]:
                fields["country"] = "China"
            return do_upsert_producer(str(row.get("code")), actor=actor, origin=origin, **fields)[1]

        return self._each(typed, rows, progress, write)


class CapacityHandler(Handler):
    kind = "capacity"

    def check(self, typed: TypedRows, ctx: Context) -> None:
        from metalstat.registry.models import CapacityRecord

        rows = typed.good_rows()
        ctx.producers = load_producers(str(r.get("producer")) for r in rows)
        existing = {}
        ids = [p.pk for p in ctx.producers.values()]
        for chunk in _chunks(ids):
            for rec in CapacityRecord.objects.filter(producer_id__in=chunk):
                existing[(rec.producer_id, rec.valid_from)] = rec
        check_units(typed, rows, lambda r: _product_of(ctx, r))
        for row in rows:
            producer = self._known_producer(typed, row, ctx)
            if producer is None:
                continue
            rec = existing.get((producer.pk, row.get("valid_from")))
            if rec is None:
                continue
            capacity, event = float(row.get("capacity")), _text(row.get("event"))  # type: ignore[arg-type]
            if rec.capacity != capacity or rec.event != event:
                typed.add(
                    typed.issue(
                        row.number, "capacity", "capacity_rewrite",
                        f"{producer.code} already has capacity {rec.capacity:g} "
                        f"({rec.event or 'as registered'}) from {rec.valid_from}; capacity "
                        "records are never rewritten: record the change from the date it "
                        "takes effect",
                        value=row.raw.get("capacity"),
                    )
                )  # fmt: skip

    def apply(self, typed, rows, ctx, *, actor, origin, progress):  # type: ignore[no-untyped-def]
        from metalstat.registry.actions import do_add_capacity_record

        def write(row: Row) -> str:
            return do_add_capacity_record(
                ctx.producers[str(row.get("producer"))],
                row.get("valid_from"),  # type: ignore[arg-type]
                float(row.get("capacity")),  # type: ignore[arg-type]
                event=_text(row.get("event")),
                note=_text(row.get("note")),
                actor=actor,
                origin=origin,
            )[1]

        return self._each(typed, rows, progress, write)


class PanelHandler(Handler):
    kind = "panel"

    def check(self, typed: TypedRows, ctx: Context) -> None:
        from metalstat.registry.models import PanelMembership

        rows = typed.good_rows()
        ctx.producers = load_producers(str(r.get("producer")) for r in rows)
        spans: dict[int, list[tuple[date, date | None, str]]] = {}
        for chunk in _chunks([p.pk for p in ctx.producers.values()]):
            for m in PanelMembership.objects.filter(producer_id__in=chunk):
                spans.setdefault(m.producer_id, []).append(
                    (m.first_period, m.last_period, "its stored membership " + str(m))
                )
        for row in rows:
            producer = self._known_producer(typed, row, ctx)
            if producer is None:
                continue
            first, last = row.get("first_period"), row.get("last_period")
            assert isinstance(first, date)
            assert last is None or isinstance(last, date)
            if last is not None and last < first:
                typed.add(
                    typed.issue(
                        row.number, "last_period", "ends_before_start",
                        f"the membership ends ({last:%Y-%m}) before it starts ({first:%Y-%m})",
                        value=row.raw.get("last_period"),
                    )
                )  # fmt: skip
                continue
            mine = spans.setdefault(producer.pk, [])
            for other_first, other_last, label in mine:
                if other_first == first and label.startswith("its stored"):
                    continue  # the same membership: its end may change
                if first <= (other_last or date.max) and other_first <= (last or date.max):
                    typed.add(
                        typed.issue(
                            row.number, "first_period", "panel_overlap",
                            f"{producer.code}: this membership overlaps {label}",
                            value=row.raw.get("first_period"),
                        )
                    )  # fmt: skip
                    break
            mine.append((first, last, f"row {row.number}"))

    def apply(self, typed, rows, ctx, *, actor, origin, progress):  # type: ignore[no-untyped-def]
        from metalstat.registry.actions import do_set_panel_membership

        def write(row: Row) -> str:
            return do_set_panel_membership(
                ctx.producers[str(row.get("producer"))],
                row.get("first_period"),  # type: ignore[arg-type]
                row.get("last_period"),  # type: ignore[arg-type]
                actor=actor,
                origin=origin,
            )[1]

        return self._each(typed, rows, progress, write)


class EventsHandler(Handler):
    kind = "events"

    def check(self, typed: TypedRows, ctx: Context) -> None:
        rows = typed.good_rows()
        ctx.producers = load_producers(str(r.get("producer")) for r in rows)
        check_units(typed, rows, lambda r: _product_of(ctx, r))
        for row in rows:
            self._known_producer(typed, row, ctx)
            start, end = row.get("start"), row.get("end")
            if isinstance(start, date) and isinstance(end, date) and end < start:
                typed.add(
                    typed.issue(
                        row.number, "end", "ends_before_start",
                        f"the event ends ({end}) before it starts ({start})",
                        value=row.raw.get("end"),
                    )
                )  # fmt: skip

    def apply(self, typed, rows, ctx, *, actor, origin, progress):  # type: ignore[no-untyped-def]
        from metalstat.survey.actions import do_record_event

        def write(row: Row) -> str:
            planned = row.get("planned")
            return do_record_event(
                ctx.producers[str(row.get("producer"))],
                row.get("start"),  # type: ignore[arg-type]
                reason=str(row.get("reason")),
                end=row.get("end"),  # type: ignore[arg-type]
                capacity_affected=_float(row.get("capacity_affected")),
                planned=True if planned is None else bool(planned),
                description=_text(row.get("description")),
                actor=actor,
                origin=origin,
            )[1]

        return self._each(typed, rows, progress, write)


class AuxiliaryHandler(Handler):
    kind = "auxiliary"
    SERIES_FIELDS = ("name", "name_zh", "unit", "product", "highlighted")

    def check(self, typed: TypedRows, ctx: Context) -> None:
        from metalstat.survey.models import AuxiliarySeries

        rows = typed.good_rows()
        codes = sorted({str(r.get("series")) for r in rows})
        known = set()
        for chunk in _chunks(codes):
            known |= set(
                AuxiliarySeries.objects.filter(code__in=chunk).values_list("code", flat=True)
            )
        defined: set[str] = set()
        for row in rows:
            code = str(row.get("series"))
            product = row.get("product")
            if product and ctx.product(str(product)) is None:
                typed.add(
                    typed.issue(
                        row.number, "product", "unknown_product",
                        f"{product!r} is not a product code of the catalog (metalstat catalog)",
                        value=product,
                    )
                )  # fmt: skip
            if code in known or code in defined:
                continue
            missing = [f for f in ("name", "unit") if not row.get(f)]
            if missing:
                typed.add(
                    typed.issue(
                        row.number, "series", "unknown_series",
                        f"no auxiliary series {code!r} yet; give its {' and '.join(missing)} "
                        "to create it",
                        value=code,
                    )
                )  # fmt: skip
            else:
                defined.add(code)

    def apply(self, typed, rows, ctx, *, actor, origin, progress):  # type: ignore[no-untyped-def]
        from metalstat.survey.actions import (
            do_record_auxiliary_observation,
            do_upsert_auxiliary_series,
        )

        present = {b.column.name for b in typed.header.bindings if b.column is not None}
        series_done: dict[str, str] = {}

        def write(row: Row) -> str:
            code = str(row.get("series"))
            fields: dict[str, Any] = {}
            for f in self.SERIES_FIELDS:
                if f not in present:
                    continue
                value = row.get(f)
                if f == "highlighted":
                    if value is not None:
                        fields[f] = bool(value)
                elif value:
                    fields[f] = str(value)
            if code not in series_done and fields:
                series_done[code] = do_upsert_auxiliary_series(
                    code, actor=actor, origin=origin, **fields
                )[1]
            value = row.get("value")
            assert isinstance(value, Decimal)
            return do_record_auxiliary_observation(
                code,
                row.get("date"),  # type: ignore[arg-type]
                float(value),
                note=_text(row.get("note")),
                actor=actor,
                origin=origin,
            )[1]

        return self._each(typed, rows, progress, write)


def handler(kind: str) -> Handler:
    from metalstat.spreadsheets.returns import ReturnsHandler

    handlers: dict[str, type[Handler]] = {
        "producers": ProducersHandler,
        "capacity": CapacityHandler,
        "panel": PanelHandler,
        "returns": ReturnsHandler,
        "events": EventsHandler,
        "auxiliary": AuxiliaryHandler,
    }
    return handlers[kind]()


# ---------------------------------------------------------------------------------------------


def import_file(
    kind: str,
    path: str | Path,
    *,
    actor: str,
    confirm: str | None = None,
    display_name: str | None = None,
    progress: ProgressSink | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import ``path`` as ``kind``; raise ImportRejected (nothing written) on any problem.

    Warnings (a value about 1,000x the producer's usual, output far from last month's
    schedule ...) stop the import too unless ``confirm`` gives the analyst's reason; then one
    ValidationConfirmation per warning is stored with that reason.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    name = display_name or str(path)
    sink: ProgressSink = progress or _NoProgress()
    sink.stage(f"reading {Path(name).name}", None)
    table = read_table(path, kind, display_name=name)
    sink.stage("checking", len(table.rows))
    typed = type_rows(table, kind, sink.advance)
    ctx = Context(catalog=load_catalog())
    kind_handler = handler(kind)
    sink.stage("checking against the register", None)
    if not typed.header.missing:
        # Without a required column no row can be checked against the register.
        kind_handler.check(typed, ctx)
    errors = [i for i in typed.issues if i.severity == "error"]
    warnings = [i for i in typed.issues if i.severity == "warning"]
    if errors:
        raise ImportRejected(name, typed.issues)
    if warnings and not (confirm and confirm.strip()):
        raise ImportRejected(name, warnings, needs_confirmation=True)
    result = ImportResult(
        kind=kind, file=name, rows=len(typed.rows), blank_rows=list(typed.blank_returns)
    )
    sink.stage("writing", len(typed.rows))
    with transaction.atomic():
        result.counts = kind_handler.apply(
            typed, typed.rows, ctx, actor=actor, origin=name, progress=sink
        )
        if warnings:
            _confirm(warnings, ctx, reason=str(confirm).strip(), actor=actor, origin=name)
            result.confirmed = warnings
        if dry_run:
            result.dry_run = True
            transaction.set_rollback(True)
    return result


def _confirm(
    warnings: Sequence[Issue], ctx: Context, *, reason: str, actor: str, origin: str
) -> None:
    from metalstat.survey.actions import do_confirm_warning

    done = set()
    for w in warnings:
        assert w.producer is not None and w.period is not None and w.rule is not None
        key = (w.producer, w.period, w.rule)
        if key in done:
            continue
        done.add(key)
        do_confirm_warning(
            ctx.producers.get(w.producer) or w.producer, w.period, w.rule,
            reason=reason, actor=actor, origin=origin,
        )  # fmt: skip
