"""Who did what in the report's months: producers by status and by direction of change.

Where the report counts producers (15 antimony producers at zero output, four more than in
May; one nickel refinery cut; nearly 40% of copper smelters reduced output, twice May's
share), a small mixed-integer programme per month chooses which demo producers those are and
re-splits each group's calibrated output among its producers accordingly: every producer
falls into one category (halted, cut, under maintenance, increased, or normal running flat,
slightly down or slightly up), each with the move of daily output against the month before it
implies; the categories' counts equal the report's, every group keeps its total, and the
outputs stay as close as possible to the unplanned ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from metalstat.demo import timeline
from metalstat.demo.ranges import admitted
from metalstat.demo.targets import Target


@dataclass(frozen=True)
class Category:
    name: str
    status: str  # the status the producer reports
    lo: float  # daily output against last month's, lowest ratio
    hi: float  # highest ratio
    down: bool = False  # counts as "reduced" (daily output lower than last month)
    up: bool = False  # counts as "increased"
    max_rate: float = 1.0  # highest operating rate (a cut plant runs well below capacity)


# A status says how a plant runs (a cut plant may still make a little more than last month,
# at a low rate); the direction is what its daily output did against last month.
CATEGORIES: tuple[Category, ...] = (
    Category("halted", "halted", 0.0, 0.0),
    Category("cut_down", "cut", 0.3, 0.995, down=True),
    Category("cut_flat", "cut", 1.0, 1.0, max_rate=0.7),
    Category("cut_up", "cut", 1.005, 1.6, up=True, max_rate=0.6),
    Category("maintenance", "maintenance", 0.2, 0.92, down=True),
    Category("increased", "increased", 1.05, 3.0, up=True),
    Category("commissioning", "commissioning", 1.1, 5.0, up=True),
    Category("normal_down", "normal", 0.93, 0.995, down=True),
    Category("normal_flat", "normal", 1.0, 1.0),  # exactly last month's daily output
    Category("normal_up", "normal", 1.005, 1.07, up=True),
)
BY_NAME = {c.name: c for c in CATEGORIES}


@dataclass
class MonthPlan:
    """What the report says about one month's producers."""

    counts: dict[str, int] = field(default_factory=dict)  # status -> producers reporting it
    n_down: int | None = None  # matched producers whose daily output fell
    n_up: int | None = None
    n_down_step: int | None = None  # ... or as many as the month before, plus this
    n_up_step: int | None = None
    fixed: dict[int, str] = field(default_factory=dict)  # producer -> category (a story's)
    # Counts within a breakdown value: (dimension, value, status or "reduced"/"increased").
    cross: dict[tuple[str, str, str], int] = field(default_factory=dict)
    # Whether a share of producers (%) is what the report states, by "down" / "up".
    share_ok: dict[str, Callable[[float], bool]] = field(default_factory=dict)
    # Filled when followed:
    category: dict[int, str] = field(default_factory=dict)


@dataclass
class Plan:
    months: dict[int, MonthPlan] = field(default_factory=dict)

    def halted(self, n: int) -> np.ndarray:
        """Producers certainly at zero (a story's fixed halts); planned halts are chosen later."""
        out = np.zeros((n, timeline.N), dtype=bool)
        for t, mp in self.months.items():
            for i, c in mp.fixed.items():
                if c == "halted":
                    out[i, t] = True
        return out

    def halted_share(self) -> dict[int, int]:
        return {t: mp.counts.get("halted", 0) for t, mp in self.months.items()}


def _count(own: Sequence[Target], key: dict[str, str], period: str, stat: str, kind: str = "actual") -> Target | None:
    for t in own:
        if (
            t.measure == "producer_count"
            and t.breakdown == key
            and t.period == period
            and t.statistic == stat
            and t.kind == kind
        ):
            return t
    return None


