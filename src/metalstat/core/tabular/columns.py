"""Columns of a tabular kind, how a header is matched to them, how a cell becomes a value.

Header matching ignores case, spaces, hyphens and underscores, and a trailing unit in
parentheses ("Output (mt)" is ``output``); each column also answers to a Chinese header.
A kind may carry one extra column per breakdown value a product reports, named
``dimension=value`` (e.g. ``series=300-series``), the same key shape as published figures.
The kinds themselves are declared by the apps that own them.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Literal

from metalstat.catalog import Product, load_catalog
from metalstat.catalog.vocabulary import PLANNED_PREFIX, PLANNED_PREFIX_ZH
from metalstat.core.tabular import limits
from metalstat.core.tabular.errors import column_letter
from metalstat.core.validators import code_problem

CellType = Literal["text", "number", "date", "period", "bool", "choice"]


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
    code: bool = False  # a code (producer, series): NFKC-normalised, no invisible characters
    # A month or date no later than next month (returns, panel entry, event start): a typo
    # such as 2099-12 is refused instead of becoming a return from the future.
    not_after_next_month: bool = False


@dataclass(frozen=True)
class KindSchema:
    kind: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # a second row with the same key in one file is a duplicate
    breakdowns: bool = False  # returns: "dimension=value" columns
    # Rows whose cells are all empty but for these columns are unanswered (a template row
    # nobody filled in), not errors: empty means "identity only" (returns).
    identity: tuple[str, ...] = ()

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def input_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.reference)


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
    """Normalised header -> (dimension, value) for every return breakdown of the products,
    and for the next month's planned parts (``schedule:dimension=value``, or ``排产:``) ->
    ("schedule:dimension", value)."""
    out: dict[str, tuple[str, str]] = {}
    for p in products:
        for d in p.dimensions:
            if d.source != "return":
                continue
            for v in d.values:
                for dim_label in (d.name, d.label, d.label_zh):
                    for val_label in (v.name, v.name_zh):
                        out[normalize_header(f"{dim_label}={val_label}")] = (d.name, v.name)
                        for prefix in (PLANNED_PREFIX, PLANNED_PREFIX_ZH):
                            planned = normalize_header(f"{prefix}{dim_label}={val_label}")
                            out[planned] = (PLANNED_PREFIX + d.name, v.name)
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


def _number_cell(what: str, code: str, example: str) -> CellError:
    """A number where a month or date must be text: Excel typed 2025.10 as 2025.1."""
    return CellError(
        f"a number, not a {what}: format the column as text and write {example}",
        code,
    )


def _bounded(number: Decimal) -> Decimal:
    if not number.is_finite():
        raise CellError("not a finite number", "not_a_number")
    if abs(number) > Decimal(repr(limits.MAX_NUMBER)):
        raise CellError(
            f"too large a number; a cell holds at most {limits.MAX_NUMBER:g} in magnitude",
            "not_a_number",
        )
    return number


def parse_number(value: object) -> Decimal:
    """A finite number of at most ``limits.MAX_NUMBER`` in magnitude (no inf, NaN, 1e309)."""
    if isinstance(value, bool):
        raise CellError("not a number (a true/false cell)", "not_a_number")
    if isinstance(value, int):
        return _bounded(Decimal(value))
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise CellError("not a finite number", "not_a_number")
        # repr gives the shortest text that reads back as the same float.
        return _bounded(Decimal(repr(value)))
    if isinstance(value, Decimal):
        return _bounded(value)
    if isinstance(value, (date, datetime)):
        raise CellError("a date where a number is expected", "not_a_number")
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    if "_" in text:
        # Decimal reads "1_000" as 1000; a spreadsheet cell does not.
        raise CellError("not a number", "not_a_number")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError("not a number", "not_a_number") from None
    return _bounded(number)


def parse_date(value: object) -> date:
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise CellError("a date and time; give the date only (YYYY-MM-DD)", "bad_date")
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        raise _number_cell("date", "bad_date", "2025-06-30")
    text = str(value).strip()
    m = _DATE.match(text)
    if not m:
        raise CellError("not a date; write YYYY-MM-DD, e.g. 2025-06-30", "bad_date")
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise CellError("not a calendar date", "bad_date") from None


def parse_period(value: object) -> date:
    """A month, returned as its first day, from text or a real date cell only.

    Excel turns a typed 2025-06 into 1 June 2025 (a date cell, accepted), and a typed 2025.10
    into the number 2025.1, which would read as January: a number is refused.
    """
    if isinstance(value, (date, datetime)):
        d = value.date() if isinstance(value, datetime) else value
        if d.day != 1:
            raise CellError("a day, not a month; write YYYY-MM, e.g. 2025-06", "bad_period")
        return d
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        raise _number_cell("month", "bad_period", "2025-10")
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


def month_after(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def check_not_after_next_month(column: Column, value: date, today: date) -> None:
    """Refuse a month (or date) later than the month after ``today``'s."""
    next_month = month_after(today)
    limit = month_after(next_month)  # the first day that is too late
    if value < limit:
        return
    if column.type == "period":
        raise CellError(
            f"{value:%Y-%m} is later than next month ({next_month:%Y-%m}); "
            f"a {column.name} may be at most the month after the current one",
            "future_period",
        )
    last = limit.fromordinal(limit.toordinal() - 1)
    raise CellError(
        f"{value.isoformat()} is later than next month (after {last.isoformat()}); "
        f"a {column.name} may be at most in the month after the current one",
        "future_date",
    )


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


