"""Importing survey returns: register checks, the engine's validation rules, revisions.

A returns file is confronted with the same rules the monthly cycle applies
(``metalstat.engine.validate``), over the imported rows in the context of each producer's
capacity, panel, events and earlier returns, so an import cannot let in what the cycle would
stop on. Columns a file does not have keep the values of the return in force: a file of
corrected outputs does not wipe the schedules.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import polars as pl

from metalstat.catalog import Product
from metalstat.engine.inputs import RETURN_PARTS, RETURNS
from metalstat.spreadsheets.errors import Issue
from metalstat.spreadsheets.importing import (
    Context,
    Handler,
    _chunks,
    _product_of,
    check_units,
    load_producers,
)
from metalstat.spreadsheets.rows import Row, TypedRows

QUANTITIES = (
    "output",
    "output_metal",
    "schedule",
    "schedule_metal",
    "operating_capacity",
    "schedule_operating_capacity",
)
METAL_COLUMNS = ("output_metal", "schedule_metal")

# The column of the file a validation rule is about (None: the row as a whole).
RULE_COLUMNS: dict[str, str | None] = {
    "missing_output": "output",
    "negative_value": "output",
    "unknown_status": "status",
    "no_capacity": "producer",
    "above_capacity": "output",
    "metal_above_physical": "output_metal",
    "breakdown_sum": None,
    "unknown_breakdown": None,
    "halted_with_output": "output",
    "unit_mixup": "output",
    "unexplained_swing": "output",
    "far_from_schedule": "output",
    "not_in_panel": "producer",
}


class ReturnsHandler(Handler):
    kind = "returns"

    def __init__(self) -> None:
        self.answers: dict[int, dict[str, Any]] = {}  # row number -> values to record
        self.sources: dict[int, str] = {}
        self.in_force: dict[int, Any] = {}  # row number -> the stored return it would revise

    # -- checks ----------------------------------------------------------------------------

    def check(self, typed: TypedRows, ctx: Context) -> None:
        rows = typed.good_rows()
        ctx.producers = load_producers(str(r.get("producer")) for r in rows)
        check_units(typed, rows, lambda r: _product_of(ctx, r))
        clean: list[Row] = []
        for row in rows:
            if row.number in typed.bad_rows:
                continue
            producer = self._known_producer(typed, row, ctx)
            if producer is None:
                continue
            product = ctx.catalog.get(producer.product)
            if self._check_product(typed, row, producer, product, ctx):
                clean.append(row)
        previous = _current_returns(
            [ctx.producers[str(r.get("producer"))].pk for r in clean],
            sorted({r.get("period") for r in clean}),  # type: ignore[type-var]
        )
        dims_in_file = {b.breakdown[0] for b in typed.header.bindings if b.breakdown}
        present = {b.column.name for b in typed.header.bindings if b.column is not None}
        for row in clean:
            producer = ctx.producers[str(row.get("producer"))]
            before = previous.get((producer.pk, row.get("period")))
            self.answers[row.number] = _answer(row, present, dims_in_file, before)
            self.in_force[row.number] = before
            self.sources[row.number] = str(row.get("source") or "spreadsheet")
        self._check_panel(typed, clean, ctx)
        self._check_rules(typed, clean, ctx)

    def _check_product(
        self, typed: TypedRows, row: Row, producer: Any, product: Product, ctx: Context
    ) -> bool:
        ok = True
        given = row.get("product")
        if given:
            if ctx.product(str(given)) is None:
                typed.add(
                    typed.issue(
                        row.number, "product", "unknown_product",
                        f"{given!r} is not a product code of the catalog (metalstat catalog)",
                        value=given,
                    )
                )  # fmt: skip
                ok = False
            elif given != producer.product:
                typed.add(
                    typed.issue(
                        row.number, "product", "product_mismatch",
                        f"producer {producer.code} makes {producer.product}, not {given}",
                        value=given,
                    )
                )  # fmt: skip
                ok = False
        if product.content == "physical":
            for name in METAL_COLUMNS:
                if row.get(name) is not None:
                    typed.add(
                        typed.issue(
                            row.number, name, "no_metal_content",
                            f"{product.code} is reported in physical content only; "
                            f"leave {name} empty",
                            value=row.raw.get(name),
                        )
                    )  # fmt: skip
                    ok = False
        own = {d.name: d.value_names() for d in product.dimensions if d.source == "return"}
        for dim, parts in row.parts.items():
            for value in parts:
                if value in own.get(dim, ()):
                    continue
                if dim in own:
                    reason = (f"{value!r} is not a {dim} of {product.code}: "
                              f"{', '.join(own[dim])}")  # fmt: skip
                else:
                    reason = f"{product.code} reports no breakdown {dim!r}" + (
                        f"; its breakdowns: {', '.join(sorted(own))}" if own else ""
                    )
                name = f"{dim}={value}"
                typed.add(
                    Issue(
                        file=typed.table.file, sheet=typed.table.sheet, row=row.number,
                        column=_breakdown_heading(typed, dim, value), letter=typed.letter(name),
                        value=row.raw.get(name), code="not_a_breakdown", reason=reason,
                    )
                )  # fmt: skip
                ok = False
        return ok

    def _check_panel(self, typed: TypedRows, rows: Sequence[Row], ctx: Context) -> None:
        from metalstat.registry.models import PanelMembership

        spans: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
        ids = sorted({ctx.producers[str(r.get("producer"))].pk for r in rows})
        for chunk in _chunks(ids):
            for m in PanelMembership.objects.filter(producer_id__in=chunk):
                spans[m.producer_id].append((m.first_period, m.last_period))
        for row in rows:
            producer = ctx.producers[str(row.get("producer"))]
            period = row.get("period")
            assert isinstance(period, date)
            if any(a <= period <= (b or date.max) for a, b in spans[producer.pk]):
                continue
            if _confirmed(producer.pk, period, "not_in_panel"):
                continue
            typed.add(
                typed.issue(
                    row.number, "producer", "not_in_panel",
                    f"{producer.code} is not in the survey panel in {period:%Y-%m}: the return "
                    "is kept but the estimates leave it out; extend the panel "
                    "(metalstat import panel) or confirm",
                    value=producer.code, severity="warning", rule="not_in_panel",
                    producer=producer.code, period=period,
                )
            )  # fmt: skip

    def _check_rules(self, typed: TypedRows, rows: Sequence[Row], ctx: Context) -> None:
        if not rows:
            return
        by_key = {(str(r.get("producer")), r.get("period")): r for r in rows}
        findings = engine_findings(
            [(str(r.get("producer")), r.get("period"), self.answers[r.number]) for r in rows],
            ctx,
        )
        for f in findings.iter_rows(named=True):
            row = by_key.get((f["producer_id"], f["period"]))
            if row is None:
                continue
            column = RULE_COLUMNS.get(f["rule"])
            warning = f["severity"] == "warning"
            typed.add(
                typed.issue(
                    row.number, column, f["rule"],
                    f"{f['message']} [rule {f['rule']}]",
                    value=row.raw.get(column) if column else None,
                    severity="warning" if warning else "error", rule=f["rule"],
                    producer=f["producer_id"], period=f["period"],
                )
            )  # fmt: skip

    # -- write -----------------------------------------------------------------------------

    def apply(self, typed, rows, ctx, *, actor, origin, progress):  # type: ignore[no-untyped-def]
        from metalstat.survey.actions import ReturnValues, do_record_returns
        from metalstat.survey.models.returns import RETURN_VALUE_FIELDS

        by_source: dict[str, list[ReturnValues]] = defaultdict(list)
        counts: Counter[str] = Counter()
        for row in rows:
            answer = self.answers[row.number]
            before = self.in_force.get(row.number)
            if before is not None and all(
                getattr(before, f) == answer[f] for f in RETURN_VALUE_FIELDS
            ):
                # Identical to the return in force: skip the write path (re-imports are fast);
                # anything less than identical is left to the action to judge.
                counts["unchanged"] += 1
                continue
            by_source[self.sources[row.number]].append(
                ReturnValues(
                    producer=str(row.get("producer")),
                    period=row.get("period"),  # type: ignore[arg-type]
                    collected_by=actor,
                    **answer,
                )
            )
        for source, values in by_source.items():
            counts.update(do_record_returns(values, actor=actor, source=source, origin=origin))
        progress.advance(len(rows))
        return counts


def _breakdown_heading(typed: TypedRows, dim: str, value: str) -> str:
    for b in typed.header.bindings:
        if b.breakdown == (dim, value):
            return b.header
    return f"{dim}={value}"


def _answer(
    row: Row, present: set[str], dims_in_file: set[str], before: Any | None
) -> dict[str, Any]:
    """The values to record: the file's columns, the return in force for the others."""
    answer: dict[str, Any] = {}
    for name in QUANTITIES:
        if name in present:
            value = row.get(name)
            answer[name] = None if value is None else float(value)  # type: ignore[arg-type]
        else:
            answer[name] = getattr(before, name) if before is not None else None
    for name, default in (("status", "normal"), ("reason", "")):
        if name in present:
            answer[name] = row.get(name) or default
        else:
            answer[name] = getattr(before, name) if before is not None else default
    breakdown: dict[str, dict[str, float]] = {}
    if before is not None:
        breakdown = {
            d: dict(v) for d, v in (before.breakdown or {}).items() if d not in dims_in_file
        }
    for dim, parts in row.parts.items():
        breakdown[dim] = {v: float(q) for v, q in parts.items()}
    answer["breakdown"] = breakdown
    return answer