def build_plan(own: Sequence[Target], fixed: dict[int, dict[int, str]] | None = None) -> Plan:
    """The months the report counts producers in, with the counts (June's, May's from June's
    change, July's stops and planned changes from the forecast) and the number of producers
    whose daily output fell or rose."""
    june, may, july = timeline.T_LAST, timeline.T_LAST - 1, timeline.T_FORECAST
    plan = Plan()

    def month(t: int) -> MonthPlan:
        return plan.months.setdefault(t, MonthPlan())

    def counted(kind: str) -> list[str]:
        return sorted(
            {
                t.breakdown["status"]
                for t in own
                if t.measure == "producer_count" and set(t.breakdown) == {"status"} and t.kind == kind
            }
        )

    for s in counted("actual"):
        label = timeline.LABELS[june]
        level = _count(own, {"status": s}, label, "count")
        change = _count(own, {"status": s}, label, "count_change")
        if level is not None:
            month(june).counts[s] = round(admitted(level).aim)
        if change is not None:
            step = _step(change)
            now = month(june).counts.setdefault(s, max(step, 0) + 1)
            month(may).counts[s] = max(now - step, 0)
        elif s == "halted" and level is not None:
            # Plants at zero in June were mostly at zero in May too (a stop is rarely new).
            month(may).counts[s] = month(june).counts[s]
    # The forecast month: stops already known (events) and planned changes (schedules).
    for s in counted("forecast"):
        label = timeline.LABELS[july]
        level = _count(own, {"status": s}, label, "count", "forecast")
        change = _count(own, {"status": s}, label, "count_change", "forecast")
        if level is not None:
            month(july).counts[s] = round(admitted(level).aim)
        if change is not None:
            step = _step(change)
            base = month(june).counts.setdefault(s, max(-step, 0) + (1 if step < 0 else 0))
            month(july).counts.setdefault(s, max(base + step, 0))
    for t in own:
        if t.measure == "producer_share" and t.statistic == "level":
            mp = month(timeline.index(t.period))
            r = admitted(t)
            if t.breakdown.get("change") == "reduced":
                mp.n_down = -round(r.aim * 1000)  # a share: resolved on the matched count
                mp.share_ok["down"] = t.admits
            else:
                mp.n_up = -round(r.aim * 1000)
                mp.share_ok["up"] = t.admits
        if t.measure == "producer_count" and set(t.breakdown) == {"change"}:
            i = timeline.index(t.period)
            down = t.breakdown["change"] == "reduced"
            if t.statistic == "count" and t.value is not None:
                if down:
                    month(i).n_down = int(t.value)
                else:
                    month(i).n_up = int(t.value)
            elif t.statistic == "count_change":
                step = _step(t)
                before = month(i - 1)
                if down:
                    before.n_down = before.n_down if before.n_down is not None else BASE_SHARE
                    month(i).n_down_step = step
                else:
                    before.n_up = before.n_up if before.n_up is not None else BASE_SHARE
                    month(i).n_up_step = step
    for t in own:
        if t.measure != "producer_count" or t.statistic != "count" or t.value is None:
            continue
        rest = {k: v for k, v in t.breakdown.items() if k not in ("status", "change")}
        what = t.breakdown.get("status") or t.breakdown.get("change")
        if len(rest) != 1 or what is None or len(t.breakdown) != 2:
            continue
        ((dim, value),) = rest.items()
        month(timeline.index(t.period)).cross[(dim, value, what)] = int(t.value)
    # Many plants at zero in May: they stopped one after another in the months before.
    h = plan.months.get(may, MonthPlan()).counts.get("halted", 0)
    back = may - 1
    while h >= 3 and back > 0:
        h -= 2
        month(back).counts["halted"] = h
        back -= 1
    for i, cats in (fixed or {}).items():
        month(i).fixed.update(cats)
    return plan


# The month before a stated change of movers ("more producers will cut"), when the report
# gives no count for it: 30% of the producers compared (a share, as minus thousandths of a %).
BASE_SHARE = -30000
# Where the report counts no movers, most producers move with the month's daily output when
# it moves beyond "flat": this share of the producers compared (and always more than half).
MAJORITY_SHARE = 60.0
FLAT_DAILY_PCT = 0.5


