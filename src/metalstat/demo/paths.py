"""Monthly paths that satisfy the report's statements, as a small linear programme.

A product's national series (its headline total, the parts of a breakdown, its metal content
...) are unknown monthly paths over the demo's months. Every statement of the report about
them (a level, a MoM or YoY change in tonnes or %, a January-to-month cumulative, a share)
becomes a linear condition: a linear statistic ``a·x`` lies in ``[lo, hi]``; a growth rate
``100 (a·x / b·x - 1)`` or a ratio ``100 a·x / b·x`` lies in ``[lo, hi]``, which with
``b·x > 0`` is two linear inequalities. Among the paths meeting every condition the solver
takes the one closest (in relative L1 distance) to a plausible prior path (trend, seasonality,
days in the month), with a small pull of every statistic towards the middle of its range so
that values sit inside the report's rounding rather than on its edge.

When the statements cannot all hold (the report contradicts itself), an elastic solve finds the
fewest-weight set of conditions to give up; they are returned, never silently ignored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from metalstat.demo import timeline

Form = Literal["linear", "growth", "ratio"]
Coefs = Mapping[tuple[str, int], float]


@dataclass(frozen=True)
class Condition:
    """A statement as a condition: ``stat(x)`` in ``[lo, hi]``, aiming at ``aim``.

    ``form`` linear: stat = a·x; growth: stat = 100 (a·x / b·x - 1); ratio: stat = 100 a·x / b·x.
    ``a`` and ``b`` map (series, month index) to a coefficient.
    """

    key: str
    form: Form
    a: Coefs
    lo: float
    hi: float
    b: Coefs = field(default_factory=dict)
    aim: float | None = None
    weight: float = 1.0
    priority: int = 0  # when statements conflict, higher priorities are kept first

    @property
    def centre(self) -> float:
        return self.aim if self.aim is not None else (self.lo + self.hi) / 2.0

    def value(self, paths: Mapping[str, np.ndarray]) -> float:
        num = sum(c * paths[s][t] for (s, t), c in self.a.items())
        if self.form == "linear":
            return float(num)
        den = sum(c * paths[s][t] for (s, t), c in self.b.items())
        if self.form == "growth":
            return float(100.0 * (num / den - 1.0))
        return float(100.0 * num / den)

    def holds(self, paths: Mapping[str, np.ndarray], slack: float = 1e-9) -> bool:
        v = self.value(paths)
        width = max(self.hi - self.lo, 1e-12)
        return self.lo - slack * width <= v <= self.hi + slack * width


# -- building conditions from a statistic ----------------------------------------------------


def _sum(series: str, first: int, last: int, weights: np.ndarray | None = None) -> dict[tuple[str, int], float]:
    return {(series, t): (1.0 if weights is None else float(weights[t])) for t in range(first, last + 1)}


def condition(
    key: str,
    series: str,
    statistic: str,
    period: str,
    lo: float,
    hi: float,
    *,
    of: str | None = None,
    aim: float | None = None,
    weight: float = 1.0,
) -> Condition:
    """The condition a statistic of one series puts on the paths.

    ``period`` is a month (``2025-06``) or a span (``2025-01..2025-06``) for the ``ytd_*``
    statistics. ``of`` names the total series for ``share`` (a level in %).
    """
    first, t = timeline.span(period)
    if statistic.startswith("ytd_") and first != timeline.january(t):
        raise ValueError(f"{key}: a cumulative span must start in January ({period})")
    lin: Form = "linear"
    if statistic == "level":
        return Condition(key, lin, {(series, t): 1.0}, lo, hi, aim=aim, weight=weight)
    if statistic == "daily_avg":
        a = {(series, t): 1.0 / timeline.DAYS[t]}
        return Condition(key, lin, a, lo, hi, aim=aim, weight=weight)
    if statistic in ("mom_abs", "yoy_abs"):
        lag = 1 if statistic == "mom_abs" else 12
        a = {(series, t): 1.0, (series, t - lag): -1.0}
        return Condition(key, lin, a, lo, hi, aim=aim, weight=weight)
    if statistic in ("mom_pct", "yoy_pct"):
        lag = 1 if statistic == "mom_pct" else 12
        return Condition(
            key,
            "growth",
            {(series, t): 1.0},
            lo,
            hi,
            b={(series, t - lag): 1.0},
            aim=aim,
            weight=weight,
        )
    if statistic in ("ytd_level", "ytd_abs", "ytd_pct"):
        cur = _sum(series, first, t)
        prev = _sum(series, first - 12, t - 12)
        if statistic == "ytd_level":
            return Condition(key, lin, cur, lo, hi, aim=aim, weight=weight)
        if statistic == "ytd_abs":
            a = dict(cur)
            for k, v in prev.items():
                a[k] = a.get(k, 0.0) - v
            return Condition(key, lin, a, lo, hi, aim=aim, weight=weight)
        return Condition(key, "growth", cur, lo, hi, b=prev, aim=aim, weight=weight)
    if statistic == "share":
        if of is None:
            raise ValueError(f"{key}: a share needs the total it is a share of")
        return Condition(key, "ratio", {(series, t): 1.0}, lo, hi, b={(of, t): 1.0}, aim=aim, weight=weight)
    raise ValueError(f"{key}: statistic {statistic!r} is not a condition on a path")


# -- the linear programme ----------------------------------------------------------------------


@dataclass
class Solution:
    paths: dict[str, np.ndarray]
    dropped: list[Condition]
    shrink: float


class PathError(RuntimeError):
    """No paths satisfy the conditions even after giving up conflicting ones."""


Equality = tuple[Coefs, float]


def solve(
    priors: Mapping[str, np.ndarray],
    conditions: Sequence[Condition],
    *,
    sums: Sequence[tuple[str, Sequence[str]]] = (),
    fixed: Mapping[tuple[str, int], float] | None = None,
    equalities: Sequence[Equality] = (),
    upper: Mapping[str, np.ndarray] | None = None,
    lower: Mapping[str, np.ndarray] | None = None,
    prior_weight: float = 1.0,
    centre_weight: float = 0.02,
    floor: float = 0.05,
) -> Solution:
    """Paths closest to ``priors`` meeting every condition (see the module docstring).

    ``sums``: (total, parts) equalities month by month. ``fixed``: values that must hold
    exactly. ``equalities``: linear combinations that must equal a value. ``upper`` and
    ``lower``: bounds per series and month. ``floor``: without ``lower``, every value stays
    above this fraction of its prior.
    """
    box = _Box(priors, floor, lower, upper)
    dropped: list[Condition] = []
    kept: list[Condition] = []
    # Conditions join by priority, highest first; a conflict gives up conditions of the level
    # being added only, never those already kept.
    for level in sorted({c.priority for c in conditions}, reverse=True):
        trial = [c for c in conditions if c.priority == level]
        while True:
            active = kept + trial
            if _feasible(priors, active, sums, fixed, equalities, box):
                kept = active
                break
            worst = _elastic(priors, active, sums, fixed, equalities, box, soft={id(c) for c in trial})
            if not worst:
                raise PathError("the conditions cannot hold together, and no single one is to blame")
            dropped.extend(worst)
            gone = {id(c) for c in worst}
            trial = [c for c in trial if id(c) not in gone]
    for shrink in (0.6, 0.9, 0.99):
        paths = _solve_once(
            priors, kept, sums, fixed, equalities, box, prior_weight, centre_weight, shrink, given_up=dropped
        )
        if paths is not None:
            return Solution(paths, dropped, shrink)
    raise PathError("no paths satisfy the conditions")


def _feasible(
    priors: Mapping[str, np.ndarray],
    conditions: Sequence[Condition],
    sums: Sequence[tuple[str, Sequence[str]]],
    fixed: Mapping[tuple[str, int], float] | None,
    equalities: Sequence[Equality],
    box: _Box,
) -> bool:
    return _solve_once(priors, conditions, sums, fixed, equalities, box, 1.0, 0.0, 0.99) is not None


class _Program:
    def __init__(self, series: Sequence[str], n_extra: int) -> None:
        self.series = list(series)
        self.col = {s: i * timeline.N for i, s in enumerate(self.series)}
        self.nx = len(self.series) * timeline.N
        self.n = self.nx + n_extra
        self.rows_ub: list[dict[int, float]] = []
        self.rhs_ub: list[float] = []
        self.rows_eq: list[dict[int, float]] = []
        self.rhs_eq: list[float] = []

    def x(self, s: str, t: int) -> int:
        return self.col[s] + t

    def lin(self, coefs: Coefs, scale: float = 1.0) -> dict[int, float]:
        out: dict[int, float] = {}
        for (s, t), c in coefs.items():
            j = self.x(s, t)
            out[j] = out.get(j, 0.0) + c * scale
        return out

    def le(self, row: dict[int, float], rhs: float) -> None:
        self.rows_ub.append(row)
        self.rhs_ub.append(rhs)

    def eq(self, row: dict[int, float], rhs: float) -> None:
        self.rows_eq.append(row)
        self.rhs_eq.append(rhs)

    @staticmethod
    def combine(*parts: tuple[dict[int, float], float]) -> dict[int, float]:
        out: dict[int, float] = {}
        for row, k in parts:
            for j, v in row.items():
                out[j] = out.get(j, 0.0) + v * k
        return out

    def matrices(self) -> tuple[Any, np.ndarray | None, Any, np.ndarray | None]:
        """A_ub, b_ub, A_eq, b_eq for the solver (sparse matrices, or None without rows)."""

        def build(rows: list[dict[int, float]]) -> Any:  # a scipy sparse matrix (untyped)
            if not rows:
                return None
            r = [i for i, row in enumerate(rows) for _ in row]
            c = [j for row in rows for j in row]
            v = [x for row in rows for x in row.values()]
            return coo_matrix((v, (r, c)), shape=(len(rows), self.n)).tocsr()

        return (
            build(self.rows_ub),
            np.array(self.rhs_ub) if self.rows_ub else None,
            build(self.rows_eq),
            np.array(self.rhs_eq) if self.rows_eq else None,
        )


def _den_scale(c: Condition, priors: Mapping[str, np.ndarray]) -> float:
    """The prior value of a condition's denominator, to express deviations in % units."""
    den = sum(v * priors[s][t] for (s, t), v in c.b.items())
    scale: float = max(abs(den), 1e-9) / 100.0
    return scale


