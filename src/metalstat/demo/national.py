"""National paths of a product, calibrated to the report: the first step of the generator.

For each product: the headline production path over the demo's months (January 2023 to the
July 2025 forecast), the other content basis for products counted in both, the parts of every
return-reported breakdown (series, raw material, form, grade ...), and, for products whose
operating rate is on capacity basis, the operating capacity against a stated capacity path.
Every target about these series becomes a condition of :mod:`metalstat.demo.paths`; the prior
is the chosen June 2025 level (``choices.toml``) with a trend, the Spring Festival dip and the
days of each month.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from metalstat.catalog.model import Product
from metalstat.demo import paths, timeline
from metalstat.demo.choices import Choice
from metalstat.demo.ranges import admitted
from metalstat.demo.targets import Target

PATH_STATISTICS = ("level", "daily_avg", "mom_abs", "mom_pct", "yoy_abs", "yoy_pct", "ytd_level", "ytd_abs", "ytd_pct")
TOTAL, OTHER, OPCAP = "total", "other", "opcap"


@dataclass
class National:
    """A product's calibrated national paths and what became of each target."""

    product: Product
    paths: dict[str, np.ndarray]
    capacity: np.ndarray | None  # frame capacity path (capacity-basis products), unit/year
    used: list[Target] = field(default_factory=list)
    given_up: list[tuple[Target, str]] = field(default_factory=list)

    @property
    def total(self) -> np.ndarray:
        return self.paths[TOTAL]


def other_content(product: Product) -> str | None:
    """The content basis that is not the headline, for products counted in both."""
    if product.content != "both":
        return None
    return "physical" if product.headline_content == "metal" else "metal"


def series_of(product: Product, t: Target) -> str | None:
    """The national series a production target speaks about, or None if it is not one."""
    bd = dict(t.breakdown)
    content = bd.pop("content", None)
    if content is not None and content != product.headline_content and product.content == "both":
        if bd:
            return None
        return OTHER
    if not bd:
        return TOTAL
    if len(bd) == 1:
        ((dim, value),) = bd.items()
        for d in product.dimensions:
            if d.name == dim and d.source == "return":
                return f"{dim}={value}"
    return None


def in_months(t: Target) -> bool:
    """Whether the target's period lies within the demo's months."""
    try:
        timeline.span(t.period)
    except KeyError:
        return False
    return True


def _condition(t: Target, series: str, *, of: str | None = None) -> paths.Condition:
    r = admitted(t)
    stat = t.statistic
    return paths.condition(
        t.where or t.describe(), series, stat, t.period, r.lo, r.hi, of=of, aim=r.aim, weight=_weight(t)
    )


def _on_headline(product: Product, t: Target) -> paths.Condition:
    """A statement on the other content of a fixed formula, as a condition on the headline
    (its quantities times the formula's ratio; its % changes as they are)."""
    f = product.metal_factor or 1.0
    k = f if product.headline_content == "metal" else 1.0 / f
    r = admitted(t)
    lo, hi, aim = r.lo, r.hi, r.aim
    if not t.statistic.endswith("pct"):
        lo, hi, aim = lo * k, hi * k, aim * k
    return paths.condition(t.where or t.describe(), TOTAL, t.statistic, t.period, lo, hi, aim=aim, weight=_weight(t))


def _weight(t: Target) -> float:
    """Numbers outrank words when the report contradicts itself."""
    return 10.0 if t.value is not None else 1.0


def prior_path(level: float, choice: Choice, yoy: float | None, rng: np.random.Generator) -> np.ndarray:
    """A plausible path through ``level`` in June 2025: trend, festival dip, days, noise."""
    growth = (yoy if yoy is not None else choice.trend) / 100.0
    t = np.arange(timeline.N) - timeline.T_LAST
    trend = (1.0 + growth) ** (t / 12.0)
    season = np.ones(timeline.N)
    for i, m in enumerate(timeline.MONTHS):
        if m.month == 2:
            season[i] = choice.festival
        elif m.month == 1:
            season[i] = 1.0 - (1.0 - choice.festival) / 3.0
    noise = 1.0 + rng.normal(0.0, 0.006, timeline.N)
    daily = trend * season * noise
    daily_jun = daily[timeline.T_LAST]
    path: np.ndarray = level * daily / daily_jun * timeline.DAYS / timeline.DAYS[timeline.T_LAST]
    return path