def with_the_move(plan: Plan, level: np.ndarray, months: Sequence[int]) -> Plan:
    """In ``months`` (June, July), where the report says nothing of how many producers cut or
    raised output, make most of them move the way the national daily output moved
    (``level``, the national path in the engine's content), so a count never points against
    the level it explains."""
    days = timeline.DAYS
    for t in months:
        mp = plan.months.get(t)
        stated = (
            [mp.n_down_step, mp.n_up_step]
            + [x for x, k in ((mp.n_down, "down"), (mp.n_up, "up")) if not (x == BASE_SHARE and k not in mp.share_ok)]
            if mp is not None
            else []
        )
        if any(x is not None for x in stated):
            continue
        if mp is not None and any(w in ("reduced", "increased") for _, _, w in mp.cross):
            continue
        daily = (level[t] / days[t]) / (level[t - 1] / days[t - 1]) * 100.0 - 100.0
        if abs(daily) < FLAT_DAILY_PCT:
            continue
        mp = plan.months.setdefault(t, MonthPlan())
        share = -round(MAJORITY_SHARE * 1000)
        # a base share set for a stated change next month gives way
        if daily < 0:
            mp.n_down, mp.share_ok["down"] = share, _more_than_half
            mp.n_up = None
        else:
            mp.n_up, mp.share_ok["up"] = share, _more_than_half
            mp.n_down = None
    return plan


def _more_than_half(share: float) -> bool:
    return share > 50.0


def _step(t: Target) -> int:
    """A count change: the stated number, or one producer in the stated direction."""
    if t.value is not None:
        return round(admitted(t).aim)
    return 1 if t.direction == "up" else -1


def _moved(output: np.ndarray, sample: np.ndarray, t: int, flag: str) -> int:
    """How many producers of month t lowered (or raised) their daily output."""
    days = timeline.DAYS
    both = sample[:, t] & sample[:, t - 1]
    now, before = output[both, t] / days[t], output[both, t - 1] / days[t - 1]
    return int((now < before).sum() if flag == "down" else (now > before).sum())


def _resolve(n: int | None, matched: int, ok: Callable[[float], bool] | None = None) -> int | None:
    """A count, or a share (stored as minus thousandths of a %) of the matched producers:
    the count nearest the share's aim whose share the statement admits (rounding the aim
    alone can land on an open end, as 16 of 40 on "nearly 40%")."""
    if n is None or n >= 0:
        return n
    x = -n / 1000.0 / 100.0 * matched
    if ok is not None and matched > 0:
        fits = [k for k in range(matched + 1) if ok(100.0 * k / matched)]
        if fits:
            return min(fits, key=lambda k: abs(k - x))
    return round(x)


def follow(
    plan: Plan,
    output: np.ndarray,
    keep: Sequence[tuple[np.ndarray, bool]],
    weight: np.ndarray,
    limit: np.ndarray,
    sample: np.ndarray,
    roles: Sequence[str],
    attrs: Sequence[dict[str, str]] = (),
) -> list[str]:
    """Choose every planned month's categories and re-split output to match, keeping every
    sum the report's statements rest on: for each (mask, weighted) of ``keep`` (mask
    [producer, month]: the whole sample, a size class, a region ...) its weighted (national)
    output or its sample output (what a rate is computed from). Months go in order, so May's
    outcome is June's starting point.
    Returns what could not be followed (nothing, when the plan holds)."""
    problems: list[str] = []
    for t in sorted(plan.months):
        mp = plan.months[t]
        for attr, flag in (("n_down_step", "down"), ("n_up_step", "up")):
            step = getattr(mp, attr)
            if step is not None:
                before = _moved(output, sample, t - 1, flag)
                setattr(mp, attr.replace("_step", ""), max(before + step, 0))
        guess = None if mp.cross else _guess(t, mp, output, limit, sample, roles, plan)
        if guess is not None and _follow_month(t, mp, output, keep, weight, limit, sample, roles, plan, guess):
            continue
        # The categories from a feasibility search, then the outputs closest to the unplanned
        # ones for those categories (much faster than optimising both at once).
        found = _follow_month(
            t, mp, output.copy(), keep, weight, limit, sample, roles, plan, feasibility=True, attrs=attrs
        )
        if found is None or not _follow_month(
            t, mp, output, keep, weight, limit, sample, roles, plan, found, attrs=attrs
        ):
            problems.append(f"{timeline.LABELS[t]}: the producers' moves could not all follow the report's counts")
    return problems


