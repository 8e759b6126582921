"""The market series the report quotes (port concentrate stocks, treatment charges, tender
prices, nickel price and premium, tin concentrate imports ...), as monthly observations that
agree with every statement the report makes about them.

Each series is a path over the demo's months solved like a production path (levels, MoM and
YoY changes, cumulative sums as conditions) around a gently wandering prior.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from datetime import date

import numpy as np
import polars as pl

from metalstat.demo import paths, timeline
from metalstat.demo.national import in_months
from metalstat.demo.ranges import admitted
from metalstat.demo.targets import Target
from metalstat.engine.calendar import month_end

FIRST = timeline.index("2024-01")


_UNIT_WORDS = ("mt", "yuan", "USD", "%", "days", "kg", "dmt", "wmt", "mtu", "lb")


# Units the pointers do not spell plainly.
_UNITS = {
    "shfe_lead_most_traded_price": "yuan/mt",
    "tin_concentrate_imports": "mt",
    "tin_concentrate_imports_myanmar_metal": "mt tin content",
    "myanmar_share_of_tin_concentrate_imports": "%",
    "yunnan_tin_smelter_raw_material_days": "days",
    "jiangxi_scrap_tin_circulation": "mt",
}


def _unit(about: str, code: str = "") -> str:
    """The unit named in a target's pointer: its last ", unit" or "(unit)" part."""
    if code in _UNITS:
        return _UNITS[code]
    candidates = []
    if "," in about:
        candidates.append(about.rsplit(",", 1)[1].strip())
    candidates.extend(reversed(re.findall(r"\(([^()]*)\)", about)))
    for c in candidates:
        c = c.split(";")[0].replace("monthly average", "").replace("month end", "").strip(" ,")
        if c and len(c) <= 24 and any(w in c for w in _UNIT_WORDS):
            return c
    return ""


def _name(code: str) -> str:
    words = code.replace("_", " ")
    for short, full in (
        ("tc", "TC"),
        ("shfe", "SHFE"),
        ("npi", "NPI"),
        ("map", "MAP"),
        ("ndfeb", "NdFeB"),
        ("hc", "HC"),
        ("avg", "average"),
    ):
        words = re.sub(rf"\b{short}\b", full, words)
    return words[:1].upper() + words[1:]


def series_and_observations(targets: Sequence[Target], seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    by_code: dict[str, list[Target]] = {}
    for t in targets:
        if t.measure == "auxiliary" and t.kind == "actual" and in_months(t):
            by_code.setdefault(t.breakdown["series"], []).append(t)
    series_rows = []
    obs_rows: list[tuple[str, date, float, str]] = []
    for code, ts in by_code.items():
        rng = np.random.default_rng((seed + zlib.crc32(code.encode())) % 2**32)
        values = _solve(ts, rng)
        about = ts[0].about
        series_rows.append((code, _name(code), "", _unit(about, code), ts[0].product, about, True))
        for i in range(FIRST, timeline.N):
            m = timeline.MONTHS[i]
            if m > timeline.LAST and not any(timeline.span(t.period)[1] == i for t in ts):
                continue
            obs_rows.append((code, month_end(m), float(values[i]), ""))
    series = pl.DataFrame(
        series_rows,
        orient="row",
        schema={
            "code": pl.Utf8,
            "name": pl.Utf8,
            "name_zh": pl.Utf8,
            "unit": pl.Utf8,
            "product": pl.Utf8,
            "description": pl.Utf8,
            "highlighted": pl.Boolean,
        },
    )
    observations = pl.DataFrame(
        obs_rows, orient="row", schema={"series": pl.Utf8, "date": pl.Date, "value": pl.Float64, "note": pl.Utf8}
    )
    return series, observations


def _solve(ts: Sequence[Target], rng: np.random.Generator) -> np.ndarray:
    levels = [admitted(t).aim for t in ts if t.statistic == "level"]
    shift = 0.0
    if levels and min(levels) <= 0:
        shift = 3.0 * max(abs(min(levels)), 1.0)
    anchor = (levels[0] + shift) if levels else 100.0
    if anchor <= 0:
        anchor = 100.0
    walk = np.cumprod(1.0 + rng.normal(0.0, 0.012, timeline.N))
    prior = anchor * walk / walk[timeline.T_LAST]
    conds = []
    for t in ts:
        r = admitted(t)
        lo, hi, aim = r.lo, r.hi, r.aim
        if t.statistic in ("level", "ytd_level"):
            k = 1 if t.statistic == "level" else (timeline.span(t.period)[1] - timeline.span(t.period)[0] + 1)
            lo, hi, aim = lo + shift * k, hi + shift * k, aim + shift * k
        elif shift and t.statistic in ("mom_pct", "yoy_pct", "ytd_pct"):
            continue
        conds.append(paths.condition(t.where, "x", t.statistic, t.period, lo, hi, aim=aim))
    sol = paths.solve({"x": prior}, conds, floor=0.01)
    return sol.paths["x"] - shift
