"""The columns of each importable kind, and how a cell becomes a typed value.

Header matching ignores case, spaces, hyphens and underscores, and a trailing unit in
parentheses ("Output (mt)" is ``output``); each column also answers to a Chinese header.
Returns carry one extra column per breakdown value the product reports, named
``dimension=value`` (e.g. ``series=300-series``), the same key shape as published figures.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Literal

from metalstat.catalog import Product, load_catalog
from metalstat.catalog.vocabulary import (
    CAPACITY_EVENTS,
    ENTERPRISE_NATURES,
    EVENT_REASONS,
    RETURN_SOURCES,
    RETURN_STATUSES,
)

CellType = Literal["text", "number", "date", "period", "bool", "choice"]

KINDS = ("producers", "capacity", "panel", "returns", "events", "auxiliary")


@dataclass(frozen=True)
class Column:
    name: str
    type: CellType
    help: str
    required: bool = False  # the header must be present
    mandatory: bool = False  # every row must give a value
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # other accepted headers, e.g. Chinese
    negative_ok: bool = False
    reference: bool = False  # written in templates for the analyst's eyes; ignored on import
    default: object = None  # the value of an empty cell


@dataclass(frozen=True)
class KindSchema:
    kind: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # a second row with the same key in one file is a duplicate
    breakdowns: bool = False  # returns: "dimension=value" columns

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def input_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.reference)


_PRODUCER = Column(
    "producer", "text", "producer code, as registered", required=True, mandatory=True,
    aliases=("producer_code", "企业代码", "生产商代码", "企业编码"),
)  # fmt: skip

SCHEMAS: dict[str, KindSchema] = {
    "producers": KindSchema(
        "producers",
        "The register of producers: one row per plant and product. A known code is updated, a "
        "new code is added.",
        (
            Column("code", "text", "stable producer code", required=True, mandatory=True,
                   aliases=("producer", "企业代码", "代码")),
            Column("name", "text", "name in English", required=True, mandatory=True,
                   aliases=("企业名称", "名称")),
            Column("name_zh", "text", "name in Chinese", aliases=("中文名称", "中文名")),
            Column("product", "text", "catalog product code (metalstat catalog)",
                   required=True, mandatory=True, aliases=("产品", "品种")),
            Column("province", "text", "province", aliases=("省份",)),
            Column("region", "text", "region, one of the product's regions", aliases=("地区", "区域")),
            Column("nature", "choice", "enterprise nature", choices=ENTERPRISE_NATURES,
                   aliases=("企业性质",)),
            Column("feedstock", "text", "feedstock route, a value of the product's feedstock "
                   "dimension", aliases=("原料路线", "原料")),
            Column("country", "text", "country (China when empty)", aliases=("国家",),
                   default="China"),
        ),
        key=("code",),
    ),
    "capacity": KindSchema(
        "capacity",
        "Nameplate capacity records: capacity in force from a date. Commissioning, expansion, "
        "replacement, reduction and closure (capacity 0) are new records.",
        (
            _PRODUCER,
            Column("valid_from", "date", "first day the capacity is in force (YYYY-MM-DD)",
                   required=True, mandatory=True, aliases=("生效日期", "起始日期")),
            Column("capacity", "number", "nameplate capacity, product unit per year",
                   required=True, mandatory=True, aliases=("产能", "年产能")),
            Column("event", "choice", "what changed (empty: first registration)",
                   choices=CAPACITY_EVENTS, aliases=("事件", "变动")),
            Column("note", "text", "free text", aliases=("备注",)),
        ),
        key=("producer", "valid_from"),
    ),
    "panel": KindSchema(
        "panel",
        "Survey panel membership: the producer is surveyed from first_period to last_period "
        "(empty: still surveyed).",
        (
            _PRODUCER,
            Column("first_period", "period", "first month surveyed (YYYY-MM)", required=True,
                   mandatory=True, aliases=("起始月份", "开始月份")),
            Column("last_period", "period", "last month surveyed (YYYY-MM), empty if ongoing",
                   aliases=("结束月份",)),
        ),
        key=("producer", "first_period"),
    ),
    "returns": KindSchema(
        "returns",
        "Monthly survey returns: one row per producer and month. A changed value makes a new "
        "revision of the return; an unchanged row changes nothing. Breakdown quantities go in "
        "columns named dimension=value (see the product's dimensions in metalstat catalog).",
        (
            _PRODUCER,
            Column("product", "text", "catalog product code (checked against the producer's)",
                   aliases=("产品", "品种")),
            Column("period", "period", "month of the output (YYYY-MM)", required=True,
                   mandatory=True, aliases=("月份", "统计月份")),
            Column("output", "number", "actual output in the month, product unit (physical)",
                   required=True, aliases=("产量", "实际产量")),
            Column("output_metal", "number", "actual output, metal content",
                   aliases=("金属量", "产量金属量")),
            Column("schedule", "number", "output scheduled for the next month (physical)",
                   aliases=("排产", "下月排产", "计划产量")),
            Column("schedule_metal", "number", "next month's schedule, metal content",
                   aliases=("排产金属量",)),
            Column("operating_capacity", "number", "capacity running at month end, unit/year",
                   aliases=("运行产能",)),
            Column("schedule_operating_capacity", "number",
                   "capacity planned to run at next month end, unit/year",
                   aliases=("计划运行产能",)),
            Column("status", "choice", "normal when empty", choices=RETURN_STATUSES,
                   aliases=("状态", "生产状态"), default="normal"),
            Column("reason", "text", "why output changed, free text", aliases=("原因", "说明")),
            Column("source", "choice", "how the return was collected (spreadsheet when empty)",
                   choices=RETURN_SOURCES, aliases=("来源",), default="spreadsheet"),
            # Reference columns of the template, for the analyst; not imported.
            Column("producer_name", "text", "(template reference) producer name",
                   reference=True, aliases=("企业名称",)),
            Column("province", "text", "(template reference) province", reference=True,
                   aliases=("省份",)),
            Column("capacity_in_force", "text", "(template reference) capacity in force, "
                   "unit/year", reference=True, aliases=("产能",)),
            Column("last_month_output", "text", "(template reference) last month's output",
                   reference=True, aliases=("上月产量",)),
            Column("scheduled_for_month", "text", "(template reference) what the producer "
                   "scheduled for this month last month", reference=True,
                   aliases=("上月排产",)),
        ),
        key=("producer", "period"),
        breakdowns=True,
    ),
    "events": KindSchema(
        "events",
        "Maintenance events: planned or unplanned stops and cuts with dates, capacity "
        "affected and a reason.",
        (
            _PRODUCER,
            Column("start", "date", "first day (YYYY-MM-DD)", required=True, mandatory=True,
                   aliases=("开始日期",)),
            Column("end", "date", "last day (YYYY-MM-DD), empty if open-ended",
                   aliases=("结束日期",)),
            Column("capacity_affected", "number", "capacity stopped, unit/year",
                   aliases=("影响产能",)),
            Column("reason", "choice", "reason category", required=True, mandatory=True,
                   choices=EVENT_REASONS, aliases=("原因",)),
            Column("planned", "bool", "planned in advance (yes/no; yes when empty)",
                   aliases=("计划内",)),
            Column("description", "text", "free text", aliases=("说明", "描述")),
        ),
        key=("producer", "start", "reason"),
    ),
    "auxiliary": KindSchema(
        "auxiliary",
        "Market series the report quotes (prices, inventories, treatment charges): one row per "
        "series and date. A new series code needs name and unit.",
        (
            Column("series", "text", "series code", required=True, mandatory=True,
                   aliases=("序列", "序列代码")),
            Column("date", "date", "observation date (YYYY-MM-DD)", required=True,
                   mandatory=True, aliases=("日期",)),
            Column("value", "number", "observed value (may be negative)", required=True,
                   mandatory=True, negative_ok=True, aliases=("数值", "值")),
            Column("note", "text", "free text", aliases=("备注",)),
            Column("name", "text", "series name (for a new series)", aliases=("名称",)),
            Column("name_zh", "text", "series name in Chinese", aliases=("中文名称",)),
            Column("unit", "text", "unit, e.g. yuan/mt (for a new series)", aliases=("单位",)),
            Column("product", "text", "catalog product the series belongs to, if any",
                   aliases=("产品",)),
            Column("highlighted", "bool", "quoted in the report's summary (yes/no)",
                   aliases=("重点",)),
        ),
        key=("series", "date"),
    ),
}  # fmt: skip


def normalize_header(text: str) -> str:
    """Case, spaces, hyphens and underscores do not matter in column names."""
    if "=" in text:
        dim, _, value = text.partition("=")
        return f"{normalize_header(dim)}={normalize_header(value)}"
    return re.sub(r"[\s_\-]+", "_", text.strip().casefold()).strip("_")


_UNIT_SUFFIX = re.compile(r"\s*[(（]([^()（）]*)[)）]\s*$")
_PER_YEAR = re.compile(r"\s*(/\s*(year|yr|a|y|年)|per\s+year|每年|/年)$")


def unit_matches(stated: str, unit: str, unit_zh: str = "") -> bool:
    """Whether a unit written in a header ("mt", "吨", "mt/year") is the product's unit."""
    text = _PER_YEAR.sub("", stated.strip().casefold()).strip()
    return text in {unit.casefold(), unit_zh.casefold()} - {""}


