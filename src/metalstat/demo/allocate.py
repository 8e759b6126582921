"""Producer by producer: output, schedule, status, operating capacity, metal content and
breakdown quantities, from the groups' calibrated sample output (the third step).

Within a group, output is shared by capacity, a plant's own efficiency and a little monthly
noise, never above what its capacity allows in the month. Statuses follow from the change of
daily output (cut, increased, normal), maintenance events, halts and commissioning; reasons
are given where an analyst would ask for one. Breakdown quantities vary from plant to plant
but add up, over the respondents, to the calibrated national composition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

import numpy as np

from metalstat.catalog.model import Product
from metalstat.demo import timeline
from metalstat.demo.cells import Layout
from metalstat.demo.groups import Groups
from metalstat.demo.national import OPCAP, National, other_content
from metalstat.demo.statusplan import BY_NAME, Plan, follow
from metalstat.demo.structure import Structure

CUT, INCREASE = -0.06, 0.06  # daily output change that makes a status cut / increased

REASONS_CUT = (
    "raw-material shortage",
    "losses at current prices",
    "weak orders",
    "equipment problems",
    "power rationing",
)
REASONS_UP = ("restarted after maintenance", "more orders", "better margins", "ramping up")


@dataclass
class Event:
    producer: str
    start: date
    end: date | None
    capacity_affected: float
    reason: str
    planned: bool
    description: str


@dataclass
class Panel:
    """Everything the producers of one product report, month by month.

    Arrays are [producer, month]; month ``T_FORECAST`` holds what June's returns schedule for
    July. ``missing`` marks returns not received (the engine imputes them).
    """

    output: np.ndarray
    metal: np.ndarray | None
    schedule: np.ndarray  # given in month t for t+1
    schedule_metal: np.ndarray | None
    opcap: np.ndarray
    schedule_opcap: np.ndarray
    status: np.ndarray
    reason: np.ndarray
    missing: np.ndarray
    parts: dict[str, np.ndarray] = field(default_factory=dict)  # "dim=value" -> [i, t]
    # Next month's planned parts given in month t (June's only): "dim=value" -> [i, t].
    planned: dict[str, np.ndarray] = field(default_factory=dict)
    # The schedule for t+2 given in month t (June's, where the report speaks of August).
    after_next: np.ndarray | None = None
    events: list[Event] = field(default_factory=list)


def allocate(
    product: Product,
    national: National,
    structure: Structure,
    lay: Layout,
    groups: Groups,
    rng: np.random.Generator,
    *,
    missing: list[tuple[int, int]] = (),  # type: ignore[assignment]
    plan: Plan | None = None,
    notes: list[str] | None = None,
    stated: Sequence[tuple[str, str]] = (),
    within: Sequence[tuple[str, str]] = (),
) -> Panel:
    n: int
    m: int
    n, m = lay.sample.shape
    y = np.zeros((n, m))
    eff = rng.uniform(0.9, 1.08, n)
    noise = np.ones((n, m))
    # Plants differ month to month by about an eighth, with little memory: a real month has
    # some producers cutting while the total rises, which the counts by change must show.
    for t in range(1, m):
        noise[:, t] = 0.2 * noise[:, t - 1] + 0.8 * (1 + rng.normal(0, 0.125, n))
    limit = _limit(product, national, lay)
    for key in groups.names:
        total = groups.output[key]
        for t in range(m):
            members = np.nonzero(groups.label[:, t] == key)[0]
            if len(members) == 0 or total[t] <= 0:
                continue
            y[members, t] = _share(
                total[t], lay.cap_avg[members, t] * eff[members] * noise[members, t], limit[members, t]
            )
    panel = Panel(
        output=y,
        metal=None,
        schedule=np.full((n, m), np.nan),
        schedule_metal=None,
        opcap=np.zeros((n, m)),
        schedule_opcap=np.full((n, m), np.nan),
        status=np.full((n, m), "", dtype=object),
        reason=np.full((n, m), "", dtype=object),
        missing=np.zeros((n, m), dtype=bool),
    )
    for i, t in missing:
        panel.missing[i, t] = True
    if plan is not None and plan.months:
        keep = _kept_sums(structure, lay, stated)
        attrs = [{"region": p.region, "province": p.province, "feedstock": p.feedstock} for p in structure.plants]
        problems = follow(
            plan, panel.output, keep, lay.weight, limit, lay.sample, [p.role for p in structure.plants], attrs
        )
        if notes is not None:
            notes.extend(problems)
        _planned_statuses(structure, plan, panel, rng)
    _forecast_of_missing(lay, groups, panel)
    _maintenance(product, structure, lay, groups, panel, rng)
    _schedules(structure, lay, groups, panel, rng)
    _statuses(product, structure, lay, panel, rng)
    _operating_capacity(product, national, lay, panel)
    _metal(product, national, lay, panel, rng)
    domains = {(dim, part): np.array([getattr(p, dim) for p in structure.plants], dtype=object) for dim, part in within}
    _parts(product, national, lay, panel, rng, domains)
    return panel


def _limit(product: Product, national: National, lay: Layout) -> np.ndarray:
    """The most each producer may make in a month: its capacity × the month's share of a year
    (as the product counts it, never above the month's days; at the running share of
    capacity-basis products), a hair below."""
    cap = lay.cap_avg * timeline.limit_share(product)
    if product.operating_rate == "capacity" and OPCAP in national.paths:
        u = _utilisation(national)
        running: np.ndarray = cap * np.minimum(u, 1.0)[None, :] * 0.995
        return running
    most: np.ndarray = cap * 0.985
    return most


def _utilisation(national: National) -> np.ndarray:
    """Output over running capacity × the month's share of a year, nationally, by month."""
    from metalstat.demo.groups import physical_path

    level = physical_path(national)
    u: np.ndarray = level / timeline.month_share(national.product) / national.paths[OPCAP]
    return u