def calibrate(
    product: Product,
    targets: Sequence[Target],
    choice: Choice,
    rng: np.random.Generator,
    capacity: np.ndarray | None = None,
    extra: Sequence[paths.Condition] = (),
) -> National:
    """Solve the product's national paths (see the module docstring).

    ``capacity``: the frame capacity path for capacity-basis products (it turns rate targets
    into conditions on the operating capacity). ``extra``: conditions a story derives from
    statements that are not about the paths themselves (rates that tie two months' output),
    each keyed by the statement it stands for."""
    own = [t for t in targets if t.product == product.code and in_months(t)]
    conds: list[paths.Condition] = []
    used: list[Target] = []
    share_pp: list[tuple[Target, str]] = []
    series: set[str] = {TOTAL}
    other = other_content(product)
    if other is not None:
        series.add(OTHER)
    for t in own:
        if t.measure == "production" and t.statistic in PATH_STATISTICS:
            s = series_of(product, t)
            if s is None:
                continue
            series.add(s)
            conds.append(_condition(t, s) if not (s == OTHER and product.fixed_formula) else _on_headline(product, t))
            used.append(t)
        elif t.measure == "share" and len(t.breakdown) == 1:
            ((dim, value),) = t.breakdown.items()
            if not any(d.name == dim and d.source == "return" for d in product.dimensions):
                continue
            s = f"{dim}={value}"
            series.add(s)
            if t.statistic == "level":
                r = admitted(t)
                conds.append(
                    paths.condition(t.where, s, "share", t.period, r.lo, r.hi, of=TOTAL, aim=r.aim, weight=_weight(t))
                )
                used.append(t)
            elif t.statistic == "pp_mom":
                share_pp.append((t, s))
        elif t.measure in ("operating_capacity", "operating_rate") and capacity is not None:
            if t.breakdown or t.statistic not in (
                "level",
                "mom_pct",
                "pp_mom",
                "pp_yoy",
                "mom_abs",
            ):
                continue
            series.add(OPCAP)
            conds.append(_opcap_condition(t, capacity))
            used.append(t)
    # Every value of a return dimension that has any series gets one, so partitions add up.
    sums: list[tuple[str, list[str]]] = []
    for d in product.dimensions:
        if d.source != "return":
            continue
        names = [f"{d.name}={v}" for v in d.value_names()]
        if not any(n in series for n in names):
            continue
        series.update(names)
        if d.kind == "partition":
            sums.append((TOTAL, names))
    level = choice.level
    yoy = next(
        (
            admitted(t).aim
            for t in own
            if t.measure == "production" and not t.breakdown and t.statistic == "yoy_pct" and t.kind == "actual"
        ),
        None,
    )
    base = prior_path(level, choice, yoy, rng)
    priors = {s: _prior_for(product, s, base, choice, capacity, own) for s in sorted(series)}
    conds.extend(_component_bounds(product, series))
    conds.extend(extra)
    sol = paths.solve(priors, conds, sums=sums)
    # Share changes need the shares of both months: linearise around the first solution.
    if share_pp:
        extra = []
        for t, s in share_pp:
            extra.append(_share_pp_condition(t, s, sol.paths))
            used.append(t)
        sol = paths.solve(priors, conds + extra, sums=sums)
    given_up = [
        (t, "the report's statements about this series contradict each other")
        for t in used
        if any(c.key == t.where for c in sol.dropped)
    ]
    given_up += [
        (t, "the output it implies contradicts the report's production statements")
        for t in own
        if t not in used and any(c.key == t.where for c in sol.dropped)
    ]
    return National(product, _fixed_formula(product, sol.paths), capacity, used, given_up)