def _condition_rows(p: _Program, c: Condition, lo: float, hi: float) -> list[tuple[dict[int, float], float]]:
    """Rows ``row·z <= rhs`` stating lo <= stat <= hi."""
    a = p.lin(c.a)
    if c.form == "linear":
        return [(a, hi), ({j: -v for j, v in a.items()}, -lo)]
    b = p.lin(c.b)
    if c.form == "growth":
        k_hi, k_lo = 1.0 + hi / 100.0, 1.0 + lo / 100.0
    else:
        k_hi, k_lo = hi / 100.0, lo / 100.0
    upper = p.combine((a, 1.0), (b, -k_hi))  # a - k_hi b <= 0
    lower = p.combine((a, -1.0), (b, k_lo))  # -(a - k_lo b) <= 0
    return [(upper, 0.0), (lower, 0.0)]


def _deviation_row(
    p: _Program, c: Condition, priors: Mapping[str, np.ndarray]
) -> tuple[dict[int, float], float, float]:
    """(row, rhs, scale): row·z - rhs is the condition's distance from its centre, in the
    statistic's units × scale."""
    a = p.lin(c.a)
    centre = c.centre
    if c.form == "linear":
        return a, centre, 1.0
    b = p.lin(c.b)
    k = 1.0 + centre / 100.0 if c.form == "growth" else centre / 100.0
    return p.combine((a, 1.0), (b, -k)), 0.0, _den_scale(c, priors)


