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
from typing_extensions import override

from metalstat.catalog import Product
from metalstat.catalog.vocabulary import (
    BREAKDOWN_PREFIXES,
    METAL_QUANTITIES,
    PLANNED_PREFIX,
    RETURN_FIELDS,
    RETURN_QUANTITIES,
    RETURN_SOURCES,
    RETURN_STATUSES,
    RETURN_VALUES,
    ReturnField,
)
from metalstat.core.changelog import Actor, actor_name
from metalstat.core.tabular.columns import Column, KindSchema
from metalstat.core.tabular.errors import Issue
from metalstat.core.tabular.rows import Row, TypedRows
from metalstat.core.tabular.runner import Context, ProgressSink, check_units
from metalstat.engine.inputs import RETURN_PARTS, RETURNS, SCHEDULE_PARTS
from metalstat.engine.validate import check_returns
from metalstat.registry.imports import PRODUCER, ProducerRowsHandler, product_of
from metalstat.registry.queries import panel_spans
from metalstat.survey import actions
from metalstat.survey.actions import ReturnValues, do_confirm_warning
from metalstat.survey.frames import load_survey_inputs
from metalstat.survey.queries import confirmed, current_returns, return_rows


def _column(f: ReturnField) -> Column:
    if f.type == "quantity":
        return Column(f.name, "number", f.help, required=f.name == "output", aliases=f.aliases)
    if f.type == "status":
        return Column(f.name, "choice", f.help, choices=RETURN_STATUSES, aliases=f.aliases, default="normal")
    return Column(f.name, "text", f.help, aliases=f.aliases)


RETURNS_KIND = KindSchema(
    "returns",
    "Monthly survey returns: one row per producer and month. A changed value makes a new "
    "revision of the return; an unchanged row changes nothing. Breakdown quantities go in "
    "columns named dimension=value (see the product's dimensions in metalstat catalog), the "
    "next month's schedule by the same values in columns named schedule:dimension=value.",
    (
        PRODUCER,
        Column("product", "text", "catalog product code (checked against the producer's)", aliases=("产品", "品种")),
        Column(
            "period",
            "period",
            "month of the output (YYYY-MM)",
            required=True,
            mandatory=True,
            aliases=("月份", "统计月份"),
            not_after_next_month=True,
        ),
        # One column per field of a return; breakdown quantities are dimension=value columns.
        *(_column(f) for f in RETURN_FIELDS if f.type != "breakdown"),
        Column(
            "source",
            "choice",
            "how the return was collected (spreadsheet when empty)",
            choices=RETURN_SOURCES,
            aliases=("来源",),
            default="spreadsheet",
        ),
        # Reference columns of the template, for the analyst; not imported.
        Column("producer_name", "text", "(template reference) producer name", reference=True, aliases=("企业名称",)),
        Column("province", "text", "(template reference) province", reference=True, aliases=("省份",)),
        Column(
            "capacity_in_force",
            "text",
            "(template reference) capacity in force, unit/year",
            reference=True,
            aliases=("产能",),
        ),
        Column(
            "last_month_output",
            "text",
            "(template reference) last month's output",
            reference=True,
            aliases=("上月产量",),
        ),
        Column(
            "scheduled_for_month",
            "text",
            "(template reference) what the producer scheduled for this month last month",
            reference=True,
            aliases=("上月排产",),
        ),
    ),
    key=("producer", "period"),
    breakdowns=True,
    identity=("producer", "product", "period"),
)

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
    "planned_breakdown_sum": None,
    "unknown_planned_breakdown": None,
    "planned_breakdown_without_schedule": "schedule",
    "halted_with_output": "output",
    "unit_mixup": "output",
    "unexplained_swing": "output",
    "far_from_schedule": "output",
    "not_in_panel": "producer",
}


def _period(row: Row) -> date:
    """A well-typed row's period (the month column reads it as a date)."""
    period = row.get("period")
    if not isinstance(period, date):
        raise TypeError(f"row {row.number}: period {period!r} is not a date")
    return period


