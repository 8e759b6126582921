"""Sample output by group of alike producers, calibrated to the report: the second step.

A group is the set of sample producers sharing stratum, size class, region, province,
feedstock route and story role in a month, so every breakdown the engine publishes is a union
of groups and every group has one expansion weight. The unknowns are the groups' sample
outputs Y_g(t); the engine's figures are linear in them given the frame:

- national production Σ_g w_g Y_g must equal the calibrated national path (step one);
- a domain's production (a region, a province, a route, a size class) is Σ_{g∈D} w_g Y_g;
- an output-basis operating rate over a set G is 100 Σ_G Y_g / (Σ_G c_g × s), with s the
  month's share of a year as the product counts it (d/365, or 1/12).

So the report's statements about domains and rates are conditions of the same linear
programme (:mod:`metalstat.demo.paths`), solved for the groups' monthly paths.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from metalstat.catalog.model import Product
from metalstat.demo import paths, timeline
from metalstat.demo.cells import Layout
from metalstat.demo.national import National, in_months, other_content
from metalstat.demo.ranges import admitted
from metalstat.demo.structure import Structure
from metalstat.demo.targets import Target

ATTRIBUTES = ("size_class", "region", "province", "feedstock")
HYDRO_PROVINCES = {"Sichuan", "Yunnan"}
# Daily output of hydropower-based plants by month, relative to the year: dry winter, wet
# summer (June to October).
HYDRO_SEASON = {1: 0.62, 2: 0.55, 3: 0.6, 4: 0.72, 5: 0.9, 6: 1.2, 7: 1.35, 8: 1.4, 9: 1.38, 10: 1.25, 11: 0.9, 12: 0.7}
HYDRO_PRODUCTS = {"silicon_metal", "polysilicon", "simn_alloy", "hc_ferrochrome"}


@dataclass
class Groups:
    """Group labels and the calibrated sample output of each group and month."""

    label: np.ndarray  # [producer, month] group label ("" outside the sample)
    names: list[str]
    weight: dict[str, np.ndarray]  # per group: expansion weight by month
    capacity: dict[str, np.ndarray]  # per group: sample day-weighted capacity by month
    attrs: dict[str, dict[str, str]]  # per group: its attribute values
    output: dict[str, np.ndarray] = field(default_factory=dict)  # calibrated Y_g(t)
    used: list[Target] = field(default_factory=list)
    given_up: list[tuple[Target, str]] = field(default_factory=list)


def physical_path(national: National) -> np.ndarray:
    """National output in physical content (the engine's domains are physical)."""
    if other_content(national.product) == "physical":
        return national.paths["other"]
    return national.total


def make_groups(structure: Structure, lay: Layout) -> Groups:
    plants = structure.plants
    n, m = lay.sample.shape
    label = np.full((n, m), "", dtype=object)
    attrs: dict[str, dict[str, str]] = {}
    weight: dict[str, np.ndarray] = {}
    capacity: dict[str, np.ndarray] = {}
    for i, p in enumerate(plants):
        for t in range(m):
            if not lay.sample[i, t]:
                continue
            a = {
                "size_class": str(lay.size_class[i, t]),
                "region": p.region,
                "province": p.province,
                "feedstock": p.feedstock,
                "role": p.role,
            }
            key = "|".join([str(lay.stratum[i, t])] + [a[k] for k in (*ATTRIBUTES, "role")])
            label[i, t] = key
            if key not in attrs:
                attrs[key] = a
                weight[key] = np.zeros(m)
                capacity[key] = np.zeros(m)
            weight[key][t] = lay.weight[i, t]
            capacity[key][t] += lay.cap_avg[i, t]
    names = sorted(attrs)
    return Groups(label, names, weight, capacity, attrs)


def _rate_tilt(product: Product, targets: Sequence[Target]) -> dict[tuple[str, str], float]:
    """How a breakdown value's operating rate stands to the whole one (the report's June
    rates), so a group's history runs at its own level rather than jumping to it in May."""
    june = timeline.LABELS[timeline.T_LAST]
    levels: dict[tuple[str, str], float] = {}
    overall = None
    for t in targets:
        if (
            t.product != product.code
            or t.measure != "operating_rate"
            or t.kind != "actual"
            or t.period != june
            or t.statistic != "level"
        ):
            continue
        if not t.breakdown:
            overall = admitted(t).aim
        elif len(t.breakdown) == 1:
            ((dim, value),) = t.breakdown.items()
            levels[(dim, value)] = admitted(t).aim
    if overall is None:
        return {}
    return {k: v / overall for k, v in levels.items()}


def _tilt_of(attrs: dict[str, str], tilt: dict[tuple[str, str], float]) -> float:
    f = 1.0
    for (dim, value), factor in tilt.items():
        if attrs.get(dim) == value:
            f *= factor
    return f


def _season(product: Product, attrs: dict[str, str]) -> np.ndarray:
    if product.code in HYDRO_PRODUCTS and attrs["province"] in HYDRO_PROVINCES:
        return np.array([HYDRO_SEASON[mo.month] for mo in timeline.MONTHS])
    return np.ones(timeline.N)


def calibrate(
    product: Product,
    targets: Sequence[Target],
    national: National,
    structure: Structure,
    lay: Layout,
    *,
    max_rate: float = 0.97,
    pins: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
    halted: dict[int, float] | None = None,
    lean: Callable[[dict[str, str], np.ndarray], np.ndarray] | None = None,
) -> Groups:
    """Solve the groups' sample output paths (see the module docstring).

    ``pins``: for story groups, (lowest, highest) operating rate by month. ``halted``: by
    month, the share of the sample's capacity the report has at zero output (it cannot carry
    output). ``lean``: a story's factor on a group's prior rate by month, given the group's
    attributes and capacity path (a region the report says grew most); the priors still add
    up to the national path, so the others lean the other way."""
    g = make_groups(structure, lay)
    running = {k: v.copy() for k, v in g.capacity.items()}
    for i, stopped in (halted or {}).items():
        for v in running.values():
            v[i] *= 1.0 - stopped
    level = physical_path(national)
    share = timeline.month_share(product)
    # A group's output never goes above what its plants can physically make in the month's
    # days (allocate's limit): beyond it the plants could not carry the group's output and
    # the national total would fall short (hydropower plants in the wet season; a twelfth of
    # the year in a short month).
    most = timeline.limit_share(product) * 0.985
    priors: dict[str, np.ndarray] = {}
    upper: dict[str, np.ndarray] = {}
    lower: dict[str, np.ndarray] = {}
    tilt = _rate_tilt(product, targets)
    season = {k: _season(product, g.attrs[k]) * _tilt_of(g.attrs[k], tilt) for k in g.names}
    if lean is not None:
        season = {k: v * lean(g.attrs[k], g.capacity[k]) for k, v in season.items()}
    denom = np.zeros(timeline.N)
    for k in g.names:
        denom += g.weight[k] * g.capacity[k] * season[k]
    rho = np.where(denom > 0, level / share / np.where(denom > 0, denom, 1.0), 0.0)
    for k in g.names:
        potential = g.capacity[k] * share
        priors[k] = rho * season[k] * potential
        hi = np.maximum(max_rate, np.minimum(rho * season[k] * 1.05, 1.04)) * running[k] * share
        lo = 0.02 * priors[k]
        if pins and g.attrs[k]["role"] in pins:
            r_lo, r_hi = pins[g.attrs[k]["role"]]
            lo = r_lo * potential
            hi = r_hi * potential
            priors[k] = (r_lo + r_hi) / 2 * potential
        upper[k] = np.minimum(hi, g.capacity[k] * most)
        lower[k] = np.minimum(lo, upper[k])
    equalities = []
    for i in range(timeline.N):
        coefs = {(k, i): float(g.weight[k][i]) for k in g.names if g.weight[k][i] > 0}
        if coefs:
            equalities.append((coefs, float(level[i])))
    conds: list[paths.Condition] = []
    for t in targets:
        if t.product != product.code or not in_months(t):
            continue
        c = _condition(product, t, g, level, national)
        if c is not None:
            # The report's own month first, then May, then the forecast; within each, the
            # headline before size classes before other breakdowns.
            month = (
                2
                if t.period == timeline.LABELS[timeline.T_LAST] and t.kind == "actual"
                else 1
                if t.kind == "actual"
                else 0
            )
            depth = 2 if not t.breakdown else 1 if "size_class" in t.breakdown else 0
            c = replace(c, priority=month * 10 + depth)
            conds.append(c)
            g.used.append(t)
    sol = paths.solve(priors, conds, equalities=equalities, upper=upper, lower=lower)
    g.output = sol.paths
    dropped = {c.key for c in sol.dropped}
    g.given_up = [(t, "contradicts other statements or the frame") for t in g.used if t.where in dropped]
    return g


# -- conditions --------------------------------------------------------------------------------


def _members(g: Groups, dim: str | None, value: str | None) -> list[str]:
    if dim is None:
        return list(g.names)
    return [k for k in g.names if g.attrs[k].get(dim) == value]


def _single_key(product: Product, t: Target) -> tuple[str, str] | bool | None:
    """(dimension, value) of a one-key producer breakdown; None for the total; False when the
    target is not about the groups."""
    bd = dict(t.breakdown)
    if product.content == "both":
        content = bd.pop("content", None)
        # A domain's metal content moves with its physical output (grades change little from
        # month to month), so a direction stated in metal is calibrated on the physical.
        if content not in (None, "physical") and (not bd or t.value is not None):
            return False
    if not bd:
        return None
    if len(bd) != 1:
        return False
    ((dim, value),) = bd.items()
    if dim not in ATTRIBUTES:
        return False
    if dim != "size_class" and not any(d.name == dim and d.source == "producer" for d in product.dimensions):
        return False
    return dim, value


def _condition(product: Product, t: Target, g: Groups, level: np.ndarray, national: National) -> paths.Condition | None:
    key = _single_key(product, t)
    if key is False:
        return None
    dim, value = key if isinstance(key, tuple) else (None, None)
    members = _members(g, dim, value)
    if not members:
        return None
    r = admitted(t)
    # Numbers outrank words; June's figures outrank July's forecast when both cannot hold.
    w = (10.0 if t.kind == "actual" else 3.0) if t.value is not None else 1.0
    w *= 3.0 if not t.breakdown else 1.0  # the headline figure before its breakdowns
    if t.measure == "production" and dim is not None:

        def lvl(i: int) -> dict[tuple[str, int], float]:
            return {(k, i): float(g.weight[k][i]) for k in members if g.weight[k][i] > 0}

        return _stat_condition(t, lvl, r.lo, r.hi, r.aim, w)
    if (
        t.measure == "operating_capacity"
        and dim is not None
        and national.capacity is not None
        and "opcap" in national.paths
    ):
        # Running capacity moves with output: output / the month's share of a year / the
        # national utilisation.
        share = timeline.month_share(product)
        u = physical_path(national) / share / national.paths["opcap"]

        def running(i: int) -> dict[tuple[str, int], float]:
            f = 1.0 / (share[i] * u[i])
            return {(k, i): float(g.weight[k][i]) * f for k in members if g.weight[k][i] > 0}

        return _stat_condition(t, running, r.lo, r.hi, r.aim, w)
    if t.measure == "share" and dim is not None and t.statistic == "level":
        i = timeline.index(t.period)
        a = {(k, i): 100.0 * float(g.weight[k][i]) / float(level[i]) for k in members}
        return paths.Condition(t.where, "linear", a, r.lo, r.hi, aim=r.aim, weight=w)
    if t.measure == "operating_rate" and product.operating_rate == "output":
        if dim is not None and dim != "size_class":
            d = product.dimension(dim)
            if not d.operating_rate:
                return None

        share = timeline.month_share(product)

        def rate(i: int) -> dict[tuple[str, int], float]:
            cap = sum(float(g.capacity[k][i]) for k in members)
            if cap <= 0:
                return {}
            f = 100.0 / (share[i] * cap)
            return {(k, i): f for k in members if g.capacity[k][i] > 0}

        i = timeline.index(t.period)
        if t.statistic == "level":
            return paths.Condition(t.where, "linear", rate(i), r.lo, r.hi, aim=r.aim, weight=w)
        if t.statistic in ("pp_mom", "pp_yoy"):
            lag = 1 if t.statistic == "pp_mom" else 12
            a = dict(rate(i))
            for kk, v in rate(i - lag).items():
                a[kk] = a.get(kk, 0.0) - v
            return paths.Condition(t.where, "linear", a, r.lo, r.hi, aim=r.aim, weight=w)
    return None


def _stat_condition(
    t: Target,
    lvl: Callable[[int], paths.Coefs],
    lo: float,
    hi: float,
    aim: float,
    weight: float,
) -> paths.Condition | None:
    _first, i = timeline.span(t.period)
    s = t.statistic
    if s == "level":
        return paths.Condition(t.where, "linear", lvl(i), lo, hi, aim=aim, weight=weight)
    if s in ("mom_abs", "yoy_abs"):
        lag = 1 if s == "mom_abs" else 12
        a = dict(lvl(i))
        for k, v in lvl(i - lag).items():
            a[k] = a.get(k, 0.0) - v
        return paths.Condition(t.where, "linear", a, lo, hi, aim=aim, weight=weight)
    if s in ("mom_pct", "yoy_pct"):
        lag = 1 if s == "mom_pct" else 12
        b = lvl(i - lag)
        if not b:
            return None
        return paths.Condition(t.where, "growth", lvl(i), lo, hi, b=b, aim=aim, weight=weight)
    return None
