"""The June 2025 report's statements as checkable targets, and the check of figures against them.

Every quantitative statement of the seed report (a number with its rounding and hedge word, or
only a direction with a size word) is one ``[[target]]`` in ``targets.toml``. ``load_targets``
types and checks them against the catalog and the figure vocabulary, failing with the file and
target it is about; ``check`` matches each target with a figure (the shape of
``figures-2025-06.json``) and reports those the figure does not satisfy, using the hedge
meanings of :mod:`metalstat.catalog.hedges`.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from metalstat.catalog import Catalog, Product, load_catalog
from metalstat.catalog import hedges as hedge_words
from metalstat.catalog.vocabulary import KINDS, MEASURES, RETURN_STATUSES, STATISTICS

# The packaged targets file.
TARGET_FILES = ("targets.toml",)

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_SERIES_CODE = re.compile(r"^[a-z][a-z0-9_]*$")

# Statistics that are changes (a direction makes sense), and among them those in % or pp,
# where the size words' bands apply. A forecast error ("output came in slightly below the
# schedule") is a change too: pct and abs of measure forecast_error.
CHANGE_STATISTICS = frozenset(
    {
        "mom_abs",
        "mom_pct",
        "yoy_abs",
        "yoy_pct",
        "ytd_abs",
        "ytd_pct",
        "pp_mom",
        "pp_yoy",
        "count_change",
        "lfl_mom_pct",
        "lfl_yoy_pct",
        "lfl_pp_mom",
        "panel_effect_pct",
        "panel_effect_pp",
        "pct",
        "abs",
    }
)
RELATIVE_STATISTICS = frozenset(
    {
        "pct",
        "mom_pct",
        "yoy_pct",
        "ytd_pct",
        "pp_mom",
        "pp_yoy",
        "lfl_mom_pct",
        "lfl_yoy_pct",
        "lfl_pp_mom",
        "panel_effect_pct",
        "panel_effect_pp",
    }
)
SPAN_STATISTICS = frozenset({"ytd_level", "ytd_abs", "ytd_pct"})

# Breakdown keys every product accepts besides its own dimensions.
GENERIC_KEYS: dict[str, tuple[str, ...]] = {
    "content": ("physical", "metal"),
    "status": tuple(RETURN_STATUSES),
    "change": ("reduced", "increased"),
    "basis": ("sample",),
}


class TargetsError(ValueError):
    """A targets file is malformed; the message names the file, the target and the field."""


class Target(BaseModel):
    """One statement of the report, as the figure it is about and what the wording admits."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    product: str
    kind: Literal["actual", "forecast", "forecast2"]
    period: str
    measure: str
    breakdown: dict[str, str] = Field(default_factory=dict)
    statistic: str
    value: float | None = None
    resolution: float | None = Field(default=None, gt=0)
    hedge: str = "exact"
    direction: Literal["up", "down", "flat"] | None = None
    about: str = Field(min_length=3, max_length=240)
    # Where the target was read (file and position), for messages; not part of the file.
    where: str = Field(default="", exclude=True)

    def key(self) -> tuple[str, str, str, frozenset[tuple[str, str]], str, str]:
        """The figure this target is about: (product, kind, measure, breakdown, statistic,
        period)."""
        return (
            self.product,
            self.kind,
            self.measure,
            frozenset(self.breakdown.items()),
            self.statistic,
            self.period,
        )

    def describe(self) -> str:
        bd = ";".join(f"{k}={v}" for k, v in sorted(self.breakdown.items()))
        stated = "" if self.value is None else f" {self.value:g}"
        word = self.hedge if self.direction is None else f"{self.hedge} {self.direction}"
        return (
            f"{self.product} {self.kind} {self.period} {self.measure}"
            f"{'[' + bd + ']' if bd else ''} {self.statistic}: {word}{stated} ({self.about})"
        )

    def admits(self, actual: float) -> bool:
        """Whether a figure value satisfies this target's wording."""
        return hedge_words.admits(self.hedge, self.value, self.resolution, actual, direction=self.direction)