def _share(total: float, weights: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """Split ``total`` by ``weights`` without any part exceeding its ``limit``."""
    out = np.zeros_like(weights)
    free = np.ones(len(weights), dtype=bool)
    left = total
    for _ in range(len(weights) + 1):
        w = np.where(free, np.maximum(weights, 1e-12), 0.0)
        part = left * w / w.sum()
        over = free & (part > limit)
        if not over.any():
            out[free] = part[free]
            return out
        out[over] = limit[over]
        left -= limit[over].sum()
        free &= ~over
        if not free.any():
            break
    return out


def _kept_sums(structure: Structure, lay: Layout, stated: Sequence[tuple[str, str]]) -> list[tuple[np.ndarray, bool]]:
    """The producer sets whose output the report's statements rest on, as (mask, weighted):
    the national total (weighted) always; for each (dimension, measure) stated, each value's
    weighted output (production, shares, operating capacity) or sample output (operating
    rates); a story's plants one by one."""
    n, m = lay.sample.shape
    masks = [(lay.sample.copy(), True)]
    for dim, measure in stated:
        weighted = measure != "operating_rate"
        if dim == "":
            masks.append((lay.sample.copy(), weighted))
            continue
        if dim == "size_class":
            values = lay.size_class
        else:
            values = np.array([[getattr(p, dim)] * m for p in structure.plants], dtype=object)
        for v in sorted({str(x) for x in values[lay.sample]}):
            masks.append((lay.sample & (values == v), weighted))
    for i, p in enumerate(structure.plants):
        if p.role:
            masks.append((lay.sample & (np.arange(n) == i)[:, None], False))
    return masks


_PLANNED_REASONS = {
    "halted": ("halted on losses", "halted for lack of raw material", "stopped for maintenance"),
    "cut": REASONS_CUT,
    "increased": REASONS_UP,
    "maintenance": ("planned maintenance",),
    "commissioning": ("new capacity ramping up",),
    "normal": ("",),
}


def _planned_statuses(structure: Structure, plan: Plan, panel: Panel, rng: np.random.Generator) -> None:
    """Statuses and reasons of the planned months; a maintenance stop gets its event, within
    the month. For the forecast month there are no returns, only the stops already known:
    maintenance within July, or a plant stopped all July (its plan is zero)."""
    for t, mp in plan.months.items():
        month = timeline.MONTHS[t]
        last = month + timedelta(days=int(timeline.DAYS[t]) - 1)
        for i, category in mp.category.items():
            status = BY_NAME[category].status
            code = structure.plants[i].code
            cap = float(structure.plants[i].capacity(t))
            if t <= timeline.T_LAST:
                panel.status[i, t] = status
                panel.reason[i, t] = str(rng.choice(_PLANNED_REASONS[status]))
            if status == "maintenance":
                start = month + timedelta(days=int(rng.integers(2, 12)))
                end = min(start + timedelta(days=int(rng.integers(6, 14))), last)
                panel.events.append(Event(code, start, end, cap, "maintenance", True, "planned maintenance"))
            elif status == "halted" and t == timeline.T_FORECAST:
                panel.events.append(
                    Event(code, month, last, cap, "maintenance", True, "stop planned for the whole month")
                )


def _forecast_of_missing(lay: Layout, groups: Groups, panel: Panel) -> None:
    """A producer without a June return has no July plan either: the engine puts its June
    output × its stratum's schedule ratio. Shift the difference to its group's respondents so
    the group's July total stays as calibrated (a few rounds, as the ratio moves with them)."""
    june, july = timeline.T_LAST, timeline.T_FORECAST
    y = panel.output
    lost = [i for i in np.nonzero(panel.missing[:, june])[0] if lay.sample[i, july]]
    for _ in range(60):
        worst = 0.0
        for m in lost:
            stratum = lay.stratum[m, june]
            resp = (
                lay.in_panel[:, june] & ~panel.missing[:, june] & (lay.stratum[:, june] == stratum) & (y[:, june] > 0)
            )
            sched = np.where(lay.sample[:, july], y[:, july], 0.0)
            ratio = sched[resp].sum() / y[resp, june].sum()
            engine_value = y[m, june] * ratio
            delta = y[m, july] - engine_value
            mates = np.nonzero((groups.label[:, july] == groups.label[m, july]) & ~panel.missing[:, june])[0]
            if len(mates) == 0 or abs(delta) < 1e-9:
                continue
            y[m, july] = engine_value
            y[mates, july] += delta * y[mates, july] / y[mates, july].sum()
            worst = max(worst, abs(delta) / max(engine_value, 1e-9))
        if worst < 1e-12:
            break


# -- events and statuses ---------------------------------------------------------------------


def _maintenance(
    product: Product,
    structure: Structure,
    lay: Layout,
    groups: Groups,
    panel: Panel,
    rng: np.random.Generator,
) -> None:
    """Routine maintenance: a few stops a year, the group's other producers making up for
    it so the group's output stays as calibrated. Not in the report's last months, whose
    stops are the report's own story."""
    n, _m = lay.sample.shape
    share = timeline.limit_share(product)
    quiet = timeline.index("2025-04")
    for t in range(1, quiet):
        if (panel.status[:, t] != "").any():
            continue  # a month the report's counts plan: no extra stops
        for i in range(n):
            if not lay.sample[i, t] or structure.plants[i].role or rng.random() > 0.025:
                continue
            key = groups.label[i, t]
            others = np.nonzero((groups.label[:, t] == key) & (np.arange(n) != i))[0]
            if len(others) == 0:
                continue
            frac = float(rng.uniform(0.25, 0.6))
            cut = panel.output[i, t] * frac
            room = np.maximum(lay.cap_avg[others, t] * share[t] * 0.985 - panel.output[others, t], 0.0)
            if room.sum() < cut:
                continue
            panel.output[i, t] -= cut
            panel.output[others, t] += cut * room / room.sum()
            start = timeline.MONTHS[t] + timedelta(days=int(rng.integers(0, 10)))
            length = max(3, round(frac * timeline.DAYS[t]))
            end = min(start + timedelta(days=length), timeline.MONTHS[t] + timedelta(days=int(timeline.DAYS[t]) - 1))
            panel.events.append(
                Event(
                    structure.plants[i].code,
                    start,
                    end,
                    float(lay.cap_end[i, t]),
                    "maintenance",
                    True,
                    "scheduled maintenance",
                )
            )
            panel.status[i, t] = "maintenance"
            panel.reason[i, t] = "scheduled maintenance"


def _schedules(structure: Structure, lay: Layout, groups: Groups, panel: Panel, rng: np.random.Generator) -> None:
    """Each return's plan for next month: next month's output give or take a little; June's
    plans are the forecast itself; a producer whose June return is missing had planned June
    exactly (so imputation by its schedule restores it); a plant entering July's frame that
    plans its first month does so in June."""
    n, m = lay.sample.shape
    june, july = timeline.T_LAST, timeline.T_FORECAST
    for t in range(m - 1):
        for i in range(n):
            if not lay.in_panel[i, t] and not (t == june and lay.sample[i, july]):
                continue
            nxt = panel.output[i, t + 1] if t + 1 < m else np.nan
            if t == june:
                panel.schedule[i, t] = panel.output[i, july] if lay.sample[i, july] else 0.0
            elif t + 1 <= june and lay.in_panel[i, t + 1]:
                if panel.missing[i, t + 1]:
                    panel.schedule[i, t] = nxt
                else:
                    panel.schedule[i, t] = max(nxt * (1 + rng.normal(0, 0.025)), 0.0)
            else:
                panel.schedule[i, t] = 0.0
    del structure, groups


def _statuses(product: Product, structure: Structure, lay: Layout, panel: Panel, rng: np.random.Generator) -> None:
    _n, _m = lay.sample.shape
    days = timeline.DAYS
    for i, p in enumerate(structure.plants):
        commissioned = next((r[0] for r in p.records if r[2] == "commissioning"), None)
        for t in range(timeline.T_LAST + 1):
            if not lay.in_panel[i, t] or panel.status[i, t]:
                continue
            y = panel.output[i, t]
            prev = panel.output[i, t - 1] / days[t - 1] if t > 0 and lay.in_panel[i, t - 1] else None
            if y <= 0:
                panel.status[i, t] = "halted"
                panel.reason[i, t] = "production halted"
                continue
            if commissioned is not None and 0 <= _months(commissioned, t) <= 1:
                panel.status[i, t] = "commissioning"
                panel.reason[i, t] = "new capacity ramping up"
                continue
            if prev is None or prev <= 0:
                panel.status[i, t] = "increased" if prev is not None else "normal"
                if prev is not None:
                    panel.reason[i, t] = "resumed production"
                continue
            change = (y / days[t]) / prev - 1.0
            if change <= CUT:
                panel.status[i, t] = "cut"
                panel.reason[i, t] = str(rng.choice(REASONS_CUT))
            elif change >= INCREASE:
                panel.status[i, t] = "increased"
                panel.reason[i, t] = str(rng.choice(REASONS_UP))
            else:
                panel.status[i, t] = "normal"
            # A big gap to last month's plan needs a word for the analyst.
            if t > 0 and not panel.reason[i, t]:
                planned = panel.schedule[i, t - 1]
                if planned and planned > 0 and abs(y / planned - 1.0) > 0.15:
                    panel.reason[i, t] = "output differed from plan"
    del product


def _months(d: date, t: int) -> int:
    m = timeline.MONTHS[t]
    return (m.year - d.year) * 12 + m.month - d.month


# -- other reported quantities ---------------------------------------------------------------


def _operating_capacity(product: Product, national: National, lay: Layout, panel: Panel) -> None:
    """Capacity running at month end: in proportion to output, at the national running share
    for capacity-basis products (so the operating capacity adds up to the calibrated path)."""
    share = timeline.month_share(product)
    if product.operating_rate == "capacity" and OPCAP in national.paths:
        u = _utilisation(national)
    else:
        u = np.full(timeline.N, 0.96)
    annual = panel.output / share[None, :]
    panel.opcap = np.minimum(annual / u[None, :], lay.cap_end)
    panel.opcap[~lay.in_panel] = 0.0
    june, july = timeline.T_LAST, timeline.T_FORECAST
    panel.schedule_opcap[:, june] = np.minimum(panel.output[:, july] / share[july] / u[july], lay.cap_end[:, july])


def _metal(product: Product, national: National, lay: Layout, panel: Panel, rng: np.random.Generator) -> None:
    """Metal content at each plant's grade, the grades averaging (weighted as the engine
    weights) to the calibrated national grade of the month."""
    other = other_content(product)
    if other is None:
        return
    from metalstat.demo.groups import physical_path

    phys = physical_path(national)
    metal = national.total if product.headline_content == "metal" else national.paths["other"]
    grade = metal / phys
    n: int
    m: int
    n, m = panel.output.shape
    # plants' grades differ around the month's average, except for a salt of fixed formula
    spread = rng.normal(0.0, 0.06, n) * (0.0 if product.fixed_formula else 1.0)
    panel.metal = np.zeros((n, m))
    for t in range(m):
        s = lay.sample[:, t]
        wy = lay.weight[s, t] * panel.output[s, t]
        if wy.sum() <= 0:
            continue
        g = grade[t] * (1.0 + spread[s])
        g = g * grade[t] * wy.sum() / (g * wy).sum()
        panel.metal[s, t] = panel.output[s, t] * g
    june, july = timeline.T_LAST, timeline.T_FORECAST
    panel.schedule_metal = np.full((n, m), np.nan)
    panel.schedule_metal[:, june] = panel.metal[:, july]


def _parts(
    product: Product,
    national: National,
    lay: Layout,
    panel: Panel,
    rng: np.random.Generator,
    domains: dict[tuple[str, str], np.ndarray] | None = None,
) -> None:
    """Breakdown quantities of the return-reported dimensions: each plant its own mix, the
    respondents' weighted mix equal to the calibrated composition of the month.

    ``domains``: for a (producer dimension, return partition) the report crosses, each
    plant's value of the producer dimension; the partition's mix is then also calibrated
    within each domain (``_domain_mix``)."""
    n, m = panel.output.shape
    for d in product.dimensions:
        if d.source != "return":
            continue
        names = [f"{d.name}={v}" for v in d.value_names()]
        if not all(s in national.paths for s in names):
            continue
        shares = np.array([national.paths[s] / national.total for s in names])  # [v, t]
        tilt = rng.lognormal(0.0, 0.35, (n, len(names)))
        if product.code == "light_rare_earths" and d.kind == "component":
            # Oxide is every plant's headline output; alloy comes from the plants that also
            # run a metal line (about a third of them).
            tilt[:, 0] = 1.0
            tilt[:, 1] = np.where(np.arange(n) % 3 == 0, tilt[:, 1] * 3.0, 0.0)
        out = {s: np.zeros((n, m)) for s in names}
        tables: dict[tuple[str, int], _Table] = {}
        for t in range(timeline.T_LAST + 1):
            resp = lay.in_panel[:, t] & ~panel.missing[:, t]
            if not resp.any():
                continue
            wy = lay.weight[resp, t] * panel.output[resp, t]
            mix = tilt[resp] * shares[:, t][None, :]
            if d.kind == "partition":
                mix = _ras(mix, shares[:, t], wy)
                for (_dim, part), values in (domains or {}).items():
                    if part == d.name:
                        mix = _domain_mix(mix, wy, values[resp], tables, t, part)
            else:
                for v in range(len(names)):
                    col = (wy * mix[:, v]).sum()
                    if col > 0:
                        mix[:, v] *= shares[v, t] * wy.sum() / col
            for v, s in enumerate(names):
                out[s][resp, t] = panel.output[resp, t] * mix[:, v]
        panel.parts.update(out)


class _Table(NamedTuple):
    """A month's weighted parts of a partition by producer domain (rows) and value."""

    names: list[str]
    table: np.ndarray
    cols: np.ndarray


def _domain_mix(
    mix: np.ndarray,
    wy: np.ndarray,
    values: np.ndarray,
    tables: dict[tuple[str, int], _Table],
    t: int,
    part: str,
) -> np.ndarray:
    """A partition's mix calibrated within producer domains as well as nationally.

    Each domain's weighted parts of month ``t`` (its table) start from the previous month's,
    every part grown as the national part grew, and are fitted (iterative proportional
    fitting) to the domains' weighted output and the national parts; each plant's mix is
    then fitted to its domain's parts. So a domain's part moves with the national part,
    except as its own output moves otherwise: no domain's part moves by chance. The first
    month keeps the plants' own mixes; ``tables`` carries each month's table to the next."""
    cols = (wy[:, None] * mix).sum(axis=0)
    names = sorted({str(v) for v in values})
    rows = np.array([wy[values == v].sum() for v in names])
    prev = tables.get((part, t - 1))
    if prev is None or prev.cols.shape != cols.shape or any(v not in prev.names for v in names):
        table = np.array([(wy[values == v, None] * mix[values == v]).sum(axis=0) for v in names])
    else:
        grow = np.where(prev.cols > 0, cols / np.where(prev.cols > 0, prev.cols, 1.0), 1.0)
        table = np.array([prev.table[prev.names.index(v)] for v in names]) * grow[None, :]
        table = np.maximum(table, 1e-9 * max(float(cols.sum()), 1.0))
        for _ in range(500):
            table *= _ratio(rows, table.sum(axis=1))[:, None]
            factor = _ratio(cols, table.sum(axis=0))
            table *= factor[None, :]
            if np.abs(factor[cols > 0] - 1.0).max(initial=0.0) < 1e-12:
                break
        out = mix.copy()
        for k, v in enumerate(names):
            inside = values == v
            if rows[k] > 0:
                out[inside] = _ras(mix[inside], table[k] / rows[k], wy[inside])
        mix = out
    tables[(part, t)] = _Table(names, table, cols)
    return mix


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a / b, 0 where b is 0 (an empty domain or part stays empty)."""
    out: np.ndarray = np.where(b > 0, a / np.where(b > 0, b, 1.0), 0.0)
    return out


def planned_parts(product: Product, national: National, lay: Layout, panel: Panel) -> None:
    """The planned breakdown of June's schedules for July: each plant starts from its own
    June mix, and the mix of the plants that give a schedule, weighted as the engine weighs
    them in the forecast (July's weight × schedule, × the schedule's grade where the headline
    is metal content), is the calibrated July composition. No random draw: every other
    product's and target's calibration stays as it was. Run once the schedules are final."""
    june, july = timeline.T_LAST, timeline.T_FORECAST
    sched = panel.schedule[:, june]
    givers = lay.in_panel[:, june] & ~panel.missing[:, june] & np.isfinite(sched) & (lay.weight[:, july] > 0)
    givers &= np.where(np.isfinite(sched), sched, 0.0) > 0
    if not givers.any():
        return
    wy = lay.weight[givers, july] * sched[givers]
    if product.headline_content == "metal" and product.content == "both" and panel.schedule_metal is not None:
        wy = wy * panel.schedule_metal[givers, june] / sched[givers]
    out_june = panel.output[givers, june]
    for d in product.dimensions:
        names = [f"{d.name}={v}" for v in d.value_names()]
        if d.source != "return" or not all(s in panel.parts for s in names):
            continue
        shares = np.array([national.paths[s][july] / national.total[july] for s in names])
        own = np.array([panel.parts[s][givers, june] for s in names]).T
        mix = np.where(out_june[:, None] > 0, own / np.where(out_june > 0, out_june, 1.0)[:, None], shares[None, :])
        if d.kind == "partition":
            mix = _ras(np.where(mix.sum(axis=1, keepdims=True) > 0, mix, shares[None, :]), shares, wy)
        else:
            for v in range(len(names)):
                col = (wy * mix[:, v]).sum()
                if col > 0:
                    mix[:, v] *= shares[v] * wy.sum() / col
        for v, name in enumerate(names):
            planned = np.full(panel.output.shape, np.nan)
            planned[givers, june] = sched[givers] * mix[:, v]
            panel.planned[name] = planned


def after_next(lay: Layout, panel: Panel, rise: float, rng: np.random.Generator, cover: float = 0.88) -> None:
    """June's schedules for August: the largest June respondents with a schedule, down to
    ``cover`` of July's frame capacity (above the product's minimum coverage, which the
    forecast's second month needs), each planning its July schedule × (1 + ``rise``) with a
    little noise of its own. The others give none."""
    june, july = timeline.T_LAST, timeline.T_FORECAST
    sched = panel.schedule[:, june]
    ok = lay.in_panel[:, june] & ~panel.missing[:, june] & np.isfinite(sched) & (np.nan_to_num(sched) > 0)
    order = [i for i in np.argsort(-lay.cap_avg[:, july], kind="stable") if ok[i]]
    frame = lay.cap_avg[:, july].sum()
    panel.after_next = np.full(panel.output.shape, np.nan)
    covered = 0.0
    for i in order:
        if covered >= cover * frame:
            break
        panel.after_next[i, june] = sched[i] * (1.0 + rise) * (1.0 + rng.normal(0.0, 0.005))
        covered += lay.cap_avg[i, july]


def _ras(mix: np.ndarray, shares: np.ndarray, wy: np.ndarray) -> np.ndarray:
    """Scale a plants × values mix so each plant's mix sums to 1 and the ``wy``-weighted mix
    is ``shares`` (iterative proportional fitting)."""
    mix = mix.copy()
    target_cols = shares / shares.sum() * wy.sum()
    for _ in range(200):
        mix /= mix.sum(axis=1, keepdims=True)
        cols = (wy[:, None] * mix).sum(axis=0)
        factor = np.where(cols > 0, target_cols / np.where(cols > 0, cols, 1.0), 1.0)
        mix *= factor[None, :]
        if np.abs(factor - 1.0).max() < 1e-12:
            break
    mix /= mix.sum(axis=1, keepdims=True)
    return mix