def _fixed_formula(product: Product, solved: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """A salt of fixed formula has one grade: the other content is the headline converted
    with the catalog's metal factor, month by month (so both move by the same %)."""
    if not product.fixed_formula or OTHER not in solved or product.metal_factor is None:
        return solved
    f = product.metal_factor
    total = solved[TOTAL]
    return {**solved, OTHER: total / f if product.headline_content == "metal" else total * f}


def _prior_for(
    product: Product,
    s: str,
    base: np.ndarray,
    choice: Choice,
    capacity: np.ndarray | None,
    targets: Sequence[Target],
) -> np.ndarray:
    if s == TOTAL:
        return base
    if s == OTHER:
        f = product.metal_factor or 1.0
        return base / f if product.headline_content == "metal" else base * f
    if s == OPCAP:
        assert capacity is not None
        return capacity * choice.rate / 100.0
    dim, value = s.split("=", 1)
    d = product.dimension(dim)
    stated = [
        t
        for t in targets
        if t.measure == "share" and t.breakdown.get(dim) == value and t.statistic == "level" and t.value is not None
    ]
    if stated:
        return base * float(stated[0].value or 0.0) / 100.0
    if d.kind == "component":
        return base * (1.0 if value == d.values[0].name and product.code == "light_rare_earths" else 0.3)
    # Values without a stated share split what the stated ones leave, equally.
    names = d.value_names()
    left = 100.0 - sum(
        float(t.value or 0.0)
        for t in targets
        if t.measure == "share"
        and t.statistic == "level"
        and t.kind == "actual"
        and t.breakdown.get(dim) in names
        and t.value is not None
    )
    unstated = [v for v in names if not any(t.measure == "share" and t.breakdown.get(dim) == v for t in targets)]
    return base * max(left, 5.0) / 100.0 / max(len(unstated), 1)


def _component_bounds(product: Product, series: set[str]) -> list[paths.Condition]:
    """A component is a part of the total: between 0 and 100% of it, month by month (the
    oxide series of light rare earths is the headline itself)."""
    out = []
    for d in product.dimensions:
        if d.source != "return" or d.kind != "component":
            continue
        for v in d.value_names():
            s = f"{d.name}={v}"
            if s not in series:
                continue
            same = product.code == "light_rare_earths" and v == d.values[0].name
            lo, hi, aim = (99.999, 100.001, 100.0) if same else (1.0, 99.0, 30.0)
            for label in timeline.LABELS:
                out.append(
                    paths.condition(
                        f"{s} within total {label}", s, "share", label, lo, hi, of=TOTAL, aim=aim, weight=0.01
                    )
                )
    return out


def _share_pp_condition(t: Target, s: str, sol: dict[str, np.ndarray]) -> paths.Condition:
    """share(t) - share(t-1) in pp, linear given each month's total from a first solution."""
    r = admitted(t)
    i = timeline.index(t.period)
    tot_now, tot_prev = sol[TOTAL][i], sol[TOTAL][i - 1]
    a = {(s, i): 100.0 / tot_now, (s, i - 1): -100.0 / tot_prev}
    return paths.Condition(t.where, "linear", a, r.lo, r.hi, aim=r.aim, weight=_weight(t))


def _opcap_condition(t: Target, capacity: np.ndarray) -> paths.Condition:
    """Operating capacity and capacity-basis rate targets on the operating-capacity path."""
    r = admitted(t)
    i = timeline.index(t.period)
    if t.measure == "operating_capacity":
        return paths.condition(t.where, OPCAP, t.statistic, t.period, r.lo, r.hi, aim=r.aim, weight=_weight(t))
    # operating rate = 100 opcap / capacity: linear in opcap with the capacity path given.
    if t.statistic == "level":
        a = {(OPCAP, i): 100.0 / capacity[i]}
    elif t.statistic == "pp_mom":
        a = {(OPCAP, i): 100.0 / capacity[i], (OPCAP, i - 1): -100.0 / capacity[i - 1]}
    else:  # pp_yoy
        a = {(OPCAP, i): 100.0 / capacity[i], (OPCAP, i - 12): -100.0 / capacity[i - 12]}
    return paths.Condition(t.where, "linear", a, r.lo, r.hi, aim=r.aim, weight=_weight(t))