# OWASP CSV injection: an exported text starting with one of these is written with a leading
# single quote (writers.neutralise); the import takes that one quote off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters a free-text cell may hold: tab and line breaks (CR LF or LF).
_TEXT_CONTROLS = frozenset("\t\n\r")


def unquote_formula(text: str) -> str:
    """The text an export neutralised (``'=x`` -> ``=x``); any other text unchanged."""
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_STARTS):
        return text[1:]
    return text


def check_controls(value: object) -> None:
    """Refuse NUL and other control characters (tab and line breaks are free text's own)."""
    if not isinstance(value, str):
        return
    for i, ch in enumerate(value):
        if ch not in _TEXT_CONTROLS and unicodedata.category(ch) == "Cc":
            name = "a NUL byte" if ch == "\0" else f"the control character U+{ord(ch):04X}"
            raise CellError(
                f"holds {name} at character {i + 1}; delete it (only tab and line breaks may be in text)",
                "control_character",
            )


def parse_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        # Excel stores a typed code such as 1001 as a number.
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    return unquote_formula(str(value).strip())


def parse_code(value: object) -> str:
    """A code: NFKC-normalised (full-width ＣＵ００１ is CU001), refused with invisible or
    control characters inside or spaces around it (``core.validators.code_problem``, which
    forms and actions apply too). Letter case is kept; a code differing from a registered one
    only in case is refused where codes are checked (near-duplicates)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = unicodedata.normalize("NFKC", str(value))
    problem = code_problem(text)
    if problem is not None:
        raise CellError(*problem)
    return text


def parse_cell(column: Column, value: object, today: date | None = None) -> object:
    """The typed value of a non-empty cell, or CellError.

    ``today`` dates the rule of columns that may be no later than next month (default: the
    machine's date)."""
    check_controls(value)
    if column.type == "number":
        number = parse_number(value)
        if number < 0 and not column.negative_ok:
            raise CellError("negative; quantities cannot be below zero", "negative")
        return number
    if column.type in ("date", "period"):
        day = parse_date(value) if column.type == "date" else parse_period(value)
        if column.not_after_next_month:
            check_not_after_next_month(column, day, today or date.today())
        return day
    if column.type == "bool":
        return parse_bool(value)
    if column.type == "choice":
        return parse_choice(value, column.choices)
    if column.code:
        return parse_code(value)
    return parse_text(value)


def columns_help(schema: KindSchema) -> str:
    """The documentation of a kind's columns, as printed by ``metalstat import --columns``."""
    lines = [f"{schema.kind}: {schema.description}", ""]
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
            "  product's return dimensions; the next month's schedule by the same values in",
            f"  columns named {PLANNED_PREFIX}dimension=value (or {PLANNED_PREFIX_ZH}):",
        ]
        for p in load_catalog():
            dims = [d for d in p.dimensions if d.source == "return"]
            for d in dims:
                values = ", ".join(f"{d.name}={v}" for v in d.value_names())
                lines.append(f"    {p.code}: {values}")
    lines += ["", f"  Duplicate rows: two rows with the same {' + '.join(schema.key)}."]
    return "\n".join(lines)