class ReturnsHandler(ProducerRowsHandler):
    schema = RETURNS_KIND
    changed_word = "revised"

    def __init__(self) -> None:
        self.answers: dict[int, dict[str, Any]] = {}  # row number -> values to record
        self.sources: dict[int, str] = {}
        self.in_force: dict[int, Any] = {}  # row number -> the stored return it would revise

    # -- checks ----------------------------------------------------------------------------

    def check(self, typed: TypedRows, ctx: Context) -> None:
        rows = typed.good_rows()
        self.load_producers(rows, ctx)
        check_units(typed, rows, lambda r: product_of(ctx, r))
        clean: list[Row] = []
        for row in rows:
            if row.number in typed.bad_rows:
                continue
            producer = self.known_producer(typed, row, ctx)
            if producer is None:
                continue
            product = ctx.catalog.get(producer.product)
            if self._check_product(typed, row, producer, product, ctx):
                clean.append(row)
        previous = current_returns(
            [ctx.producers[str(r.get("producer"))].pk for r in clean],
            sorted({_period(r) for r in clean}),
        )
        dims_in_file = {b.breakdown[0] for b in typed.header.bindings if b.breakdown}
        present = {b.column.name for b in typed.header.bindings if b.column is not None}
        for row in clean:
            producer = ctx.producers[str(row.get("producer"))]
            before = previous.get((producer.pk, _period(row)))
            self.answers[row.number] = _answer(row, present, dims_in_file, before)
            self.in_force[row.number] = before
            self.sources[row.number] = str(row.get("source") or "spreadsheet")
        self._check_panel(typed, clean, ctx)
        self._check_rules(typed, clean, ctx)

    def _check_product(self, typed: TypedRows, row: Row, producer: Any, product: Product, ctx: Context) -> bool:
        ok = True
        given = row.get("product")
        if given:
            if ctx.product(str(given)) is None:
                typed.add(
                    typed.issue(
                        row.number,
                        "product",
                        "unknown_product",
                        f"{given!r} is not a product code of the catalog (metalstat catalog)",
                        value=given,
                    )
                )
                ok = False
            elif given != producer.product:
                typed.add(
                    typed.issue(
                        row.number,
                        "product",
                        "product_mismatch",
                        f"producer {producer.code} makes {producer.product}, not {given}",
                        value=given,
                    )
                )
                ok = False
        if product.content == "physical":
            for name in METAL_QUANTITIES:
                if row.get(name) is not None:
                    typed.add(
                        typed.issue(
                            row.number,
                            name,
                            "no_metal_content",
                            f"{product.code} is reported in physical content only; leave {name} empty",
                            value=row.raw.get(name),
                        )
                    )
                    ok = False
        own = {d.name: d.value_names() for d in product.dimensions if d.source == "return"}
        for column_dim, parts in row.parts.items():
            dim = column_dim.removeprefix(PLANNED_PREFIX)
            for value in parts:
                if value in own.get(dim, ()):
                    continue
                if dim in own:
                    reason = f"{value!r} is not a {dim} of {product.code}: {', '.join(own[dim])}"
                else:
                    reason = f"{product.code} reports no breakdown {dim!r}" + (
                        f"; its breakdowns: {', '.join(sorted(own))}" if own else ""
                    )
                name = f"{column_dim}={value}"
                typed.add(
                    Issue(
                        file=typed.table.file,
                        sheet=typed.table.sheet,
                        row=row.number,
                        column=_breakdown_heading(typed, column_dim, value),
                        letter=typed.letter(name),
                        value=row.raw.get(name),
                        code="not_a_breakdown",
                        reason=reason,
                    )
                )
                ok = False
        return ok

    def _check_panel(self, typed: TypedRows, rows: Sequence[Row], ctx: Context) -> None:
        spans = panel_spans(ctx.producers[str(r.get("producer"))].pk for r in rows)
        for row in rows:
            producer = ctx.producers[str(row.get("producer"))]
            period = _period(row)
            if any(a <= period <= (b or date.max) for a, b, _ in spans.get(producer.pk, ())):
                continue
            if confirmed(producer.pk, period, "not_in_panel"):
                continue
            typed.add(
                typed.issue(
                    row.number,
                    "producer",
                    "not_in_panel",
                    f"{producer.code} is not in the survey panel in {period:%Y-%m}: the return "
                    "is kept but the estimates leave it out; extend the panel "
                    "(metalstat import panel) or confirm",
                    value=producer.code,
                    severity="warning",
                    rule="not_in_panel",
                    producer=producer.code,
                    period=period,
                )
            )

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
                    row.number,
                    column,
                    f["rule"],
                    f"{f['message']} [rule {f['rule']}]",
                    value=row.raw.get(column) if column else None,
                    severity="warning" if warning else "error",
                    rule=f["rule"],
                    producer=f["producer_id"],
                    period=f["period"],
                )
            )

    # -- write -----------------------------------------------------------------------------

    @override
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
        by_source: dict[str, list[ReturnValues]] = defaultdict(list)
        counts: Counter[str] = Counter()
        for row in rows:
            answer = self.answers[row.number]
            before = self.in_force.get(row.number)
            if before is not None and all(getattr(before, f) == answer[f] for f in RETURN_VALUES):
                # Identical to the return in force: skip the write path (re-imports are fast);
                # anything less than identical is left to the action to judge.
                counts["unchanged"] += 1
                continue
            by_source[self.sources[row.number]].append(
                ReturnValues(
                    producer=str(row.get("producer")),
                    period=_period(row),
                    collected_by=actor_name(actor),
                    **answer,
                )
            )
        for source, values in by_source.items():
            counts.update(actions.do_record_returns(values, actor=actor, source=source, origin=origin))
        progress.advance(len(rows))
        return counts

    def confirm(self, warnings: Sequence[Issue], ctx: Context, *, reason: str, actor: Actor, origin: str) -> None:
        done = set()
        for w in warnings:
            assert w.producer is not None and w.period is not None and w.rule is not None
            key = (w.producer, w.period, w.rule)
            if key in done:
                continue
            done.add(key)
            do_confirm_warning(
                ctx.producers.get(w.producer) or w.producer,
                w.period,
                w.rule,
                reason=reason,
                actor=actor,
                origin=origin,
            )

    def export(self, *, product: str | None, period: date | None) -> tuple[list[str], list[list[Any]]]:
        return return_rows(self.columns(), product, period)