def _span_ok(period: str) -> str | None:
    """None when ``period`` is a month or a cumulative span from January; else the reason."""
    parts = period.split("..")
    if len(parts) > 2 or not all(_PERIOD.match(p) for p in parts):
        return f"period {period!r} is neither YYYY-MM nor YYYY-MM..YYYY-MM"
    if len(parts) == 2:
        (y1, m1), (y2, m2) = (p.split("-") for p in parts)
        if y1 != y2 or m1 != "01" or m2 < m1:
            return f"span {period!r} must run from January to a month of the same year"
    return None


def _problems(t: Target, product: Product | None) -> list[str]:
    """Everything wrong with one target (empty when it is sound)."""
    out: list[str] = []
    if product is None:
        out.append(f"product {t.product!r} is not in the catalog")
    if t.kind not in KINDS:
        out.append(f"kind {t.kind!r} is not one of {', '.join(KINDS)}")
    if t.measure not in MEASURES:
        out.append(f"measure {t.measure!r} is not in the vocabulary")
    if t.statistic not in STATISTICS:
        out.append(f"statistic {t.statistic!r} is not in the vocabulary")
    reason = _span_ok(t.period)
    if reason:
        out.append(reason)
    elif (".." in t.period) != (t.statistic in SPAN_STATISTICS):
        out.append(
            f"statistic {t.statistic!r} with period {t.period!r}: cumulative statistics "
            "(ytd_*) need a span YYYY-01..YYYY-MM and the others a single month"
        )
    if product is not None:
        out.extend(_breakdown_problems(t, product))
    if t.hedge not in hedge_words.HEDGES:
        out.append(f"hedge {t.hedge!r} is not a key of catalog/hedges.py")
        return out
    value_hedge = hedge_words.is_value_hedge(t.hedge)
    if t.value is None:
        if t.direction is None:
            out.append("give a value, or a direction (up, down, flat) when there is none")
        if value_hedge:
            out.append(f"hedge {t.hedge!r} qualifies a number but the target has no value")
        if t.statistic not in CHANGE_STATISTICS:
            out.append(f"a direction needs a change statistic, not {t.statistic!r}")
    elif t.resolution is None:
        out.append("a value needs its resolution (the step the report rounded to)")
    if not value_hedge:
        h = hedge_words.hedge(t.hedge)
        assert isinstance(h, hedge_words.DirectionHedge)
        if t.direction is not None and t.direction not in h.directions:
            out.append(f"hedge {t.hedge!r} describes {' or '.join(h.directions)} changes")
        if t.hedge != "direction" and t.statistic not in RELATIVE_STATISTICS:
            out.append(f"size word {t.hedge!r} is measured in % or pp: use a % or pp statistic, not {t.statistic!r}")
    if t.value is not None and t.direction in ("up", "down") and t.statistic in CHANGE_STATISTICS:
        sign_ok = t.value > 0 if t.direction == "up" else t.value < 0
        if not sign_ok:
            out.append(f"value {t.value:g} contradicts direction {t.direction!r}")
    return out


def _breakdown_problems(t: Target, product: Product) -> list[str]:
    out: list[str] = []
    dims = {d.name: d.value_names() for d in product.dimensions}
    sizes = tuple(s.name for s in product.size_classes)
    for k, v in t.breakdown.items():
        if k == "series" and t.measure == "auxiliary":
            if not _SERIES_CODE.match(v):
                out.append(f"auxiliary series code {v!r} must be lower_snake_case")
            continue
        if k in dims:
            allowed: tuple[str, ...] = dims[k]
        elif k == "size_class":
            allowed = sizes
        elif k in GENERIC_KEYS:
            allowed = GENERIC_KEYS[k]
        else:
            known = sorted({*dims, "size_class", *GENERIC_KEYS})
            out.append(f"breakdown key {k!r} is not known for {product.code} ({', '.join(known)})")
            continue
        if v not in allowed:
            out.append(f"breakdown {k}={v!r} is not one of {', '.join(allowed)}")
    content = t.breakdown.get("content")
    if content and product.content != "both" and content != product.content:
        out.append(f"{product.code} is counted in {product.content} content only")
    if t.measure == "auxiliary" and "series" not in t.breakdown:
        out.append('an auxiliary target needs breakdown {series = "<code>"}')
    return out