@dataclass(frozen=True)
class _Box:
    priors: Mapping[str, np.ndarray]
    floor: float
    lower: Mapping[str, np.ndarray] | None
    upper: Mapping[str, np.ndarray] | None

    def bounds(self, p: _Program) -> list[tuple[float | None, float | None]]:
        out: list[tuple[float | None, float | None]] = []
        for s in p.series:
            lo = (
                self.lower[s]
                if self.lower is not None and s in self.lower
                else self.floor * np.maximum(self.priors[s], 0.0)
            )
            hi = self.upper.get(s) if self.upper is not None else None
            for t in range(timeline.N):
                out.append((float(lo[t]), None if hi is None else float(hi[t])))
        out.extend([(0.0, None)] * (p.n - p.nx))
        return out


def _base(
    priors: Mapping[str, np.ndarray],
    sums: Sequence[tuple[str, Sequence[str]]],
    fixed: Mapping[tuple[str, int], float] | None,
    n_extra: int,
    equalities: Sequence[Equality] = (),
) -> _Program:
    p = _Program(list(priors), n_extra)
    for coefs, rhs in equalities:
        p.eq(p.lin(coefs), rhs)
    for total, parts in sums:
        for t in range(timeline.N):
            row = {p.x(total, t): 1.0}
            for s in parts:
                row[p.x(s, t)] = row.get(p.x(s, t), 0.0) - 1.0
            p.eq(row, 0.0)
    for (s, t), v in (fixed or {}).items():
        p.eq({p.x(s, t): 1.0}, v)
    return p