def _breakdown_heading(typed: TypedRows, dim: str, value: str) -> str:
    for b in typed.header.bindings:
        if b.breakdown == (dim, value):
            return b.header
    return f"{dim}={value}"


def _answer(row: Row, present: set[str], dims_in_file: set[str], before: Any | None) -> dict[str, Any]:
    """The values to record: the file's columns, the return in force for the others."""
    answer: dict[str, Any] = {}
    for name in RETURN_QUANTITIES:
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
    # Actual parts in dimension=value columns, planned ones in schedule:dimension=value.
    for name, prefix in BREAKDOWN_PREFIXES.items():
        breakdown: dict[str, dict[str, float]] = {}
        if before is not None:
            breakdown = {d: dict(v) for d, v in (getattr(before, name) or {}).items() if prefix + d not in dims_in_file}
        for column_dim, parts in row.parts.items():
            dim = column_dim.removeprefix(PLANNED_PREFIX)
            if (column_dim != dim) == bool(prefix):
                breakdown[dim] = {v: float(q) for v, q in parts.items()}
        answer[name] = breakdown
    return answer


# ---------------------------------------------------------------------------------------------
# The engine's rules over the imported rows


def engine_findings(answers: Sequence[tuple[str, Any, dict[str, Any]]], ctx: Context) -> pl.DataFrame:
    """The validation findings on the imported returns that still need action: errors, and
    warnings not confirmed yet. ``answers`` are (producer code, period, values) as they would
    be recorded; they replace the stored returns of the same producer and month."""
    codes = sorted({a[0] for a in answers})
    product_codes = sorted({ctx.producers[c].product for c in codes})
    stored = load_survey_inputs(product_codes, until=max(a[1] for a in answers))
    imported = pl.DataFrame(
        [
            {
                "producer_id": code,
                "period": period,
                **{q: values[q] for q in RETURN_QUANTITIES},
                "status": values["status"],
                "reason": values["reason"] or None,
            }
            for code, period, values in answers
        ],
        schema=RETURNS,
    )
    parts = {
        name: pl.DataFrame(
            [
                {"producer_id": code, "period": period, "dimension": dim, "value": value, "quantity": quantity}
                for code, period, values in answers
                for dim, quantities in values[name].items()
                for value, quantity in quantities.items()
            ],
            schema=schema,
        )
        for name, schema in (("breakdown", RETURN_PARTS), ("schedule_breakdown", SCHEDULE_PARTS))
    }
    keys = imported.select("producer_id", "period")

    def replaced(frame: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
        return pl.concat([frame.join(keys, on=["producer_id", "period"], how="anti"), new])

    inputs = replace(
        stored,
        returns=replaced(stored.returns, imported),
        return_parts=replaced(stored.return_parts, parts["breakdown"]),
        schedule_parts=replaced(stored.schedule_parts, parts["schedule_breakdown"]),
    )
    products = [ctx.catalog.get(p) for p in product_codes]
    findings = check_returns(None, inputs, products)
    return findings.join(keys, on=["producer_id", "period"], how="semi").filter(
        (pl.col("severity") == "error") | ~pl.col("confirmed")
    )