def _read_packaged(name: str) -> str | None:
    f = resources.files("metalstat.demo").joinpath(name)
    return f.read_text("utf-8") if f.is_file() else None


def parse_targets(text: str, source: str, catalog: Catalog) -> tuple[Target, ...]:
    """Parse and check one targets file; every problem of the file is reported at once."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TargetsError(f"{source}: not valid TOML: {exc}") from exc
    unknown = set(raw) - {"target"}
    if unknown:
        raise TargetsError(f"{source}: unexpected top-level keys {sorted(unknown)}")
    entries = raw.get("target", [])
    codes = set(catalog.codes())
    errors: list[str] = []
    out: list[Target] = []
    for i, entry in enumerate(entries, 1):
        label = f"{source}: target #{i}"
        if isinstance(entry, dict):
            label += f" ({entry.get('product', '?')}, {entry.get('about', '?')!s:.60})"
        if isinstance(entry, dict) and "value" not in entry and "hedge" not in entry:
            # A bare direction ("declined MoM") carries no size word: only its sign counts.
            entry = {**entry, "hedge": "flat" if entry.get("direction") == "flat" else "direction"}
        try:
            t = Target.model_validate(entry)
        except ValidationError as exc:
            for e in exc.errors():
                field = ".".join(str(x) for x in e["loc"]) or "(target)"
                errors.append(f"{label} field {field}: {e['msg']}")
            continue
        problems = _problems(t, catalog.get(t.product) if t.product in codes else None)
        errors.extend(f"{label}: {p}" for p in problems)
        out.append(t.model_copy(update={"where": f"{source}#{i}"}))
    if errors:
        raise TargetsError("\n".join(errors))
    return tuple(out)


def load_targets(paths: Sequence[str | Path] | None = None, catalog: Catalog | None = None) -> tuple[Target, ...]:
    """All targets: the packaged files unless paths are given, checked against the catalog."""
    cat = catalog if catalog is not None else load_catalog()
    out: list[Target] = []
    if paths is None:
        for name in TARGET_FILES:
            text = _read_packaged(name)
            if text is not None:
                out.extend(parse_targets(text, name, cat))
    else:
        for p in paths:
            out.extend(parse_targets(Path(p).read_text("utf-8"), str(p), cat))
    return tuple(out)


def count_by_product(targets: Iterable[Target]) -> dict[str, int]:
    """Targets per product code, in first-seen order."""
    return dict(Counter(t.product for t in targets))


@dataclass(frozen=True)
class Mismatch:
    """A target no figure satisfies: the figure is missing, withheld, or outside the wording."""

    target: Target
    actual: float | None
    reason: str

    def __str__(self) -> str:
        return f"{self.target.where}: {self.target.describe()}: {self.reason}"


FigureKey = tuple[str, str, str, frozenset[tuple[str, str]], str, str]


def _figure_key(f: Mapping[str, Any]) -> FigureKey:
    bd = f.get("breakdown") or {}
    return (
        str(f["product_code"]),
        str(f["kind"]),
        str(f["measure"]),
        frozenset((str(k), str(v)) for k, v in bd.items()),
        str(f["statistic"]),
        str(f["period"]),
    )


def check(targets: Iterable[Target], figures: Iterable[Mapping[str, Any]]) -> list[Mismatch]:
    """Match every target with its figure and return those the figure does not satisfy."""
    index: dict[FigureKey, Mapping[str, Any]] = {}
    for f in figures:
        index[_figure_key(f)] = f
    out: list[Mismatch] = []
    for t in targets:
        fig = index.get(t.key())
        if fig is None:
            out.append(Mismatch(t, None, "no such figure"))
            continue
        value = fig.get("value")
        if value is None:
            out.append(Mismatch(t, None, f"figure withheld (status {fig.get('status', '?')})"))
            continue
        actual = float(value)
        if not t.admits(actual):
            out.append(Mismatch(t, actual, f"figure is {actual:.6g}, outside what it admits"))
    return out
