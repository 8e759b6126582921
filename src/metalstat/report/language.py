"""A report language: its words, number conventions and paragraph templates, all as data.

Each language is a folder under ``languages/`` holding ``language.toml`` (labels, month
names, number and unit conventions, the words for changes of each size) and
``paragraphs.j2`` (one Jinja macro per drafted paragraph). Adding a language is adding a
folder; the code below only interprets what the folder says.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from functools import cached_property
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import jinja2

from metalstat.catalog import Product
from metalstat.core.environment import value
from metalstat.report.hedging import describe_change

LANGUAGES_PACKAGE = "metalstat.report.languages"
LANGUAGES_ENV = "METALSTAT_REPORT_LANGUAGES"
PARAGRAPH_BREAK = "\ue000"  # a private-use character: never in drafted text, not whitespace
# A template marks what goes to the data annex at the end of the report ({{ ANNEX }}) and
# where the product's own page resumes ({{ BODY }}); private-use characters likewise.
ANNEX_MARK = "\ue001"
BODY_MARK = "\ue002"


class LanguageError(ValueError):
    """A language folder is missing or malformed."""


def _language_folders() -> dict[str, Traversable]:
    """Language code -> folder: the packaged ones, then any under the folders listed in
    ``METALSTAT_REPORT_LANGUAGES`` (os.pathsep-separated), which may add or override one."""
    roots: list[Traversable] = [resources.files(LANGUAGES_PACKAGE)]
    extra = value(LANGUAGES_ENV)
    roots += [Path(p) for p in extra.split(os.pathsep) if p]
    found: dict[str, Traversable] = {}
    for root in roots:
        if not root.is_dir():
            raise LanguageError(f"{LANGUAGES_ENV}: {root} is not a folder")
        for entry in root.iterdir():
            if entry.is_dir() and entry.joinpath("language.toml").is_file():
                found[entry.name] = entry
    return found


def available_languages() -> tuple[str, ...]:
    """Codes of the languages that have a folder with a ``language.toml``, sorted."""
    return tuple(sorted(_language_folders()))


def load_language(code: str) -> Language:
    folder = _language_folders().get(code)
    if folder is None:
        raise LanguageError(f"no report language {code!r}; available: {', '.join(available_languages())}")
    key = (code, str(folder))
    if key not in _LOADED:
        _LOADED[key] = _load(code, folder)
    return _LOADED[key]


_LOADED: dict[tuple[str, str], Language] = {}


def _load(code: str, folder: Traversable) -> Language:
    try:
        config = tomllib.loads(folder.joinpath("language.toml").read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise LanguageError(f"languages/{code}/language.toml: not valid TOML: {exc}") from exc
    paragraphs = folder.joinpath("paragraphs.j2").read_text("utf-8")
    return Language(code, config, paragraphs)


def common_noun(name: str) -> str:
    """A heading used mid-sentence: capitalised words lowered, acronyms kept (NPI, NdFeB)."""
    words = []
    for word in name.split(" "):
        parts = [w.lower() if w[:1].isupper() and w[1:].islower() else w for w in word.split("-")]
        words.append("-".join(parts))
    return " ".join(words)


def _group(digits: str, sep: str) -> str:
    out = []
    while len(digits) > 3:
        out.append(digits[-3:])
        digits = digits[:-3]
    out.append(digits)
    return sep.join(reversed(out))


class Language:
    """Formatting and wording for one language, read from its folder."""

    REQUIRED = ("code", "html_lang", "font", "thousands", "decimal", "month", "span", "labels")

    def __init__(self, code: str, config: dict[str, Any], paragraphs: str) -> None:
        missing = [k for k in self.REQUIRED if k not in config]
        if missing:
            raise LanguageError(f"languages/{code}/language.toml: missing key(s) {', '.join(missing)}")
        self.code = code
        self.config = config
        self.labels: dict[str, str] = config["labels"]
        self._paragraph_source = paragraphs

    def setting(self, key: str, default: str) -> str:
        """A string setting of the language file."""
        return str(self.config.get(key, default))

    # --- names -------------------------------------------------------------------------
    def label(self, key: str, **values: Any) -> str:
        try:
            text = self.labels[key]
        except KeyError as exc:
            raise LanguageError(f"languages/{self.code}/language.toml: no label {key!r}") from exc
        return text.format(**values) if values else text

    def _field(self, obj: Any, base: str) -> str:
        """``obj.<base>`` in this language (e.g. ``name_zh``), English as the fallback."""
        suffix = self.config.get("field_suffix", "")
        if suffix:
            localised = getattr(obj, f"{base}{suffix}", None)
            if localised:
                return str(localised)
        return str(getattr(obj, base))

    def product_name(self, product: Product) -> str:
        return self._field(product, "name")

    def unit(self, product: Product) -> str:
        return self._field(product, "unit")

    def scaled_unit(self, product: Product) -> str:
        """The unit as this language's quantities write it: a rule may rename a unit that is a
        multiple (10,000 m², written in English in million m²: ``unit_as = "m²"``)."""
        unit = self.unit(product)
        for rule in self.config.get("quantity", []):
            if product.unit in rule.get("units", ()):
                return named_unit(rule, product.unit, unit)
        return unit

    def field(self, obj: Any, base: str) -> str:
        """A text field of ``obj`` in this language (``detail`` or ``detail_zh``)."""
        return self._field(obj, base)

    def name_of(self, obj: Any) -> str:
        """The name of a size class, dimension value or auxiliary series."""
        return self._field(obj, "name")

    def dimension_label(self, dim: Any) -> str:
        return self._field(dim, "label")

    def term(self, group: str, key: str) -> str:
        """A word from a vocabulary table: regions, reasons, statuses, scopes, events ..."""
        table = self.config.get(group, {})
        return str(table.get(key, key))

    # --- numbers -----------------------------------------------------------------------
    def num(self, x: float, decimals: int = 0) -> str:
        """``x`` rounded half away from zero to ``decimals``, with this language's separators."""
        if decimals < 0:
            decimals = 0
        scaled = abs(x) * 10**decimals
        rounded = math.floor(scaled + 0.5 + 1e-9)
        whole, frac = divmod(rounded, 10**decimals)
        sign = "-" if x < 0 and rounded != 0 else ""
        text = _group(str(whole), self.config["thousands"])
        if decimals:
            text += self.config["decimal"] + str(frac).rjust(decimals, "0")
        return sign + text

    def qty(self, x: float | None, unit_code: str, unit: str, decimals: int = 2) -> str:
        """A quantity in the product's unit, by this language's rules (million mt, 万吨 ...)."""
        if x is None:
            return self.setting("missing", "—")
        for rule in self.config.get("quantity", []):
            units = rule.get("units")
            if units is not None and unit_code not in units:
                continue
            if abs(x) < rule.get("min", 0):
                continue
            value = x / rule.get("divisor", 1)
            step = rule.get("round_to")
            if step:
                value = math.copysign(math.floor(abs(value) / step + 0.5) * step, value)
                n = self.num(value, 0)
            else:
                n = self.num(value, rule.get("decimals", decimals))
            return str(rule["format"]).format(n=n, unit=named_unit(rule, unit_code, unit))
        # a unit that is itself a multiple ("10,000 m²") reads better with a sign between
        pattern = "quantity_multiple" if unit[:1].isdigit() else "quantity_default"
        return self.setting(pattern, "{n} {unit}").format(n=self.num(x, decimals if abs(x) < 1000 else 0), unit=unit)

    def measured(self, x: float, unit_code: str, unit: str) -> str:
        """A quoted market figure as measured (never rounded like an estimate), in this
        language's scale for the unit (万吨): as many decimals as the scaled value needs, up
        to four; below the scale, 0 or 2 decimals."""
        if unit_code == "%":
            return self.setting("percent", "{n}%").format(n=self.num(x, 0 if float(x).is_integer() else 2))
        for rule in self.config.get("quantity", []):
            units = rule.get("units")
            if units is not None and unit_code not in units:
                continue
            if abs(x) < rule.get("min", 0) or rule.get("divisor", 1) == 1 or rule.get("round_to"):
                continue
            value = x / rule["divisor"]
            places = next((d for d in range(5) if abs(round(value, d) - value) < 1e-9 * max(1.0, abs(value))), 4)
            return str(rule["format"]).format(n=self.num(value, places), unit=named_unit(rule, unit_code, unit))
        pattern = "quantity_multiple" if unit[:1].isdigit() else "quantity_default"
        return self.setting(pattern, "{n} {unit}").format(n=self.num(x, 0 if float(x).is_integer() else 2), unit=unit)

    def pct(self, x: float | None, decimals: int = 2) -> str:
        """The size of a % change or a rate (no sign: the words carry the direction)."""
        if x is None:
            return self.setting("missing", "—")
        return self.setting("percent", "{n}%").format(n=self.num(abs(x), decimals))

    def spct(self, x: float | None, decimals: int = 2) -> str:
        """A signed % for tables."""
        if x is None:
            return self.setting("missing", "—")
        n = self.num(x, decimals)
        if x > 0 and n.strip("0.,") != "":
            n = "+" + n
        return self.setting("percent", "{n}%").format(n=n)

    def pp(self, x: float | None, decimals: int = 2) -> str:
        """A change of a rate in percentage points, unsigned, in running text."""
        if x is None:
            return self.setting("missing", "—")
        return self.setting("points", "{n} pp").format(n=self.num(abs(x), decimals))

    def spp(self, x: float | None, decimals: int = 2) -> str:
        """A signed pp change for tables."""
        if x is None:
            return self.setting("missing", "—")
        n = self.num(x, decimals)
        if x > 0 and n.strip("0.,") != "":
            n = "+" + n
        return self.setting("points_short", "{n} pp").format(n=n)

    # --- dates -------------------------------------------------------------------------
    def month(self, period: str, *, short: bool = False) -> str:
        year, month = (int(x) for x in period.split("-"))
        names = self.config.get("month_abbr" if short else "month_names")
        name = names[month - 1] if names else str(month)
        pattern = self.config["month_short" if short and "month_short" in self.config else "month"]
        return str(pattern).format(year=year, month=month, month_name=name)

    def month_only(self, period: str) -> str:
        """The month without its year ("June", "6月")."""
        month = int(period.split("-")[1])
        pattern = self.config.get("month_alone", "{month_name}")
        names = self.config.get("month_names") or [str(m) for m in range(1, 13)]
        return str(pattern).format(month=month, month_name=names[month - 1])

    def span(self, span: str) -> str:
        start, _, end = span.partition("..")
        y1, m1 = (int(x) for x in start.split("-"))
        y2, m2 = (int(x) for x in end.split("-"))
        names = self.config.get("month_names") or [str(m) for m in range(1, 13)]
        return str(self.config["span"]).format(
            year=y2,
            start_year=y1,
            start=m1,
            end=m2,
            start_name=names[m1 - 1],
            end_name=names[m2 - 1],
        )

    def date(self, d: Any) -> str:
        names = self.config.get("month_names") or [str(m) for m in range(1, 13)]
        return str(self.config.get("date", "{day} {month_name} {year}")).format(
            day=d.day, month=d.month, year=d.year, month_name=names[d.month - 1]
        )

    # --- words for changes ---------------------------------------------------------------
    def change(self, x: float | None, tense: str = "past", decimals: int = 2) -> str:
        """The verb for a % change of this size and sign, chosen by the shared hedge rules.

        The hedge key comes from the value as it will be printed (rounded), so the word and
        the number a reader sees always agree.
        """
        if x is None:
            return ""
        shown = round(x, decimals)
        key = describe_change(shown)
        table = self.config.get("change", {}).get(tense, {})
        if shown == 0 or key == "flat":
            return str(table.get("flat", ""))
        direction = "up" if shown > 0 else "down"
        words = table.get(direction, {})
        return str(words.get(key, words.get("default", "")))

    def hedge(self, x: float | None, decimals: int = 2) -> str:
        """The bare hedge key for a change (for templates that word it themselves)."""
        if x is None:
            return ""
        return describe_change(round(x, decimals))

    # --- paragraphs ----------------------------------------------------------------------
    @cached_property
    def env(self) -> jinja2.Environment:
        env = jinja2.Environment(
            loader=jinja2.DictLoader({"paragraphs.j2": self._paragraph_source}),
            autoescape=False,  # noqa: S701 (paragraphs are text; the document templates escape them)
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters["common"] = common_noun
        env.globals.update(
            BREAK=PARAGRAPH_BREAK,
            ANNEX=ANNEX_MARK,
            BODY=BODY_MARK,
            L=self.label,
            num=self.num,
            qty=self.qty,
            pct=self.pct,
            spct=self.spct,
            pp=self.pp,
            month=self.month,
            month_only=self.month_only,
            span=self.span,
            date=self.date,
            change=self.change,
            hedge=self.hedge,
            term=self.term,
        )
        return env

    @cached_property
    def paragraphs(self) -> Any:
        try:
            return self.env.get_template("paragraphs.j2").module
        except jinja2.TemplateError as exc:
            raise LanguageError(f"languages/{self.code}/paragraphs.j2: {exc}") from exc

    def paragraph(self, slot: str, ctx: dict[str, Any]) -> str:
        """Render one drafted paragraph (its page and annex parts together); an empty string
        when it has nothing to say."""
        body, annex = self.paragraph_parts(slot, ctx)
        return "\n\n".join(part for part in (body, annex) if part)

    def paragraph_parts(self, slot: str, ctx: dict[str, Any]) -> tuple[str, str]:
        """One drafted paragraph split in two: what the product's page says, and what the
        template sent to the data annex (between ``{{ ANNEX }}`` and ``{{ BODY }}``)."""
        macro = getattr(self.paragraphs, slot, None)
        if macro is None:
            return "", ""
        parts: dict[str, list[str]] = {"body": [], "annex": []}
        mode = "body"
        for chunk in re.split(f"({ANNEX_MARK}|{BODY_MARK})", str(macro(ctx))):
            if chunk == ANNEX_MARK:
                mode = "annex"
            elif chunk == BODY_MARK:
                mode = "body"
            else:
                parts[mode].append(chunk)
        return self._tidy("\n".join(parts["body"])), self._tidy("\n".join(parts["annex"]))

    def _tidy(self, text: str) -> str:
        joiner = self.setting("line_joiner", " ")
        text = re.sub(r"[ \t]*\n\s*", joiner, text.strip())
        text = re.sub(r"[ ]{2,}", " ", text)
        # a template may split its slot into several paragraphs with {{ BREAK }}
        parts = [part.strip() for part in text.split(PARAGRAPH_BREAK)]
        return "\n\n".join(part for part in parts if part)


def named_unit(rule: dict[str, Any], unit_code: str, unit: str) -> str:
    """``unit`` ("10,000 m²/year") with its unit named as the rule writes it ("m²/year")."""
    named = rule.get("unit_as")
    return unit.replace(unit_code, str(named)) if named else unit
