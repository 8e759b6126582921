"""The survey's importable kinds beside returns: maintenance events and market series.

Each kind declares its columns, checks its rows against what is stored, and writes them
through ``survey.actions``. Returns, the survey's main kind, are in ``returns_import``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from typing_extensions import override

from metalstat.catalog.vocabulary import EVENT_REASONS
from metalstat.core.changelog import Actor
from metalstat.core.tabular.columns import Column, KindSchema
from metalstat.core.tabular.rows import Row, TypedRows
from metalstat.core.tabular.runner import Context, Handler, ProgressSink, check_near_duplicates, check_units
from metalstat.engine.auxiliary import kind_problems
from metalstat.registry.imports import PRODUCER, ProducerRowsHandler, product_of, text
from metalstat.registry.queries import capacity_histories
from metalstat.survey.actions import (
    do_record_auxiliary_observation,
    do_record_event,
    do_upsert_auxiliary_series,
)
from metalstat.survey.queries import all_series_codes, auxiliary_rows, event_rows, known_series_units

EVENTS = KindSchema(
    "events",
    "Maintenance events: planned or unplanned stops and cuts with dates, capacity affected and a reason.",
    (
        PRODUCER,
        Column(
            "start",
            "date",
            "first day (YYYY-MM-DD)",
            required=True,
            mandatory=True,
            aliases=("开始日期",),
            not_after_next_month=True,
        ),
        Column("end", "date", "last day (YYYY-MM-DD), empty if open-ended", aliases=("结束日期",)),
        Column("capacity_affected", "number", "capacity stopped, unit/year", aliases=("影响产能",)),
        Column(
            "reason",
            "choice",
            "reason category",
            required=True,
            mandatory=True,
            choices=EVENT_REASONS,
            aliases=("原因",),
        ),
        Column("planned", "bool", "planned in advance (yes/no; yes when empty)", aliases=("计划内",)),
        Column("description", "text", "free text", aliases=("说明", "描述")),
    ),
    key=("producer", "start", "reason"),
)

AUXILIARY = KindSchema(
    "auxiliary",
    "Market series the report quotes (prices, inventories, treatment charges): one row per "
    "series and date. A new series code needs name, unit and kind.",
    (
        Column(
            "series",
            "text",
            "series code",
            required=True,
            mandatory=True,
            aliases=("序列", "序列代码"),
            code=True,
        ),
        Column("date", "date", "observation date (YYYY-MM-DD)", required=True, mandatory=True, aliases=("日期",)),
        Column(
            "value",
            "number",
            "observed value (may be negative)",
            required=True,
            mandatory=True,
            negative_ok=True,
            aliases=("数值", "值"),
        ),
        Column("note", "text", "free text", aliases=("备注",)),
        Column("name", "text", "series name (for a new series)", aliases=("名称",)),
        Column("name_zh", "text", "series name in Chinese", aliases=("中文名称",)),
        Column("unit", "text", "unit, e.g. yuan/mt (for a new series)", aliases=("单位",)),
        Column(
            "kind",
            "text",
            "what the series is (for a new series): price, range, flow, stock, ratio or fact",
            aliases=("类型",),
        ),
        Column("product", "text", "catalog product the series belongs to, if any", aliases=("产品",)),
        Column("highlighted", "bool", "quoted in the report's summary (yes/no)", aliases=("重点",)),
    ),
    key=("series", "date"),
)


class EventsHandler(ProducerRowsHandler):
    schema = EVENTS

    def export(self, *, product: str | None, period: date | None) -> tuple[list[str], list[list[Any]]]:
        return self.columns(), event_rows(product, period)

    def check(self, typed: TypedRows, ctx: Context) -> None:
        rows = typed.good_rows()
        self.load_producers(rows, ctx)
        check_units(typed, rows, lambda r: product_of(ctx, r))
        histories = capacity_histories(p.pk for p in ctx.producers.values())
        for row in rows:
            producer = self.known_producer(typed, row, ctx)
            if producer is not None:
                self._check_capacity_affected(typed, row, producer, histories.get(producer.pk, []), ctx)
            start, end = row.get("start"), row.get("end")
            if isinstance(start, date) and isinstance(end, date) and end < start:
                typed.add(
                    typed.issue(
                        row.number,
                        "end",
                        "ends_before_start",
                        f"the event ends ({end}) before it starts ({start})",
                        value=row.raw.get("end"),
                    )
                )

    @staticmethod
    def _check_capacity_affected(
        typed: TypedRows, row: Row, producer: Any, history: Sequence[tuple[date, float]], ctx: Context
    ) -> None:
        """The capacity an event stops is at most the producer's capacity in force at its start."""
        affected, start = row.get("capacity_affected"), row.get("start")
        if affected is None or not isinstance(start, date):
            return
        amount = float(affected)  # type: ignore[arg-type]
        in_force = [capacity for valid_from, capacity in history if valid_from <= start]
        product = ctx.product(producer.product)
        if in_force and amount > in_force[-1]:
            reason = (
                f"capacity affected {amount:,.0f} is above {producer.code}'s capacity in force on "
                f"{start.isoformat()} ({in_force[-1]:,.0f}/year)"
            )
        elif product is not None and amount > product.capacity_bound():
            reason = (
                f"capacity affected {amount:,.0f} is above the largest plausible capacity of a "
                f"{product.code} producer ({product.capacity_bound():,.0f}/year)"
            )
        else:
            return
        typed.add(
            typed.issue(
                row.number, "capacity_affected", "above_capacity", reason, value=row.raw.get("capacity_affected")
            )
        )

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
        def write(row: Row) -> str:
            planned = row.get("planned")
            return do_record_event(
                ctx.producers[str(row.get("producer"))],
                row.get("start"),  # type: ignore[arg-type]
                reason=str(row.get("reason")),
                end=row.get("end"),  # type: ignore[arg-type]
                capacity_affected=_float(row.get("capacity_affected")),
                planned=True if planned is None else bool(planned),
                description=text(row.get("description")),
                actor=actor,
                origin=origin,
            )[1]

        return self.each(typed, rows, progress, write)