def _follow_month(
    t: int,
    mp: MonthPlan,
    output: np.ndarray,
    keep: Sequence[tuple[np.ndarray, bool]],
    weight: np.ndarray,
    limit: np.ndarray,
    sample: np.ndarray,
    roles: Sequence[str],
    plan: Plan,
    guess: dict[int, str] | None = None,
    *,
    feasibility: bool = False,
    attrs: Sequence[dict[str, str]] = (),
) -> Any:
    """One month's programme; with ``guess`` (producer -> category) the categories are
    fixed and only outputs are solved for (a linear programme: fast). With ``feasibility``
    it only looks for categories that work and returns them (or None); otherwise it writes
    the outputs and returns whether it could."""
    days = timeline.DAYS
    idx = [int(i) for i in np.nonzero(sample[:, t])[0]]
    n = len(idx)
    if n == 0:
        return True
    prev = np.array([output[i, t - 1] / days[t - 1] * days[t] if sample[i, t - 1] else 0.0 for i in idx])
    matched = prev > 0  # made something last month: its move has a direction
    stayed = np.array([bool(sample[i, t - 1]) for i in idx])  # the engine compares these
    prior = output[idx, t].copy()
    cats = list(CATEGORIES)
    nc = len(cats)
    # Variables: y (n) | b (n × nc) | e (n)
    ny, nb = n, n * nc
    nv = ny + nb + n

    def b(k: int, c: int) -> int:
        return ny + k * nc + c

    lo = np.zeros(nv)
    hi = np.full(nv, np.inf)
    hi[ny : ny + nb] = 1.0
    integrality = np.zeros(nv)
    integrality[ny : ny + nb] = 1
    rows: list[np.ndarray] = []
    rlo: list[float] = []
    rhi: list[float] = []

    def row(coefs: dict[int, float], a: float, z: float) -> None:
        r = np.zeros(nv)
        for j, v in coefs.items():
            r[j] = v
        rows.append(r)
        rlo.append(a)
        rhi.append(z)

    previous = plan.months.get(t - 1)
    for k, i in enumerate(idx):
        hi[k] = limit[i, t]
        row({b(k, c): 1.0 for c in range(nc)}, 1.0, 1.0)  # one category each
        fixed = mp.fixed.get(i) if guess is None else guess[i]
        for c, cat in enumerate(cats):
            allowed = fixed is None or fixed == cat.name
            # A stop, a start-up or maintenance only where the report counts them (or the
            # plant was already stopped).
            if (
                fixed is None
                and cat.status in ("halted", "commissioning", "maintenance")
                and cat.status not in mp.counts
                and not any(w == cat.status for _, _, w in mp.cross)
                and not (cat.name == "halted" and stayed[k] and not matched[k])
            ):
                allowed = False
            if stayed[k] and not matched[k]:
                # At zero last month: stays halted, or restarts (an increase).
                allowed = allowed and cat.name in ("halted", "increased")
            elif not matched[k] and cat.name not in ("halted", "normal_flat", "commissioning"):
                allowed = allowed and fixed == cat.name
            if roles[i] and fixed is None and cat.status in ("halted", "maintenance", "commissioning"):
                allowed = False
            if not allowed:
                hi[b(k, c)] = 0.0
                continue
            cap = float(limit[i, t])
            # Tight big-M rows: with b = 0 each reduces to 0 <= y <= limit.
            if cat.max_rate < 1.0:
                ceiling = cat.max_rate * cap / 0.985
                row({k: 1.0, b(k, c): cap - ceiling}, -np.inf, cap)  # y <= ceiling if b
            if not matched[k]:
                if cat.name == "halted":
                    row({k: 1.0, b(k, c): cap}, -np.inf, cap)  # y <= cap (1 - b)
                elif stayed[k]:
                    row({k: 1.0, b(k, c): -0.2 * cap}, 0.0, np.inf)  # a restart: y >= 20% cap
                continue
            p = prev[k]
            top = min(cat.hi * p, cap)
            row({k: 1.0, b(k, c): cap - top}, -np.inf, cap)  # y <= hi p if b
            row({k: 1.0, b(k, c): -cat.lo * p}, 0.0, np.inf)  # y >= lo p if b
        # A producer halted last planned month stays halted unless the count falls.
        if (
            previous is not None
            and previous.category.get(i) == "halted"
            and mp.counts.get("halted", 0) >= previous.counts.get("halted", 0)
        ):
            lo[b(k, cats.index(BY_NAME["halted"]))] = 1.0
    # Counts by reported status.
    for status, count in mp.counts.items():
        coefs = {b(k, c): 1.0 for k in range(n) for c, cat in enumerate(cats) if cat.status == status}
        row(coefs, count, count)
    # Counts within a breakdown value (a region's plants under maintenance ...).
    for (dim, value, what), count in mp.cross.items():
        inside = [k for k, i in enumerate(idx) if attrs and attrs[i].get(dim) == value]
        if what in ("reduced", "increased"):
            coefs = {
                b(k, c): 1.0
                for k in inside
                if stayed[k]
                for c, cat in enumerate(cats)
                if (what == "reduced" and matched[k] and (cat.down or cat.name == "halted"))
                or (what == "increased" and cat.up)
            }
        else:
            coefs = {b(k, c): 1.0 for k in inside for c, cat in enumerate(cats) if cat.status == what}
        row(coefs, count, count)
    # Producers whose daily output fell (or rose), among the matched.
    n_down = _resolve(mp.n_down, int(stayed.sum()), mp.share_ok.get("down"))
    n_up = _resolve(mp.n_up, int(stayed.sum()), mp.share_ok.get("up"))
    if n_down is not None:
        row(
            {
                b(k, c): 1.0
                for k in range(n)
                if matched[k]
                for c, cat in enumerate(cats)
                if cat.down or cat.name == "halted"
            },
            n_down,
            n_down,
        )
    if n_up is not None:
        row({b(k, c): 1.0 for k in range(n) if stayed[k] for c, cat in enumerate(cats) if cat.up}, n_up, n_up)
    # The sums the statements rest on stay as calibrated.
    for mask, weighted in keep:
        members = [k for k, i in enumerate(idx) if mask[i, t]]
        if not members:
            continue
        ids = [idx[k] for k in members]
        w = weight[ids, t] if weighted else np.ones(len(ids))
        total = float((w * output[ids, t]).sum())
        slack = 1e-9 * max(total, 1.0)
        row({k: float(w[j]) for j, k in enumerate(members)}, total - slack, total + slack)
    # |y - prior| <= e, cost e / prior; a small preference for running flat.
    cost = np.zeros(nv)
    for k in range(n):
        e = ny + nb + k
        row({k: 1.0, e: -1.0}, -np.inf, prior[k])
        row({k: 1.0, e: 1.0}, prior[k], np.inf)
        cost[e] = 0.0 if feasibility else 1.0 / max(prior[k], 1e-9 + 1e-6 * prior.max())
    res = milp(
        cost,
        constraints=LinearConstraint(np.array(rows), rlo, rhi),
        integrality=integrality,
        bounds=Bounds(lo, hi),
        options={"time_limit": 60.0, "mip_rel_gap": 0.25},
    )
    if res.x is None:
        return None if feasibility else False
    x = res.x
    if feasibility:
        return {i: cats[int(np.argmax([x[b(k, c)] for c in range(nc)]))].name for k, i in enumerate(idx)}
    for k, i in enumerate(idx):
        c = int(np.argmax([x[b(k, c)] for c in range(nc)]))
        mp.category[i] = cats[c].name
        amount = max(float(x[k]), 0.0)
        if cats[c].name == "halted":
            amount = 0.0
        elif cats[c].name == "normal_flat" and matched[k]:
            amount = _same_daily(output[i, t - 1], days[t - 1], days[t], by_reciprocal=t == timeline.T_FORECAST)
        output[i, t] = amount
    return True