@dataclass(frozen=True)
class Binding:
    """What one header cell of a file was recognised as."""

    index: int
    header: str
    letter: str
    column: Column | None = None
    breakdown: tuple[str, str] | None = None  # (dimension, value) of a returns breakdown column
    unit: str | None = None  # a unit written in the header, "Output (mt)" -> "mt"


@dataclass
class HeaderMap:
    bindings: list[Binding] = field(default_factory=list)
    missing: list[Column] = field(default_factory=list)
    unknown: list[Binding] = field(default_factory=list)
    repeated: list[tuple[Binding, Binding]] = field(default_factory=list)


def breakdown_columns(products: Sequence[Product]) -> dict[str, tuple[str, str]]:
    """Normalised header -> (dimension, value) for every return breakdown of the products."""
    out: dict[str, tuple[str, str]] = {}
    for p in products:
        for d in p.dimensions:
            if d.source != "return":
                continue
            for v in d.values:
                for dim_label in (d.name, d.label, d.label_zh):
                    for val_label in (v.name, v.name_zh):
                        out[normalize_header(f"{dim_label}={val_label}")] = (d.name, v.name)
    return out


def breakdown_header(dimension: str, value: str) -> str:
    return f"{dimension}={value}"


def _lookup(schema: KindSchema) -> dict[str, Column]:
    names: dict[str, Column] = {}
    for c in schema.columns:
        names[normalize_header(c.name)] = c
    for c in schema.columns:
        for a in c.aliases:
            names.setdefault(normalize_header(a), c)
    return names


