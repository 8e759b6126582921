"""The register's importable kinds: producers, capacity records, panel memberships.

Each kind declares its columns (the file's contract, also used by exports and templates),
checks its rows against the register, and writes them through ``registry.actions``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from typing_extensions import override

from metalstat.catalog import Product
from metalstat.catalog.vocabulary import CAPACITY_EVENTS, ENTERPRISE_NATURES
from metalstat.core.changelog import Actor
from metalstat.core.tabular.columns import CellError, Column, KindSchema, parse_choice
from metalstat.core.tabular.rows import Row, TypedRows
from metalstat.core.tabular.runner import (
    Context,
    Handler,
    ProgressSink,
    check_near_duplicates,
    check_units,
    near_duplicate,
)
from metalstat.core.validators import code_key
from metalstat.registry.actions import (
    do_add_capacity_record,
    do_set_panel_membership,
    do_upsert_producer,
)
from metalstat.registry.queries import (
    all_producer_codes,
    capacity_rows,
    panel_rows,
    panel_spans,
    producer_rows,
    producers_by_code,
)

PRODUCER = Column(
    "producer",
    "text",
    "producer code, as registered",
    required=True,
    mandatory=True,
    aliases=("producer_code", "企业代码", "生产商代码", "企业编码"),
    code=True,
)


PRODUCERS = KindSchema(
    "producers",
    "The register of producers: one row per plant and product. A known code is updated, a new code is added.",
    (
        Column(
            "code",
            "text",
            "stable producer code",
            required=True,
            mandatory=True,
            aliases=("producer", "企业代码", "代码"),
            code=True,
        ),
        Column("name", "text", "name in English", required=True, mandatory=True, aliases=("企业名称", "名称")),
        Column("name_zh", "text", "name in Chinese", aliases=("中文名称", "中文名")),
        Column(
            "product",
            "text",
            "catalog product code (metalstat catalog)",
            required=True,
            mandatory=True,
            aliases=("产品", "品种"),
        ),
        Column("province", "text", "province", aliases=("省份",)),
        Column("region", "text", "region, one of the product's regions", aliases=("地区", "区域")),
        Column("nature", "choice", "enterprise nature", choices=ENTERPRISE_NATURES, aliases=("企业性质",)),
        Column(
            "feedstock",
            "text",
            "feedstock route, a value of the product's feedstock dimension",
            aliases=("原料路线", "原料"),
        ),
        Column("country", "text", "country (China when empty)", aliases=("国家",), default="China"),
    ),
    key=("code",),
)

CAPACITY = KindSchema(
    "capacity",
    "Nameplate capacity records: capacity in force from a date. Commissioning, expansion, "
    "replacement, reduction and closure (capacity 0) are new records.",
    (
        PRODUCER,
        Column(
            "valid_from",
            "date",
            "first day the capacity is in force (YYYY-MM-DD)",
            required=True,
            mandatory=True,
            aliases=("生效日期", "起始日期"),
        ),
        Column(
            "capacity",
            "number",
            "nameplate capacity, product unit per year",
            required=True,
            mandatory=True,
            aliases=("产能", "年产能"),
        ),
        Column(
            "event",
            "choice",
            "what changed (empty: first registration)",
            choices=CAPACITY_EVENTS,
            aliases=("事件", "变动"),
        ),
        Column("note", "text", "free text", aliases=("备注",)),
    ),
    key=("producer", "valid_from"),
)

PANEL = KindSchema(
    "panel",
    "Survey panel membership: the producer is surveyed from first_period to last_period (empty: still surveyed).",
    (
        PRODUCER,
        Column(
            "first_period",
            "period",
            "first month surveyed (YYYY-MM)",
            required=True,
            mandatory=True,
            aliases=("起始月份", "开始月份"),
            not_after_next_month=True,
        ),
        Column("last_period", "period", "last month surveyed (YYYY-MM), empty if ongoing", aliases=("结束月份",)),
    ),
    key=("producer", "first_period"),
)


def text(value: object) -> str:
    return "" if value is None else str(value)


def product_of(ctx: Context, row: Row) -> Product | None:
    """The catalog product of the row's producer (None: unknown producer)."""
    producer = ctx.producers.get(str(row.get("producer")))
    return None if producer is None else ctx.product(producer.product)


class ProducerRowsHandler(Handler):
    """A kind whose rows name a registered producer in the ``producer`` column."""

    def load_producers(self, rows: Sequence[Row], ctx: Context) -> None:
        ctx.producers = producers_by_code(str(r.get("producer")) for r in rows)

    _codes: dict[str, str] | None = None

    def near_code(self, code: str) -> str | None:
        """The registered code ``code`` differs from only in letter case, if any."""
        if self._codes is None:
            self._codes = {code_key(c): c for c in sorted(all_producer_codes())}
        return near_duplicate(code, self._codes)

    def known_producer(self, typed: TypedRows, row: Row, ctx: Context) -> Any:
        code = row.get("producer")
        producer = ctx.producers.get(str(code))
        other = None if producer is not None else self.near_code(str(code))
        if other is not None:
            typed.add(
                typed.issue(
                    row.number,
                    "producer",
                    "near_duplicate",
                    f"no producer {code!r}; the register has {other!r}, which differs only in letter case: "
                    f"write {other!r}",
                    value=code,
                )
            )
        elif producer is None:
            typed.add(
                typed.issue(
                    row.number,
                    "producer",
                    "unknown_producer",
                    f"no producer with code {code!r} in the register; import it first (metalstat import producers)",
                    value=code,
                )
            )
        return producer