def _guess(
    t: int,
    mp: MonthPlan,
    output: np.ndarray,
    limit: np.ndarray,
    sample: np.ndarray,
    roles: Sequence[str],
    plan: Plan,
) -> dict[int, str] | None:
    """Categories chosen by rule (the plants whose unplanned output moved most that way
    first), for the linear fast path; None when the rule cannot meet the counts."""
    days = timeline.DAYS
    idx = [int(i) for i in np.nonzero(sample[:, t])[0]]
    prev = {i: (output[i, t - 1] / days[t - 1] * days[t] if sample[i, t - 1] else 0.0) for i in idx}
    ratio = {i: output[i, t] / prev[i] if prev[i] > 0 else np.inf for i in idx}
    out: dict[int, str] = {i: c for i, c in mp.fixed.items() if i in prev}
    if any(sample[i, t - 1] and prev[i] <= 0 and i not in out for i in idx):
        return None  # restarts after a halt: leave the choice to the full programme
    free = [i for i in idx if i not in out and not roles[i]]
    previous = plan.months.get(t - 1)
    counts = dict(mp.counts)
    for c in out.values():
        status = BY_NAME[c].status
        if status in counts:
            counts[status] -= 1

    def take(status: str, k: int, key) -> None:  # type: ignore[no-untyped-def]
        pool = sorted((i for i in free if i not in out), key=key)
        for i in pool[: max(k, 0)]:
            out[i] = _category(status, ratio[i])

    if "halted" in counts:
        h = counts.pop("halted")
        if previous is not None and h >= previous.counts.get("halted", 0):
            for i, c in previous.category.items():
                if c == "halted" and i in free and h > 0:
                    out[i] = "halted"
                    h -= 1
        take("halted", h, lambda i: (ratio[i], limit[i, t]))
    for status in ("cut", "maintenance"):
        if status in counts:
            take(status, counts.pop(status), lambda i: ratio[i])
    for status in ("increased", "commissioning"):
        if status in counts:
            take(status, counts.pop(status), lambda i: -ratio[i])
    if "normal" in counts:
        take("normal", counts.pop("normal"), lambda i: abs(np.log(max(ratio[i], 1e-9))))
    counted = set(mp.counts)
    # Exact ties are rigid: a plant with no move to speak of leans the way no count watches.
    lean = "normal_up" if mp.n_up is None else "normal_down" if mp.n_down is None else None
    for i in idx:
        if i in out:
            continue
        if roles[i] or not counted or "normal" not in counted:
            out[i] = _category("normal", ratio[i])
            if out[i] == "normal_flat" and lean is not None and prev[i] > 0:
                out[i] = lean
            # A big move is a cut or an increase, where those are not counted.
            if not roles[i] and prev[i] > 0:
                if ratio[i] < 0.95 and "cut" not in counted:
                    out[i] = "cut_down"
                elif ratio[i] > 1.05 and "increased" not in counted:
                    out[i] = "increased"
        else:
            return None  # every status is counted and the counts leave this plant out
    matched = [i for i in idx if sample[i, t - 1]]
    for want, flag, order in ((mp.n_down, "down", 1), (mp.n_up, "up", -1)):
        k = _resolve(want, len(matched), mp.share_ok.get(flag))
        if k is None:
            continue

        def is_(i: int, flag: str = flag) -> bool:
            c = BY_NAME[out[i]]
            return c.down or c.name == "halted" if flag == "down" else c.up

        have = [i for i in matched if is_(i)]
        if len(have) < k:
            pool = sorted(
                (
                    i
                    for i in matched
                    if not is_(i) and i in free and BY_NAME[out[i]].status in ("normal", "increased", "cut")
                ),
                key=lambda i: order * ratio[i],
            )
            for i in pool[: k - len(have)]:
                out[i] = "normal_down" if flag == "down" else "normal_up"
        elif len(have) > k:
            pool = sorted(
                (
                    i
                    for i in have
                    if out[i] in ("normal_down", "normal_up", "cut_down")
                    and i in free
                    and out[i].split("_")[0] not in counted
                ),
                key=lambda i: -order * ratio[i],
            )
            for i in pool[: len(have) - k]:
                out[i] = (
                    "normal_up"
                    if flag == "down" and mp.n_up is None
                    else ("normal_down" if flag == "up" and mp.n_down is None else "normal_flat")
                )
    return out


def _category(status: str, ratio: float) -> str:
    """The category of a status closest to a plant's unplanned move."""
    if status in ("halted", "maintenance", "increased", "commissioning"):
        return status
    if ratio < 0.997:
        return f"{status}_down"
    if ratio > 1.003:
        return f"{status}_up"
    return f"{status}_flat"


def _same_daily(previous: float, days_before: float, days_now: float, *, by_reciprocal: bool = False) -> float:
    """An output whose daily average equals last month's exactly in floating point, so the
    engine counts the producer as neither reducing nor increasing. The engine divides last
    month's output for the forecast by a constant, which polars does by multiplying with its
    reciprocal (``by_reciprocal``)."""
    daily = previous * (1.0 / days_before) if by_reciprocal else previous / days_before
    value = daily * days_now
    for _ in range(64):
        got = value / days_now
        if got == daily:
            return value
        value = float(np.nextafter(value, np.inf if got < daily else -np.inf))
    return value