def match_header(schema: KindSchema, header: Sequence[str]) -> HeaderMap:
    from metalstat.spreadsheets.errors import column_letter

    names = _lookup(schema)
    parts = breakdown_columns(tuple(load_catalog())) if schema.breakdowns else {}
    result = HeaderMap()
    seen: dict[object, Binding] = {}
    for i, text in enumerate(header):
        if not text:
            continue
        letter = column_letter(i)
        key = normalize_header(text)
        stripped = normalize_header(_UNIT_SUFFIX.sub("", text))
        unit_match = _UNIT_SUFFIX.search(text)
        column = names.get(key)
        part = None if column else parts.get(key)
        unit = None
        if column is None and part is None:
            column = names.get(stripped)
            part = None if column else parts.get(stripped)
            unit = unit_match.group(1).strip() if unit_match else None
        binding = Binding(i, text, letter, column, part, unit)
        if column is None and part is None:
            result.unknown.append(binding)
            continue
        target: object = column.name if column else part
        if target in seen:
            result.repeated.append((seen[target], binding))
            continue
        seen[target] = binding
        result.bindings.append(binding)
    result.missing = [c for c in schema.columns if c.required and c.name not in seen]
    return result


# ---------------------------------------------------------------------------------------------
# Cells


class CellError(ValueError):
    """A cell's value cannot be read as its column's type; the message says why."""

    def __init__(self, reason: str, code: str) -> None:
        super().__init__(reason)
        self.code = code


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_PERIOD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_TRUE = {"yes", "y", "true", "t", "1", "是", "x"}
_FALSE = {"no", "n", "false", "f", "0", "否"}