class ProducersHandler(Handler):
    schema = PRODUCERS
    by_period = False

    @override
    def export(self, *, product: str | None, period: date | None) -> tuple[list[str], list[list[Any]]]:
        columns = self.columns()
        return columns, producer_rows(columns, product)

    FIELDS = ("name", "name_zh", "product", "province", "region", "nature", "feedstock", "country")

    def check(self, typed: TypedRows, ctx: Context) -> None:
        rows = typed.good_rows()
        ctx.producers = producers_by_code(str(r.get("code")) for r in rows)
        check_near_duplicates(typed, rows, "code", all_producer_codes(), "registered producer")
        for row in rows:
            code = row.get("product")
            product = ctx.product(str(code))
            if product is None:
                typed.add(
                    typed.issue(
                        row.number,
                        "product",
                        "unknown_product",
                        f"{code!r} is not a product code of the catalog (metalstat catalog)",
                        value=code,
                    )
                )
                continue
            existing = ctx.producers.get(str(row.get("code")))
            if existing is not None and existing.product != product.code:
                typed.add(
                    typed.issue(
                        row.number,
                        "product",
                        "product_change",
                        f"producer {existing.code!r} makes {existing.product}; a plant making "
                        "another product is a separate producer with its own code",
                        value=code,
                    )
                )
            self._canonical(typed, row, "region", product.regions)
            self._canonical(typed, row, "province", product.provinces)
            if row.get("feedstock"):
                routes = next((d for d in product.dimensions if d.name == "feedstock"), None)
                if routes is None:
                    typed.add(
                        typed.issue(
                            row.number,
                            "feedstock",
                            "not_a_choice",
                            f"{product.code} has no feedstock routes; leave it empty",
                            value=row.get("feedstock"),
                        )
                    )
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
            typed.add(typed.issue(row.number, name, "not_a_choice", f"{exc} ({row.get('product')})", value=value))

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

        def write(row: Row) -> str:
            fields = {f: text(row.get(f)) for f in self.FIELDS if f in present}
            if "country" in fields and not fields["country"]:
                fields["country"] = "China"
            return do_upsert_producer(str(row.get("code")), actor=actor, origin=origin, **fields)[1]

        return self.each(typed, rows, progress, write)


class CapacityHandler(ProducerRowsHandler):
    schema = CAPACITY
    by_period = False

    @override
    def export(self, *, product: str | None, period: date | None) -> tuple[list[str], list[list[Any]]]:
        return self.columns(), capacity_rows(product)

    def check(self, typed: TypedRows, ctx: Context) -> None:
        # A capacity record is never rewritten: do_add_capacity_record refuses it, and the
        # refusal comes back placed at the row (code capacity_rewrite).
        rows = typed.good_rows()
        self.load_producers(rows, ctx)
        check_units(typed, rows, lambda r: product_of(ctx, r))
        for row in rows:
            producer = self.known_producer(typed, row, ctx)
            product = None if producer is None else ctx.product(producer.product)
            capacity = row.get("capacity")
            if product is not None and capacity is not None and float(capacity) > product.capacity_bound():  # type: ignore[arg-type]
                typed.add(
                    typed.issue(
                        row.number,
                        "capacity",
                        "implausible_capacity",
                        f"capacity {float(capacity):,.0f} {product.unit}/year is above the largest plausible "  # type: ignore[arg-type]
                        f"for {product.code} ({product.capacity_bound():,.0f}, the catalog's max_capacity): "
                        "check for extra zeros or another unit",
                        value=row.raw.get("capacity"),
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
            return do_add_capacity_record(
                ctx.producers[str(row.get("producer"))],
                row.get("valid_from"),  # type: ignore[arg-type]
                float(row.get("capacity")),  # type: ignore[arg-type]
                event=text(row.get("event")),
                note=text(row.get("note")),
                actor=actor,
                origin=origin,
            )[1]

        return self.each(typed, rows, progress, write)


class PanelHandler(ProducerRowsHandler):
    schema = PANEL

    @override
    def export(self, *, product: str | None, period: date | None) -> tuple[list[str], list[list[Any]]]:
        return self.columns(), panel_rows(product, period)

    def check(self, typed: TypedRows, ctx: Context) -> None:
        rows = typed.good_rows()
        self.load_producers(rows, ctx)
        spans: dict[int, list[tuple[date, date | None, str]]] = {
            producer_id: [(first, last, f"its stored membership {label}") for first, last, label in memberships]
            for producer_id, memberships in panel_spans([p.pk for p in ctx.producers.values()]).items()
        }
        for row in rows:
            producer = self.known_producer(typed, row, ctx)
            if producer is None:
                continue
            first, last = row.get("first_period"), row.get("last_period")
            assert isinstance(first, date)
            assert last is None or isinstance(last, date)
            if last is not None and last < first:
                typed.add(
                    typed.issue(
                        row.number,
                        "last_period",
                        "ends_before_start",
                        f"the membership ends ({last:%Y-%m}) before it starts ({first:%Y-%m})",
                        value=row.raw.get("last_period"),
                    )
                )
                continue
            mine = spans.setdefault(producer.pk, [])
            for other_first, other_last, label in mine:
                if other_first == first and label.startswith("its stored"):
                    continue  # the same membership: its end may change
                if first <= (other_last or date.max) and other_first <= (last or date.max):
                    typed.add(
                        typed.issue(
                            row.number,
                            "first_period",
                            "panel_overlap",
                            f"{producer.code}: this membership overlaps {label}",
                            value=row.raw.get("first_period"),
                        )
                    )
                    break
            mine.append((first, last, f"row {row.number}"))

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
            return do_set_panel_membership(
                ctx.producers[str(row.get("producer"))],
                row.get("first_period"),  # type: ignore[arg-type]
                row.get("last_period"),  # type: ignore[arg-type]
                actor=actor,
                origin=origin,
            )[1]

        return self.each(typed, rows, progress, write)
