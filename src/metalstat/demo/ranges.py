"""The range of true values a target's wording admits, as an interval to calibrate into.

The hedge meanings are those of :mod:`metalstat.catalog.hedges`; this module only turns them
into ``[lo, hi]`` with an aim inside. Open-ended words ("rose significantly") get a finite
upper end chosen here, so the demo's value is a plausible one rather than any large number.
"""

from __future__ import annotations

from dataclasses import dataclass

from metalstat.catalog import hedges
from metalstat.demo.targets import Target

# Open bands ("rose significantly") get a wide upper end, and an aim a plausible distance above
# their lower end, in % (or pp for rate and share changes).
_OPEN_WIDTH = 60.0
_OPEN_AIM = {"direction": 2.0, "notable": 2.0, "significantly": 3.0, "sharply": 5.0}
_OPEN_AIM_PP = {"direction": 1.0, "notable": 1.0, "significantly": 2.0, "sharply": 3.0}
# Closed bands: where to aim, as a fraction of the way from the lower to the upper end.
_AIM = {"slightly": 0.35, "flat_or_slightly": 0.3}


@dataclass(frozen=True)
class Range:
    lo: float
    hi: float
    aim: float

    def contains(self, x: float) -> bool:
        return self.lo <= x <= self.hi


def admitted(t: Target) -> Range:
    """The interval of true values the target admits (with an aim inside it)."""
    h = hedges.hedge(t.hedge)
    if isinstance(h, hedges.ValueHedge):
        assert t.value is not None and t.resolution is not None
        return _value_range(h, t.value, t.resolution)
    lo_y = h.lo.value if h.lo.value is not None else 0.0
    if h.hi.value is not None:
        hi_y = h.hi.value
        aim_y = lo_y + _AIM.get(h.key, 0.5) * (hi_y - lo_y)
    else:
        pp = t.statistic.startswith("pp_") or t.statistic.endswith("_pp")
        hi_y = lo_y + _OPEN_WIDTH
        aim_y = lo_y + (_OPEN_AIM_PP if pp else _OPEN_AIM).get(h.key, 2.0)
    direction = t.direction
    if direction is None:
        assert t.value is not None
        direction = "flat" if "flat" in h.directions else ("up" if t.value >= 0 else "down")
    if direction == "up":
        r = Range(lo_y, hi_y, aim_y)
    elif direction == "down":
        r = Range(-hi_y, -lo_y, -aim_y)
    else:
        r = Range(-hi_y, hi_y, 0.0)
    if t.value is not None:
        assert t.resolution is not None
        exact = _value_range(hedges.hedge("exact"), t.value, t.resolution)  # type: ignore[arg-type]
        lo, hi = max(r.lo, exact.lo), min(r.hi, exact.hi)
        if lo > hi:
            raise ValueError(f"{t.describe()}: the number and the word admit nothing together")
        r = Range(lo, hi, min(max(exact.aim, lo), hi))
    return r


def _value_range(h: hedges.ValueHedge, stated: float, resolution: float) -> Range:
    s = abs(stated)
    lo_steps = h.lo.value if h.lo.value is not None else -0.5
    hi_steps = h.hi.value if h.hi.value is not None else 0.5
    lo, hi = s + lo_steps * resolution, s + hi_steps * resolution
    if stated < 0:
        lo, hi = -hi, -lo
    return Range(lo, hi, (lo + hi) / 2.0)