def is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_number(value: object) -> Decimal:
    if isinstance(value, bool):
        raise CellError("not a number (a true/false cell)", "not_a_number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise CellError("not a finite number", "not_a_number")
        # repr gives the shortest text that reads back as the same float.
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (date, datetime)):
        raise CellError("a date where a number is expected", "not_a_number")
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError("not a number", "not_a_number") from None
    if not number.is_finite():
        raise CellError("not a finite number", "not_a_number")
    return number


def parse_date(value: object) -> date:
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise CellError("a date and time; give the date only (YYYY-MM-DD)", "bad_date")
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    m = _DATE.match(text)
    if not m:
        raise CellError("not a date; write YYYY-MM-DD, e.g. 2025-06-30", "bad_date")
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise CellError("not a calendar date", "bad_date") from None


def parse_period(value: object) -> date:
    """A month, returned as its first day. Excel turns a typed 2025-06 into 1 June 2025."""
    if isinstance(value, (date, datetime)):
        d = value.date() if isinstance(value, datetime) else value
        if d.day != 1:
            raise CellError("a day, not a month; write YYYY-MM, e.g. 2025-06", "bad_period")
        return d
    text = str(value).strip()
    m = _PERIOD.match(text)
    if not m:
        raise CellError("not a month; write YYYY-MM, e.g. 2025-06", "bad_period")
    year, month = int(m[1]), int(m[2])
    if not 1 <= month <= 12:
        raise CellError(f"month {month} does not exist; write YYYY-MM, e.g. 2025-06", "bad_period")
    if not 1990 <= year <= 2100:
        raise CellError(f"year {year} is out of range", "bad_period")
    return date(year, month, 1)


def parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError("not yes or no", "not_yes_no")


def _choice_key(text: str) -> str:
    return re.sub(r"[\s_\-]+", "_", text.strip().casefold())


def parse_choice(value: object, choices: Sequence[str]) -> str:
    key = _choice_key(str(value))
    for c in choices:
        if _choice_key(c) == key:
            return c
    raise CellError(f"not one of: {', '.join(choices)}", "not_a_choice")


def parse_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        # Excel stores a typed code such as 1001 as a number.
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    return str(value).strip()


def parse_cell(column: Column, value: object) -> object:
    """The typed value of a non-empty cell, or CellError."""
    if column.type == "number":
        number = parse_number(value)
        if number < 0 and not column.negative_ok:
            raise CellError("negative; quantities cannot be below zero", "negative")
        return number
    if column.type == "date":
        return parse_date(value)
    if column.type == "period":
        return parse_period(value)
    if column.type == "bool":
        return parse_bool(value)
    if column.type == "choice":
        return parse_choice(value, column.choices)
    return parse_text(value)


def columns_help(kind: str) -> str:
    """The documentation of a kind's columns, as printed by ``metalstat import --columns``."""
    schema = SCHEMAS[kind]
    lines = [f"{kind}: {schema.description}", ""]
    width = max(len(c.name) for c in schema.columns)
    for c in schema.columns:
        flags = []
        if c.reference:
            flags.append("reference, ignored on import")
        elif c.required and c.mandatory:
            flags.append("required")
        elif c.required:
            flags.append("column required, value may be empty")
        if c.choices:
            flags.append("one of: " + ", ".join(c.choices))
        text = f"  {c.name.ljust(width)}  {c.type:<6}  {c.help}"
        if flags:
            text += f" [{'; '.join(flags)}]"
        if c.aliases:
            text += f" (also: {', '.join(c.aliases)})"
        lines.append(text)
    if schema.breakdowns:
        lines += [
            "",
            "  Breakdown quantities: one column per value, named dimension=value, for the",
            "  product's return dimensions:",
        ]
        for p in load_catalog():
            dims = [d for d in p.dimensions if d.source == "return"]
            for d in dims:
                values = ", ".join(f"{d.name}={v}" for v in d.value_names())
                lines.append(f"    {p.code}: {values}")
    lines += ["", f"  Duplicate rows: two rows with the same {' + '.join(schema.key)}."]
    return "\n".join(lines)