def _solve_once(
    priors: Mapping[str, np.ndarray],
    conditions: Sequence[Condition],
    sums: Sequence[tuple[str, Sequence[str]]],
    fixed: Mapping[tuple[str, int], float] | None,
    equalities: Sequence[Equality],
    box: _Box,
    prior_weight: float,
    centre_weight: float,
    shrink: float,
    given_up: Sequence[Condition] = (),
) -> dict[str, np.ndarray] | None:
    """One solve; ``given_up`` conditions are not required but stay as close as they can
    (a strong pull to their ranges' centres), so a statement the others overrule is missed
    by as little as possible."""
    n_series = len(priors)
    n_prior = n_series * timeline.N
    p = _base(priors, sums, fixed, n_prior + len(conditions) + len(given_up), equalities)
    cost = np.zeros(p.n)
    # |x - prior| / prior for every series and month.
    for s in p.series:
        for t in range(timeline.N):
            j = p.x(s, t)
            d = p.nx + p.series.index(s) * timeline.N + t
            prior = priors[s][t]
            scale = max(abs(prior), 1e-9 + 1e-6 * max(abs(priors[s]).max(), 1.0))
            cost[d] = prior_weight / scale
            p.le({j: 1.0, d: -1.0}, prior)
            p.le({j: -1.0, d: -1.0}, -prior)
    for k, c in enumerate(conditions):
        half = (c.hi - c.lo) / 2.0
        centre = c.centre
        lo = max(c.lo, centre - shrink * (centre - c.lo))
        hi = min(c.hi, centre + shrink * (c.hi - centre))
        for row, rhs in _condition_rows(p, c, lo, hi):
            p.le(row, rhs)
        row, rhs, scale = _deviation_row(p, c, priors)
        e = p.nx + n_prior + k
        cost[e] = centre_weight * c.weight / max(half * scale, 1e-12)
        p.le(p.combine((row, 1.0), ({e: 1.0}, -1.0)), rhs)
        p.le(p.combine((row, -1.0), ({e: 1.0}, -1.0)), -rhs)
    for k, c in enumerate(given_up):
        half = (c.hi - c.lo) / 2.0
        row, rhs, scale = _deviation_row(p, c, priors)
        e = p.nx + n_prior + len(conditions) + k
        cost[e] = 10.0 * c.weight / max(half * scale, 1e-12)
        p.le(p.combine((row, 1.0), ({e: 1.0}, -1.0)), rhs)
        p.le(p.combine((row, -1.0), ({e: 1.0}, -1.0)), -rhs)
    a_ub, b_ub, a_eq, b_eq = p.matrices()
    res = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=box.bounds(p), method="highs")
    if res.status != 0:
        return None
    z = res.x
    return {s: z[p.col[s] : p.col[s] + timeline.N].copy() for s in p.series}


def _elastic(
    priors: Mapping[str, np.ndarray],
    conditions: Sequence[Condition],
    sums: Sequence[tuple[str, Sequence[str]]],
    fixed: Mapping[tuple[str, int], float] | None,
    equalities: Sequence[Equality],
    box: _Box,
    soft: set[int] | None = None,
) -> list[Condition]:
    """The conditions to give up: those an elastic solve (each of ``soft`` may be violated at
    a cost of its weight per half-range; the others must hold) violates."""
    p = _base(priors, sums, fixed, 2 * len(conditions), equalities)
    cost = np.zeros(p.n)
    for k, c in enumerate(conditions):
        half = max((c.hi - c.lo) / 2.0, 1e-12)
        scale = 1.0 if c.form == "linear" else _den_scale(c, priors)
        rows = _condition_rows(p, c, c.lo, c.hi)
        elastic = soft is None or id(c) in soft
        for i, (row, rhs) in enumerate(rows):
            v = p.nx + 2 * k + i
            if not elastic:
                p.le(row, rhs)
                continue
            cost[v] = c.weight / (half * scale)
            p.le(p.combine((row, 1.0), ({v: 1.0}, -1.0)), rhs)
    a_ub, b_ub, a_eq, b_eq = p.matrices()
    res = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=box.bounds(p), method="highs")
    if res.status != 0:
        return []
    z = res.x
    out = []
    for k, c in enumerate(conditions):
        half = max((c.hi - c.lo) / 2.0, 1e-12)
        scale = 1.0 if c.form == "linear" else _den_scale(c, priors)
        if soft is not None and id(c) not in soft:
            continue
        if z[p.nx + 2 * k] + z[p.nx + 2 * k + 1] > 1e-7 * half * scale:
            out.append(c)
    return out