def _current_returns(
    producer_ids: Sequence[int], periods: Sequence[date]
) -> dict[tuple[int, date], Any]:
    from metalstat.survey.models import SurveyReturn

    found: dict[tuple[int, date], Any] = {}
    for chunk in _chunks(sorted(set(producer_ids))):
        for r in SurveyReturn.objects.current().filter(producer_id__in=chunk, period__in=periods):
            found[(r.producer_id, r.period)] = r
    return found


def _confirmed(producer_id: int, period: date, rule: str) -> bool:
    from metalstat.survey.models import ValidationConfirmation

    return ValidationConfirmation.objects.filter(
        producer_id=producer_id, period=period, rule=rule
    ).exists()


# ---------------------------------------------------------------------------------------------
# The engine's rules over the imported rows


def engine_findings(
    answers: Sequence[tuple[str, Any, dict[str, Any]]], ctx: Context
) -> pl.DataFrame:
    """The validation findings on the imported returns that still need action: errors, and
    warnings not confirmed yet. ``answers`` are (producer code, period, values) as they would
    be recorded; they replace the stored returns of the same producer and month."""
    from metalstat.engine.validate import check_returns
    from metalstat.survey.frames import load_cycle_inputs

    codes = sorted({a[0] for a in answers})
    product_codes = sorted({ctx.producers[c].product for c in codes})
    stored = load_cycle_inputs(product_codes, until=max(a[1] for a in answers))
    imported = pl.DataFrame(
        [
            {"producer_id": code, "period": period, **{q: values[q] for q in QUANTITIES},
             "status": values["status"], "reason": values["reason"] or None}
            for code, period, values in answers
        ],
        schema=RETURNS,
    )  # fmt: skip
    parts = pl.DataFrame(
        [
            {"producer_id": code, "period": period, "dimension": dim, "value": value,
             "quantity": quantity}
            for code, period, values in answers
            for dim, quantities in values["breakdown"].items()
            for value, quantity in quantities.items()
        ],
        schema=RETURN_PARTS,
    )  # fmt: skip
    keys = imported.select("producer_id", "period")
    inputs = replace(
        stored,
        returns=pl.concat(
            [stored.returns.join(keys, on=["producer_id", "period"], how="anti"), imported]
        ),
        return_parts=pl.concat(
            [stored.return_parts.join(keys, on=["producer_id", "period"], how="anti"), parts]
        ),
    )
    products = [ctx.catalog.get(p) for p in product_codes]
    findings = check_returns(None, inputs, products)
    return findings.join(keys, on=["producer_id", "period"], how="semi").filter(
        (pl.col("severity") == "error") | ~pl.col("confirmed")
    )
