"""Series identity: one stable, documented ID for every published series.

A series is every figure with the same (product, kind, measure, breakdown, statistic); its
observations are the periods. The ID is an SDMX-style dotted key of six dimensions, written
down here once and never changed (docs/api.md):

    FREQ . PRODUCT . KIND . MEASURE . BREAKDOWN . STATISTIC
    M    . COPPER_CATHODE . ACT . PRODUCTION . _T . LEVEL
    M    . COPPER_CATHODE . ACT . OPERATING_RATE . SIZE_CLASS=LARGE . LEVEL
    M    . COPPER_CATHODE . FCST . PRODUCTION . _T . MOM_PCT

- FREQ is ``M`` (monthly); a year-to-date statistic's observation is its last month.
- PRODUCT, MEASURE and STATISTIC are the catalog's codes in capitals.
- KIND is ``ACT`` (actual), ``FCST`` (forecast of the next month) or ``FCST2`` (forecast of
  the month after next).
- BREAKDOWN is ``_T`` for the total, else ``DIMENSION=VALUE`` pairs in the figure's order
  joined by ``~``; a value in capitals with every run of other characters than letters and
  digits written ``_`` ("north China" -> ``NORTH_CHINA``, "300-series" -> ``300_SERIES``).

Patterns select several series: ``+`` between alternatives of one dimension, ``*`` for any
value of it (``M.COPPER_CATHODE+ALUMINIUM.ACT.PRODUCTION._T.LEVEL``, ``M.*.ACT.*._T.LEVEL``).
Pure: no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from metalstat.engine.figures import parse_breakdown

FREQ = "M"
KINDS = {"actual": "ACT", "forecast": "FCST", "forecast2": "FCST2"}
TOTAL = "_T"
DIMENSIONS = ("FREQ", "PRODUCT", "KIND", "MEASURE", "BREAKDOWN", "STATISTIC")
_OTHER = re.compile(r"[^A-Z0-9]+")
_TOKEN = re.compile(r"^[A-Z0-9_=~*+]+$")


class SeriesKeyError(ValueError):
    """A series ID or pattern is malformed; the message says which dimension and why."""


def _token(text: str) -> str:
    return _OTHER.sub("_", text.upper()).strip("_")


def breakdown_code(breakdown: str) -> str:
    parts = parse_breakdown(breakdown)
    if not parts:
        return TOTAL
    return "~".join(f"{_token(k)}={_token(v)}" for k, v in parts.items())


def series_id(product: str, kind: str, measure: str, breakdown: str, statistic: str) -> str:
    """The ID of the series of figures with these key columns."""
    return ".".join((FREQ, _token(product), KINDS[kind], _token(measure), breakdown_code(breakdown), _token(statistic)))


@dataclass(frozen=True)
class Pattern:
    """A parsed key pattern: per dimension, the accepted codes (None: any)."""

    text: str
    parts: tuple[frozenset[str] | None, ...]

    def matches(self, sid: str) -> bool:
        codes = sid.split(".")
        return len(codes) == len(self.parts) and all(
            allowed is None or code in allowed for code, allowed in zip(codes, self.parts, strict=True)
        )

    @property
    def regex(self) -> str:
        """The pattern as a regular expression over series IDs."""
        parts = [
            "[^.]+" if allowed is None else "(?:" + "|".join(re.escape(a) for a in sorted(allowed)) + ")"
            for allowed in self.parts
        ]
        return "^" + r"\.".join(parts) + "$"

    @property
    def is_single(self) -> bool:
        return all(p is not None and len(p) == 1 for p in self.parts)


def parse_pattern(text: str) -> Pattern:
    """A series ID or pattern, or SeriesKeyError naming what is wrong."""
    key = text.strip().upper()
    codes = key.split(".")
    if len(codes) != len(DIMENSIONS):
        raise SeriesKeyError(
            f"{text!r} has {len(codes)} dimension(s); a series key has {len(DIMENSIONS)}: " + ".".join(DIMENSIONS)
        )
    parts: list[frozenset[str] | None] = []
    for name, code in zip(DIMENSIONS, codes, strict=True):
        if not code or not _TOKEN.match(code):
            raise SeriesKeyError(f"{text!r}: dimension {name} is {code!r}; use capitals, digits, _")
        if code == "*":
            parts.append(None)
            continue
        alternatives = code.split("+")
        if "*" in code or not all(alternatives):
            raise SeriesKeyError(f"{text!r}: dimension {name} {code!r} mixes * with codes")
        parts.append(frozenset(alternatives))
    return Pattern(text=key, parts=tuple(parts))