class AuxiliaryHandler(Handler):
    schema = AUXILIARY

    def export(self, *, product: str | None, period: date | None) -> tuple[list[str], list[list[Any]]]:
        return self.columns(), auxiliary_rows(product, period)

    SERIES_FIELDS = ("name", "name_zh", "unit", "kind", "product", "highlighted")

    def check(self, typed: TypedRows, ctx: Context) -> None:
        rows = typed.good_rows()
        known_units = known_series_units(str(r.get("series")) for r in rows)
        known = set(known_units)
        check_near_duplicates(typed, rows, "series", all_series_codes(), "stored series")
        rows = [r for r in rows if r.number not in typed.bad_rows]
        defined: set[str] = set()
        for row in rows:
            code = str(row.get("series"))
            product = row.get("product")
            if product and ctx.product(str(product)) is None:
                typed.add(
                    typed.issue(
                        row.number,
                        "product",
                        "unknown_product",
                        f"{product!r} is not a product code of the catalog (metalstat catalog)",
                        value=product,
                    )
                )
            if code in known or code in defined:
                continue
            kind = row.get("kind")
            if kind:
                problems = kind_problems(str(kind), code, str(row.get("unit") or known_units.get(code, "")))
                if problems:
                    typed.add(typed.issue(row.number, "kind", "bad_kind", "; ".join(problems), value=kind))
                    continue
            if code in known or code in defined:
                continue
            missing = [f for f in ("name", "unit", "kind") if not row.get(f)]
            if missing:
                typed.add(
                    typed.issue(
                        row.number,
                        "series",
                        "unknown_series",
                        f"no auxiliary series {code!r} yet; give its {' and '.join(missing)} to create it",
                        value=code,
                    )
                )
            else:
                defined.add(code)

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
                series_done[code] = do_upsert_auxiliary_series(code, actor=actor, origin=origin, **fields)[1]
            value = row.get("value")
            assert isinstance(value, Decimal)
            return do_record_auxiliary_observation(
                code,
                row.get("date"),  # type: ignore[arg-type]
                float(value),
                note=text(row.get("note")),
                actor=actor,
                origin=origin,
            )[1]

        return self.each(typed, rows, progress, write)


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]
