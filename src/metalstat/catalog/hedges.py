"""What the report's hedge words mean, as data.

A published sentence either states a number with a qualifier ("nearly 2%", "over 21%",
"approximately 7%") or only a direction with a size word ("declined slightly", "remained
largely stable", "dropped sharply"). Both must agree with the figure behind them. This module
gives every hedge a documented range of true values, so that:

- the demo targets can be checked against computed figures (``admits``), and
- drafted sentences pick a word the number supports (``describe_change``).

Two families:

*Value hedges* qualify a stated number ``s`` rounded to a step ``r`` (the resolution). The
admitted interval is expressed in steps of ``r`` around the stated magnitude; a negative
stated value (a decrease) is mirrored, so "fell nearly 30%" admits changes of -29.5 % down to
just above -30 % and never an increase.

*Direction hedges* describe a change without (or besides) a number. They bound ``y``: the
change measured in the stated direction (``+x`` for up, ``-x`` for down, ``|x|`` for flat), in
the unit of the statistic (% for a % change, percentage points for a rate or share change).
Given a stated number as well ("increased slightly by 2%"), both the rounding interval of the
number and the word's band must hold.

The bands overlap on purpose where the report itself uses either word for the same size
(between 3 % and 5 % it says "slight" as well as "notable"); ``describe_change`` picks one
word per size so that the drafted word is always admitted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

Direction = Literal["up", "down", "flat"]
DIRECTIONS: Final[tuple[Direction, ...]] = ("up", "down", "flat")

# Float slack on closed bounds, so that a value exactly on a rounding boundary (0.005 for a
# step of 0.01) is admitted despite binary representation. Open bounds get none: "nearly 2"
# never admits 2.
_EPS: Final = 1e-9


@dataclass(frozen=True)
class Bound:
    """One end of an interval; ``None`` value means unbounded."""

    value: float | None
    closed: bool

    def below(self, x: float) -> bool:
        """x is at or above this lower bound."""
        if self.value is None:
            return True
        return x >= self.value - _EPS if self.closed else x > self.value

    def above(self, x: float) -> bool:
        """x is at or below this upper bound."""
        if self.value is None:
            return True
        return x <= self.value + _EPS if self.closed else x < self.value


@dataclass(frozen=True)
class ValueHedge:
    """A qualifier of a stated number: admitted magnitudes are
    ``|s| + lo*r .. |s| + hi*r`` (bounds in steps of the resolution ``r``)."""

    key: str
    meaning: str
    lo: Bound
    hi: Bound
    words: tuple[str, ...]


@dataclass(frozen=True)
class DirectionHedge:
    """A size word for a change: admitted ``y`` (the change in the stated direction)."""

    key: str
    meaning: str
    lo: Bound
    hi: Bound
    directions: tuple[Direction, ...]
    words: tuple[str, ...]


Hedge = ValueHedge | DirectionHedge


def _b(value: float | None, closed: bool = True) -> Bound:
    return Bound(value, closed)


VALUE_HEDGES: Final[tuple[ValueHedge, ...]] = (
    ValueHedge(
        "exact",
        "the stated number rounded to its step: |x - s| <= r/2",
        _b(-0.5),
        _b(0.5),
        (),
    ),
    ValueHedge(
        "approximately",
        "the stated number is a rounding of the true one: |x - s| <= r/2",
        _b(-0.5),
        _b(0.5),
        ("approximately", "about", "around", "roughly", "as high as", "estimated at"),
    ),
    ValueHedge(
        "nearly",
        "just short of the stated number, within half a step: s - r/2 <= |x| < s",
        _b(-0.5),
        _b(0.0, closed=False),
        ("nearly", "almost", "close to"),
    ),
    ValueHedge(
        "over",
        "above the stated number by at most two steps: s < |x| <= s + 2r",
        _b(0.0, closed=False),
        _b(2.0),
        ("over", "more than", "exceeding", "above", "as high as over", "higher than"),
    ),
    ValueHedge(
        "under",
        "below the stated number by at most two steps: s - 2r <= |x| < s",
        _b(-2.0),
        _b(0.0, closed=False),
        ("below", "less than", "under", "lower than"),
    ),
)

# Bands in % (for % changes) or percentage points (for rate and share changes).
FLAT_BAND: Final = 0.5
LARGELY_STABLE_BAND: Final = 1.0
SLIGHT_MAX: Final = 5.0
NOTABLE_MIN: Final = 3.0
SIGNIFICANT_MIN: Final = 5.0
SHARP_MIN: Final = 10.0

DIRECTION_HEDGES: Final[tuple[DirectionHedge, ...]] = (
    DirectionHedge(
        "direction",
        "only the sign is stated: y > 0",
        _b(0.0, closed=False),
        _b(None),
        ("up", "down"),
        ("rose", "increased", "declined", "fell", "expected to increase", "expected to decline"),
    ),
    DirectionHedge(
        "flat",
        f"no change worth a word: |x| < {FLAT_BAND}",
        _b(0.0),
        _b(FLAT_BAND, closed=False),
        ("flat",),
        ("flat", "unchanged", "stable", "remained stable", "maintained"),
    ),
    DirectionHedge(
        "largely_stable",
        f"stable give or take a little: |x| < {LARGELY_STABLE_BAND}",
        _b(0.0),
        _b(LARGELY_STABLE_BAND, closed=False),
        ("flat",),
        (
            "largely stable",
            "largely unchanged",
            "largely flat",
            "basically flat",
            "basically stable",
            "roughly flat",
            "relatively stable",
            "generally stable",
            "limited fluctuations",
        ),
    ),
    DirectionHedge(
        "slightly",
        f"a small change in the stated direction: 0 < y < {SLIGHT_MAX}",
        _b(0.0, closed=False),
        _b(SLIGHT_MAX, closed=False),
        ("up", "down"),
        (
            "slightly",
            "slight",
            "edged up",
            "edged down",
            "marginally",
            "minor",
            "mild",
            "mildly",
            "moderate",
            "a little",
        ),
    ),
    DirectionHedge(
        "notable",
        f"a change worth pointing out: y >= {NOTABLE_MIN}",
        _b(NOTABLE_MIN),
        _b(None),
        ("up", "down"),
        ("notable", "notably", "marked", "noticeable", "particularly notable"),
    ),
    DirectionHedge(
        "significantly",
        f"a large change: y >= {SIGNIFICANT_MIN}",
        _b(SIGNIFICANT_MIN),
        _b(None),
        ("up", "down"),
        ("significantly", "significant", "substantial", "considerable", "strong"),
    ),
    DirectionHedge(
        "sharply",
        f"a very large change: y >= {SHARP_MIN}",
        _b(SHARP_MIN),
        _b(None),
        ("up", "down"),
        ("sharply", "sharp", "surged", "surge", "plunged", "slumped", "soared"),
    ),
    DirectionHedge(
        "flat_or_slightly",
        f"flat or a small move in the stated direction: -{FLAT_BAND} < y < {SLIGHT_MAX}",
        _b(-FLAT_BAND, closed=False),
        _b(SLIGHT_MAX, closed=False),
        ("up", "down"),
        (
            "stable or decline slightly",
            "flat or drop slightly",
            "flat or increase slightly",
            "stable or slight fluctuation",
        ),
    ),
)

_EXACT: Final = VALUE_HEDGES[0]

_ALL: Final[tuple[Hedge, ...]] = VALUE_HEDGES + DIRECTION_HEDGES
HEDGES: Final[dict[str, Hedge]] = {h.key: h for h in _ALL}

# The report's words (lower case) and the hedge key each one means.
WORDS: Final[dict[str, str]] = {w: h.key for h in HEDGES.values() for w in h.words}


def hedge(key: str) -> Hedge:
    """The hedge named ``key``; a clear error for an unknown one."""
    try:
        return HEDGES[key]
    except KeyError:
        known = ", ".join(sorted(HEDGES))
        raise KeyError(f"unknown hedge {key!r} (known: {known})") from None


def is_value_hedge(key: str) -> bool:
    return isinstance(hedge(key), ValueHedge)


def _value_admits(h: ValueHedge, stated: float, resolution: float, actual: float) -> bool:
    if resolution <= 0 or not math.isfinite(resolution):
        raise ValueError(f"resolution must be a positive number, got {resolution!r}")
    # Mirror a stated decrease so that the hedge speaks about magnitudes in its direction.
    s, x = (-stated, -actual) if stated < 0 else (stated, actual)
    slack = _EPS * max(1.0, abs(s))
    lo = h.lo.value
    hi = h.hi.value
    if lo is not None:
        bound = s + lo * resolution
        if (h.lo.closed and x < bound - slack) or (not h.lo.closed and x <= bound):
            return False
    if hi is not None:
        bound = s + hi * resolution
        if (h.hi.closed and x > bound + slack) or (not h.hi.closed and x >= bound):
            return False
    return True


def _toward(direction: Direction, actual: float) -> float:
    if direction == "up":
        return actual
    if direction == "down":
        return -actual
    return abs(actual)


def _direction_admits(h: DirectionHedge, direction: Direction, actual: float) -> bool:
    if direction not in h.directions:
        allowed = " or ".join(h.directions)
        raise ValueError(f"hedge {h.key!r} describes a change {allowed}, not {direction!r}")
    y = _toward(direction, actual)
    return h.lo.below(y) and h.hi.above(y)


def admits(
    hedge_key: str,
    stated: float | None,
    resolution: float | None,
    actual: float,
    direction: Direction | None = None,
) -> bool:
    """Whether a true value ``actual`` is consistent with the report's wording.

    Value hedges need ``stated`` and ``resolution``. Direction hedges need ``direction``
    (or a stated value whose sign gives it); with a stated value, the rounding interval of the
    number must hold as well as the word's band.
    """
    if not math.isfinite(actual):
        return False
    h = hedge(hedge_key)
    if isinstance(h, ValueHedge):
        if stated is None or resolution is None:
            raise ValueError(f"hedge {h.key!r} qualifies a number: give stated and resolution")
        return _value_admits(h, stated, resolution, actual)
    if stated is not None:
        if resolution is None:
            raise ValueError("a stated number needs its resolution")
        if not _value_admits(_EXACT, stated, resolution, actual):
            return False
        if direction is None:
            direction = "flat" if "flat" in h.directions else ("up" if stated >= 0 else "down")
    if direction is None:
        raise ValueError(f"hedge {h.key!r} needs a direction (up, down or flat)")
    return _direction_admits(h, direction, actual)


def describe_change(pct: float) -> str:
    """The hedge key a drafted sentence should use for a change of ``pct`` (% or pp).

    Thresholds: below 0.5 "flat", below 5 "slightly", below 10 "significantly", else
    "sharply"; every choice is admitted by ``admits`` with ``direction_of(pct)``.
    """
    size = abs(pct)
    if size < FLAT_BAND:
        return "flat"
    if size < SLIGHT_MAX:
        return "slightly"
    if size < SHARP_MIN:
        return "significantly"
    return "sharply"


def direction_of(pct: float) -> Direction:
    """The direction a drafted sentence states for a change of ``pct``."""
    if abs(pct) < FLAT_BAND:
        return "flat"
    return "up" if pct > 0 else "down"


def describe_word(key: str) -> str:
    """The usual English word for a hedge key (the first the report uses)."""
    h = hedge(key)
    return h.words[0] if h.words else ""
