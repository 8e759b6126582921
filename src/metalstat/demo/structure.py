"""The demo's producers of one product: who they are, where, how big, since when, and which
of them the panel surveys.

Steps, for one product:

1. the frame capacity of June 2025 follows from the calibrated June level and the operating
   rate (the report's where it states one, else the product's typical rate), or is stated
   (capacity-basis products);
2. producers are placed in the values of the breakdowns the report uses (regions, provinces,
   feedstock routes), at least three per value so that no published cell is suppressed by
   disclosure control, with capacities drawn so that every size class present has at least
   three members;
3. producers outside the panel make the coverage the product's (the ratio estimator then
   really expands the sample);
4. the capacity of earlier months follows the output path: where the implied operating rate
   leaves a plausible band, producers are commissioned later (or closed later) than January
   2023, so capacity grows (or shrinks) by real events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from metalstat.catalog.model import Product
from metalstat.catalog.vocabulary import ENTERPRISE_NATURES
from metalstat.demo import geography, timeline
from metalstat.demo.choices import Choice
from metalstat.demo.ranges import admitted
from metalstat.demo.targets import Target

CapacityRecord = tuple[date, float, str, str]  # valid_from, capacity, event, note


@dataclass
class Plant:
    """One fictional producer of one product."""

    code: str
    name: str
    name_zh: str
    province: str
    region: str
    country: str
    nature: str
    feedstock: str
    records: list[CapacityRecord]
    panel_from: date | None  # None: in the frame, never surveyed
    panel_to: date | None = None
    role: str = ""  # the part it plays in the report's story, if any
    # Surveyed from the month before its capacity starts: its return for that month reports
    # nil output and plans its first month (the forecast's entrant).
    plans_first_month: bool = False

    def capacity(self, t: int) -> float:
        """Capacity in force in month t (records start on the first of a month)."""
        m = timeline.MONTHS[t]
        cap = 0.0
        for valid_from, c, _, _ in sorted(self.records):
            if valid_from <= m:
                cap = c
        return cap

    def in_panel(self, t: int) -> bool:
        m = timeline.MONTHS[t]
        if self.panel_from is None or m < self.panel_from:
            return False
        return self.panel_to is None or m <= self.panel_to

    @property
    def first(self) -> date:
        return min(r[0] for r in self.records)


@dataclass
class Structure:
    product: Product
    plants: list[Plant]
    coverage: float
    notes: list[str] = field(default_factory=list)

    def capacity_matrix(self) -> np.ndarray:
        return np.array([[p.capacity(t) for t in range(timeline.N)] for p in self.plants])

    def panel_matrix(self) -> np.ndarray:
        return np.array([[p.in_panel(t) for t in range(timeline.N)] for p in self.plants])


# -- naming ----------------------------------------------------------------------------------

_NATURE_WEIGHTS = {
    "base_metals": (0.45, 0.4, 0.05, 0.1),
    "alloys_and_steel": (0.3, 0.6, 0.02, 0.08),
    "minor_metals": (0.3, 0.6, 0.02, 0.08),
    "new_energy_materials": (0.15, 0.7, 0.05, 0.1),
    "pv": (0.1, 0.8, 0.03, 0.07),
    "silicon": (0.1, 0.8, 0.03, 0.07),
    "rare_earths": (0.6, 0.3, 0.0, 0.1),
    "precious": (0.45, 0.45, 0.02, 0.08),
}

_NOUN_ZH = {
    "Smelter": "冶炼厂",
    "Refinery": "精炼厂",
    "Plant": "工厂",
    "Mill": "钢厂",
    "Factory": "工厂",
    "Mine": "矿山",
    "Separation Plant": "分离厂",
    "Magnet Plant": "磁材厂",
}


def plant_name(product: Product, noun: str, n: int) -> tuple[str, str]:
    """An obviously fictional name: "Demo Copper Cathode Smelter 07"."""
    return (f"Demo {product.name} {noun} {n:02d}", f"演示{product.name_zh}{_NOUN_ZH.get(noun, '企业')}{n:02d}")


def plant_code(product: Product, n: int) -> str:
    return f"DEMO-{product.code.upper()}-{n:02d}"


def plant_like(
    product: Product,
    like: Plant,
    n: int,
    noun: str,
    records: list[CapacityRecord],
    *,
    nature: str | None = None,
    panel_from: date | None = None,
    panel_to: date | None = None,
    role: str = "",
    plans_first_month: bool = False,
) -> Plant:
    """Producer number ``n`` of ``product``, placed where ``like`` is (province, region,
    country, feedstock and, unless given, its nature), with its own capacity records."""
    name, name_zh = plant_name(product, noun, n)
    return Plant(
        code=plant_code(product, n),
        name=name,
        name_zh=name_zh,
        province=like.province,
        region=like.region,
        country=like.country,
        nature=like.nature if nature is None else nature,
        feedstock=like.feedstock,
        records=records,
        panel_from=panel_from,
        panel_to=panel_to,
        role=role,
        plans_first_month=plans_first_month,
    )


# -- where producers are ---------------------------------------------------------------------


def _geo_dimension(product: Product) -> str | None:
    names = [d.name for d in product.dimensions if d.source == "producer"]
    for candidate in ("region", "province"):
        if candidate in names:
            return candidate
    return None


def _mentioned(targets: Sequence[Target], dim: str) -> list[str]:
    out: list[str] = []
    for t in targets:
        v = t.breakdown.get(dim)
        if v is not None and v not in out:
            out.append(v)
    return out


def _stated_shares(targets: Sequence[Target], dim: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for t in targets:
        if (
            t.measure == "share"
            and t.statistic == "level"
            and t.kind == "actual"
            and set(t.breakdown) == {dim}
            and t.value is not None
        ):
            out[t.breakdown[dim]] = float(t.value)
    return out


def geography_weights(
    product: Product, targets: Sequence[Target], n_plants: int
) -> tuple[str | None, dict[str, float]]:
    """The geographic dimension producers are placed by, and each value's capacity weight.

    Values the report speaks of are always present; others follow the catalog's order (its
    listed provinces are the main producing ones first) while each can hold three producers.
    """
    dim = _geo_dimension(product)
    if dim is None:
        values = list(product.provinces) or ["Jiangsu", "Shandong", "Henan", "Hunan"]
    elif dim == "region":
        values = list(product.dimension("region").value_names())
    else:
        values = list(product.dimension("province").value_names())
    mentioned = _mentioned(targets, dim) if dim else []
    stated = _stated_shares(targets, dim) if dim else {}
    if dim == "region" and stated:
        # A partition with stated shares: every value takes part.
        chosen = list(values)
    else:
        k = max(1, min(len(values), n_plants // 3 if dim else min(len(values), n_plants)))
        chosen = [v for v in values if v in mentioned]
        for v in values:
            if len(chosen) >= max(k, len(mentioned)):
                break
            if v not in chosen:
                chosen.append(v)
    default = {v: 1.0 / (values.index(v) + 1.5) ** 0.8 for v in chosen}
    left = max(100.0 - sum(stated.values()), 0.0)
    rest = [v for v in chosen if v not in stated]
    norm = sum(default[v] for v in rest) or 1.0
    weights = {v: stated.get(v, left * default[v] / norm) for v in chosen}
    weights = {v: max(w, 1.0) for v, w in weights.items()}
    total = sum(weights.values())
    return dim, {v: w / total for v, w in weights.items()}


_FEEDSTOCK_FIRST_SHARE = {"copper_cathode": 0.83, "lithium_carbonate": 0.45, "medium_heavy_rare_earth": 0.7}


def feedstock_weights(product: Product) -> dict[str, float]:
    try:
        d = product.dimension("feedstock")
    except KeyError:
        return {"": 1.0}
    names = d.value_names()
    first = _FEEDSTOCK_FIRST_SHARE.get(product.code, 0.65)
    if len(names) == 1:
        return {names[0]: 1.0}
    rest = (1.0 - first) / (len(names) - 1)
    return {n: (first if i == 0 else rest) for i, n in enumerate(names)}


def _counts(weights: dict[str, float], n: int, minimum: int) -> dict[str, int]:
    """Producers per value: at least ``minimum`` each, the rest by weight."""
    keys = list(weights)
    counts = dict.fromkeys(keys, minimum)
    left = n - minimum * len(keys)
    if left > 0:
        raw = {k: weights[k] * left for k in keys}
        for k in keys:
            counts[k] += int(raw[k])
        short = n - sum(counts.values())
        for k in sorted(keys, key=lambda k: raw[k] - int(raw[k]), reverse=True)[:short]:
            counts[k] += 1
    return counts


# -- sizes -----------------------------------------------------------------------------------


def _class_bounds(product: Product) -> list[tuple[str, float, float]]:
    """(name, low, high) per size class, largest first; the largest has no upper bound."""
    out = []
    upper = float("inf")
    for s in product.size_classes:
        out.append((s.name, s.min_capacity, upper))
        upper = s.min_capacity
    return out


def size_class(product: Product, capacity: float) -> str:
    return product.size_class_for(capacity)


def draw_sizes(
    product: Product,
    total: float,
    n: int,
    rng: np.random.Generator,
    sigma: float = 0.75,
    required: Sequence[str] = (),
) -> np.ndarray:
    """``n`` capacities adding to ``total``, lognormal, with every size class present (and
    every ``required`` one) holding at least three producers and no capacity within 3% of a
    class threshold."""
    bounds = _class_bounds(product)
    thresholds = [b[1] for b in bounds if b[1] > 0]
    sizes = np.sort(rng.lognormal(0.0, sigma, n))[::-1]
    sizes = sizes / sizes.sum() * total
    for _ in range(50):
        classes = [size_class(product, s) for s in sizes]
        counts = {name: classes.count(name) for name, _, _ in bounds}
        thin = [name for name, c in counts.items() if 0 < c < 3 or (c == 0 and name in required)]
        if not thin:
            break
        name = thin[0]
        lo, hi = next((b[1], b[2]) for b in bounds if b[0] == name)
        members = [i for i, c in enumerate(classes) if c == name]
        # Either empty the class into its neighbours or fill it from them.
        neighbours = [i for i, c in enumerate(classes) if c != name]
        if len(members) + len(neighbours) < 3:
            break
        below = [i for i in neighbours if sizes[i] < lo]
        above = [i for i in neighbours if sizes[i] >= hi]
        pool = below[: 3 - len(members)] if len(below) >= 3 - len(members) else above[-(3 - len(members)) :]
        target = lo * 1.15 if hi == float("inf") else (lo + hi) / 2 if lo > 0 else hi * 0.5
        for i in pool:
            sizes[i] = target
        sizes = sizes / sizes.sum() * total
    for th in thresholds:
        near = np.abs(sizes / th - 1.0) < 0.03
        sizes[near & (sizes >= th)] = th * 1.04
        sizes[near & (sizes < th)] = th * 0.96
    return np.sort(sizes)[::-1]


# -- the structure ---------------------------------------------------------------------------


def frame_capacity_june(
    product: Product,
    level_june: float,
    targets: Sequence[Target],
    choice: Choice,
    capacity_path: np.ndarray | None,
) -> tuple[float, float]:
    """June 2025 frame capacity and the operating rate (%) it is sized at."""
    annual = level_june / timeline.month_share(product)[timeline.T_LAST]
    if capacity_path is not None:
        cap = float(capacity_path[timeline.T_LAST])
        return cap, 100.0 * annual / cap
    june = timeline.LABELS[timeline.T_LAST]
    for t in targets:
        if (
            t.measure == "capacity"
            and t.breakdown == {"basis": "sample"}
            and t.period == june
            and t.statistic == "level"
            and t.kind == "actual"
        ):
            cap = admitted(t).aim / choice.coverage
            return cap, 100.0 * annual / cap
    rate = june_rate(targets) or choice.rate
    return annual / (rate / 100.0), rate


def june_rate(targets: Sequence[Target]) -> float | None:
    """The overall operating rate the report states for June, if it does (its aim)."""
    for t in targets:
        if (
            t.measure == "operating_rate"
            and not t.breakdown
            and t.kind == "actual"
            and t.period == timeline.LABELS[timeline.T_LAST]
            and t.statistic == "level"
        ):
            return admitted(t).aim
    return None


def rate_anchors(product: Product, targets: Sequence[Target], level: np.ndarray, rate: float) -> dict[int, float]:
    """Frame capacity the report's rate changes call for in earlier months (output basis).

    With the June rate r and a change of x pp against month t, the rate in t is r - x, so
    capacity there is output(t) / share(t) / (r - x), share(t) the month's share of a year as
    the product counts it (:func:`timeline.month_share`). Only where holding June's capacity
    would break the statement (a direction-only change may hold by itself)."""
    if product.operating_rate != "output":
        return {}
    june = timeline.T_LAST
    annual = level / timeline.month_share(product)
    cap_june = annual[june] / (rate / 100.0)
    out: dict[int, float] = {}
    for t in targets:
        if (
            t.measure != "operating_rate"
            or t.breakdown
            or t.kind != "actual"
            or t.period != timeline.LABELS[june]
            or t.statistic not in ("pp_mom", "pp_yoy")
        ):
            continue
        lag = 1 if t.statistic == "pp_mom" else 12
        i = june - lag
        r = admitted(t)
        held = rate - 100.0 * annual[i] / cap_june
        # The margins inside the admitted range; an open-ended word ("rose") admits up to
        # 100 pp, and a fifth of that would call for a capacity jump no source mentions (a
        # rate up 18 pp on 27% less capacity), so they are a fifth of at most 5 pp.
        width = min(r.hi - r.lo, 5.0)
        if r.lo + 0.2 * width <= held <= r.hi - 0.2 * width and t.value is None:
            continue
        aim = r.aim if t.value is not None else min(max(held, r.lo + 0.3 * width), r.hi - 0.3 * width)
        out[i] = annual[i] / ((rate - aim) / 100.0)
    return out


def _nature(product: Product, rng: np.random.Generator) -> str:
    if product.scope != "China":
        return "foreign"
    w = np.array(_NATURE_WEIGHTS.get(product.group, (0.3, 0.6, 0.02, 0.08)))
    return str(rng.choice(ENTERPRISE_NATURES, p=w / w.sum()))


def build(
    product: Product,
    targets: Sequence[Target],
    choice: Choice,
    level: np.ndarray,
    rng: np.random.Generator,
    *,
    capacity_path: np.ndarray | None = None,
    panel_size: int | None = None,
    class_capacity: dict[tuple[str, str], float] | None = None,
) -> Structure:
    """Producers, capacities and panel of one product (see the module docstring).

    ``level``: the calibrated national headline path (capacity follows it). ``class_capacity``:
    panel capacity of June 2025 per (size class, feedstock), when the report's operating rates
    by class and route fix it (copper).
    """
    own = [t for t in targets if t.product == product.code]
    n_panel = panel_size or choice.producers
    c_june, rate = frame_capacity_june(product, float(level[timeline.T_LAST]), own, choice, capacity_path)
    coverage = choice.coverage
    geo_dim, geo_w = geography_weights(product, own, n_panel)
    feed_w = feedstock_weights(product)
    plants: list[Plant] = []
    june = timeline.LAST
    # Panel producers: sizes by cell.
    if class_capacity:
        specs = _specs_from_classes(product, class_capacity, geo_w, rng)
    else:
        specs = _specs_from_geography(
            product,
            c_june * coverage,
            n_panel,
            geo_w,
            feed_w,
            rng,
            per_value=3 if geo_dim else 1,
            required=_mentioned(own, "size_class"),
        )
    for i, (cap, geo, feed) in enumerate(specs, 1):
        plants.append(_plant(product, choice, i, cap, geo, geo_dim, feed, rng, panel=june))
    rates_stated = any(t.measure == "operating_rate" for t in own)
    if not class_capacity:
        if rates_stated and product.operating_rate == "output":
            # A sample rate stated beside the national output needs equal coverage in every
            # stratum; elsewhere a stratum whose outside producers would not fit its class
            # simply has none.
            for _ in range(4):  # resizing the panel moves the fit a little: settle it
                coverage = fit_coverage(product, plants, coverage)
                set_capacity(plants, timeline.T_LAST, c_june * coverage)
        # With every stratum covered alike, the sample rate is coverage × output / (panel
        # capacity × the month's share of a year): the panel's June capacity is sized
        # exactly for it.
        set_capacity(plants, timeline.T_LAST, c_june * coverage)
    structure = Structure(product, plants, coverage)
    anchors = {} if class_capacity else rate_anchors(product, own, level, rate)
    _history(structure, choice, level, rate, rng, anchors)
    if not class_capacity:
        _forecast_capacity(structure, own, level, rng)
    _spread_provinces(structure, own)
    _class_expansions(structure, own)
    return structure


def _forecast_capacity(
    structure: Structure, own: Sequence[Target], level: np.ndarray, rng: np.random.Generator
) -> None:
    """A stated July rate (output basis) sizes July's capacity: the forecast runs June's
    panel on July's capacity, so the difference is new capacity there (a line commissioned
    on 1 July at a panel plant)."""
    product = structure.product
    july, june = timeline.T_FORECAST, timeline.T_LAST
    for t in own:
        if (
            product.operating_rate == "output"
            and t.measure == "operating_rate"
            and not t.breakdown
            and t.kind == "forecast"
            and t.statistic == "level"
            and t.value is not None
        ):
            wanted = structure.coverage * level[july] / timeline.month_share(product)[july] / (admitted(t).aim / 100.0)
            have = sum(p.capacity(july) for p in structure.plants if p.panel_from is not None and p.in_panel(june))
            if abs(wanted / have - 1.0) > 0.0005:
                _expand(structure, wanted - have, timeline.MONTHS[july], rng, forward=True)


def _spread_provinces(structure: Structure, own: Sequence[Target]) -> None:
    """A province the report gives figures for holds three panel producers at least (fewer
    would be suppressed by disclosure control): producers of the same region move there."""
    product = structure.product
    if not any(d.name == "province" for d in product.dimensions):
        return
    mentioned = _mentioned(own, "province")
    june = timeline.T_LAST
    for name in mentioned:
        panel = [p for p in structure.plants if p.in_panel(june) and p.capacity(june) > 0 and not p.role]
        there = [p for p in panel if p.province == name]
        region = geography.region_for(product, name) if product.scope == "China" else None

        def can_move(p: Plant, panel: list[Plant] = panel, name: str = name) -> bool:
            left = sum(1 for q in panel if q.province == p.province)
            return p.province != name and (left > 3 or p.province not in mentioned)

        movers = sorted((p for p in panel if can_move(p)), key=lambda p: (p.region != region, p.records[0][1]))
        for p in movers[: max(3 - len(there), 0)]:
            p.province = name
            p.region = geography.region_for(product, name)


def _class_expansions(structure: Structure, own: Sequence[Target]) -> None:
    """Capacity the report says a size class added in June: a line added on 1 June at a
    plant of that class (a tenth of its size)."""
    june = timeline.T_LAST
    for t in own:
        if (
            t.measure == "capacity"
            and set(t.breakdown) == {"size_class"}
            and t.kind == "actual"
            and t.statistic == "mom_abs"
            and t.period == timeline.LABELS[june]
        ):
            cls = t.breakdown["size_class"]
            same = [
                p
                for p in structure.plants
                if p.panel_from is not None
                and not p.role
                and len(p.records) == 1
                and p.first < timeline.LAST
                and size_class(structure.product, p.capacity(june)) == cls
                and size_class(structure.product, p.capacity(june) * 0.9) == cls
            ]
            if not same:
                continue
            p = max(same, key=lambda p: p.capacity(june))
            cap = p.records[0][1]
            step = cap * 0.1 * (1 if t.direction != "down" else -1)
            p.records = [
                (p.records[0][0], cap - step, "", ""),
                (
                    timeline.LAST,
                    cap,
                    "expansion" if step > 0 else "reduction",
                    "line added" if step > 0 else "line shut",
                ),
            ]


def _specs_from_geography(
    product: Product,
    panel_capacity: float,
    n: int,
    geo_w: dict[str, float],
    feed_w: dict[str, float],
    rng: np.random.Generator,
    per_value: int = 3,
    required: Sequence[str] = (),
) -> list[tuple[float, str, str]]:
    """(capacity, geography value, feedstock) of each panel producer; every geography value
    gets ``per_value`` producers at least (three where figures are published by it)."""
    geo_counts = _counts(geo_w, n, per_value if len(geo_w) > 1 else 1)
    n = sum(geo_counts.values())
    sizes = draw_sizes(product, panel_capacity, n, rng, required=required)
    # Largest producers go to the values with the largest capacity deficit.
    remaining = dict(geo_counts)
    assigned = dict.fromkeys(geo_w, 0.0)
    geo_of: list[str] = []
    for s in sizes:
        open_values = [v for v in geo_w if remaining[v] > 0]
        v = max(
            open_values,
            key=lambda v: (
                geo_w[v] * panel_capacity - assigned[v]
                if remaining[v] > 1 or len(open_values) == 1
                else -1e18 + geo_w[v]
            ),
        )
        # Keep room for the last producers of every value.
        if sum(remaining.values()) <= sum(1 for x in geo_w if remaining[x] > 0):
            v = open_values[0]
        remaining[v] -= 1
        assigned[v] += s
        geo_of.append(v)
    feeds = list(feed_w)
    feed_counts = _counts(feed_w, n, 3 if len(feeds) > 1 else 1)
    order = list(rng.permutation(n))
    feed_of = [""] * n
    pos = 0
    for f in feeds:
        for _ in range(feed_counts[f]):
            feed_of[order[pos]] = f
            pos += 1
    return [(float(sizes[i]), geo_of[i], feed_of[i]) for i in range(n)]


def _specs_from_classes(
    product: Product,
    class_capacity: dict[tuple[str, str], float],
    geo_w: dict[str, float],
    rng: np.random.Generator,
) -> list[tuple[float, str, str]]:
    """Producers per (size class, feedstock) cell with the cell's stated capacity."""
    bounds = {name: (lo, hi) for name, lo, hi in _class_bounds(product)}
    specs: list[tuple[float, str, str]] = []
    geos = list(geo_w)
    gp = np.array([geo_w[g] for g in geos])
    for (cls, feed), total in class_capacity.items():
        if total <= 0:
            continue
        lo, hi = bounds[cls]
        top = hi * 0.9 if np.isfinite(hi) else max(lo * 2.5, total / 3)
        bottom = max(lo * 1.06, top * 0.25) if lo > 0 else top * 0.2
        n = max(1, int(np.ceil(total / ((top + bottom) / 2))))
        while n > 1 and total / n < bottom:
            n -= 1
        sizes = rng.uniform(bottom, top, n)
        sizes = sizes / sizes.sum() * total
        # Keep every plant inside its class (the cell's total is what matters, exactly).
        floor = lo * 1.04 if lo > 0 else 0.0
        ceiling = hi * 0.96 if np.isfinite(hi) else np.inf
        for _ in range(20):
            sizes = np.clip(sizes, floor, ceiling)
            sizes = sizes / sizes.sum() * total
            if sizes.min() >= floor * 0.999 and sizes.max() <= ceiling * 1.001:
                break
        for s in sizes:
            specs.append((float(s), str(rng.choice(geos, p=gp / gp.sum())), feed))
    specs.sort(key=lambda x: -x[0])
    return specs


def _plant(
    product: Product,
    choice: Choice,
    n: int,
    capacity: float,
    geo: str,
    geo_dim: str | None,
    feedstock: str,
    rng: np.random.Generator,
    *,
    panel: date | None,
    first: date = timeline.FIRST,
) -> Plant:
    if geo_dim == "region":
        region = geo
        candidates = geography.provinces_of_region(product, geo)
        province = str(rng.choice(candidates)) if candidates else geo
    else:
        province = geo
        region = geography.region_for(product, province)
    name, name_zh = plant_name(product, choice.noun, n)
    return Plant(
        code=plant_code(product, n),
        name=name,
        name_zh=name_zh,
        province=province,
        region=region,
        country=geography.country_for(product, province),
        nature=_nature(product, rng),
        feedstock=feedstock,
        records=[(first, _round_capacity(capacity), "", "")],
        panel_from=first if panel is not None else None,
    )


def _round_capacity(c: float) -> float:
    """Capacities as a register holds them: to three significant figures."""
    if c <= 0:
        return 0.0
    digits = int(np.floor(np.log10(c))) - 2
    return float(round(c / 10**digits) * 10**digits)


def _outside_panel(
    product: Product,
    choice: Choice,
    plants: list[Plant],
    capacity: float,
    rng: np.random.Generator,
) -> list[Plant]:
    """Producers the panel does not survey, in the strata holding most panel capacity."""
    if capacity <= 0 or choice.coverage >= 0.9999:
        return []
    bounds = {name: (lo, hi) for name, lo, hi in _class_bounds(product)}
    by_stratum: dict[tuple[str, ...], float] = {}
    example: dict[tuple[str, ...], Plant] = {}
    for p in plants:
        key = _stratum_key(product, p, p.records[0][1])
        by_stratum[key] = by_stratum.get(key, 0.0) + p.records[0][1]
        example.setdefault(key, p)
    out: list[Plant] = []
    n = len(plants)
    left = capacity
    for key in sorted(by_stratum, key=lambda k: -by_stratum[k]):
        if left <= 0:
            break
        cls = key[0]
        lo, hi = bounds[cls]
        size = min(left, by_stratum[key] * 0.35, hi * 0.9 if np.isfinite(hi) else left)
        if lo > 0 and size < lo * 1.06:
            if left < lo * 1.06:
                continue
            size = lo * 1.06
        n += 1
        ex = example[key]
        p = _plant(
            product,
            choice,
            n,
            size,
            ex.region if _geo_dimension(product) == "region" else ex.province,
            _geo_dimension(product) or "province",
            ex.feedstock,
            rng,
            panel=None,
        )
        p.province, p.region, p.country = ex.province, ex.region, ex.country
        out.append(p)
        left -= p.records[0][1]
    return out


def set_capacity(plants: Sequence[Plant], t: int, total: float) -> None:
    """Make the panel capacity of month t exactly ``total`` by resizing its largest plant
    (every record of it, so its history keeps its shape)."""
    present = [p for p in plants if p.panel_from is not None and p.in_panel(t) and not p.role and p.capacity(t) > 0]
    if not present:
        return
    delta = total - sum(
        p.capacity(t) for p in plants if p.panel_from is not None and p.in_panel(t) and p.capacity(t) > 0
    )
    biggest = max(present, key=lambda p: p.capacity(t))
    biggest.records = [(d, c + delta if c > 0 else c, e, n) for d, c, e, n in biggest.records]


def fit_coverage(product: Product, plants: Sequence[Plant], wanted: float) -> float:
    """The highest coverage up to ``wanted`` at which every stratum's producers outside the
    panel fit its size class (a stratum of large plants cannot hide a small one); a census
    (1.0) when that would fall below 70%."""
    if wanted >= 0.9999 or "size_class" not in product.strata:
        return wanted
    bounds = {name: lo for name, lo, _ in _class_bounds(product)}
    panel: dict[tuple[str, ...], float] = {}
    for p in plants:
        cap = p.capacity(timeline.T_LAST)
        if cap > 0:
            key = _stratum_key(product, p, cap)
            panel[key] = panel.get(key, 0.0) + cap
    best = wanted
    for key, cap in panel.items():
        lo = bounds[key[0]]
        if lo > 0:
            best = min(best, cap / (cap + 1.05 * lo))
    return best if best >= 0.7 else 1.0


def uniform_coverage(structure: Structure, choice: Choice, rng: np.random.Generator) -> None:
    """Producers outside the panel, one per stratum where it fits, whose capacity follows the
    stratum's panel capacity month by month, so every stratum's coverage is the product's.

    Equal coverage makes every sample producer's expansion weight the same, so the national
    total and the sample's operating rate do not tie the split of output between strata
    (with unequal weights, fixing both pins it)."""
    product = structure.product
    structure.plants = [p for p in structure.plants if p.panel_from is not None]
    if structure.coverage >= 0.9999:
        return
    bounds = {name: (lo, hi) for name, lo, hi in _class_bounds(product)}
    factor = 1.0 / structure.coverage - 1.0
    panel: dict[tuple[str, ...], np.ndarray] = {}
    example: dict[tuple[str, ...], Plant] = {}
    for p in structure.plants:
        if p.panel_from is None:
            continue
        for t in range(timeline.N):
            cap = p.capacity(t)
            if cap <= 0 or not p.in_panel(t):
                continue
            key = _stratum_key(product, p, cap)
            panel.setdefault(key, np.zeros(timeline.N))[t] += cap
            example.setdefault(key, p)
    n = len(structure.plants)
    top_up = 0.0
    for key in sorted(panel):
        want = panel[key] * factor
        lo, hi = bounds[key[0]]
        # As many plants as the class ceiling needs, each carrying an equal part, each part
        # inside the stratum's class (months where it cannot be are left uncovered).
        k = max(1, int(np.ceil(want.max() / (0.95 * hi)))) if np.isfinite(hi) else 1
        fits = (want / k >= lo * 1.001) & (want / k < hi * 0.999) if "size_class" in product.strata else want > 0
        if not fits.any():
            top_up += float(panel[key][timeline.T_LAST] * factor)
            continue
        want = np.where(fits, want, 0.0)
        top_up += float((panel[key][timeline.T_LAST] * factor) - want[timeline.T_LAST])
        ex = example[key]
        for _ in range(k):
            n += 1
            records: list[CapacityRecord] = []
            current = -1.0
            for t in range(timeline.N):
                part = want[t] / k
                if current < 0 and part <= 0:
                    continue
                if current < 0 or abs(part - current) > 1e-9 * max(current, 1.0):
                    event = (
                        ""
                        if current < 0
                        else ("closure" if part <= 0 else "expansion" if part > current else "reduction")
                    )
                    records.append((timeline.MONTHS[t], float(part), event, ""))
                    current = float(part)
            structure.plants.append(plant_like(product, ex, n, choice.noun, records, nature=_nature(product, rng)))
    # What strata of big plants could not hide goes to one small plant, so the product's
    # coverage is as chosen (near-census panels: a few small plants stay outside).
    small = [key for key in panel if bounds[key[0]][0] <= top_up < bounds[key[0]][1]]
    if top_up > 0 and small:
        key = max(small, key=lambda k: panel[k][timeline.T_LAST])
        ex = example[key]
        n += 1
        records = [(timeline.FIRST, top_up, "", "")]
        structure.plants.append(plant_like(product, ex, n, choice.noun, records, nature=_nature(product, rng)))


def _stratum_key(product: Product, p: Plant, capacity: float) -> tuple[str, ...]:
    """The size class, then the product's strata values (a shadow must match both)."""
    values = {
        "size_class": size_class(product, capacity),
        "region": p.region,
        "province": p.province,
        "feedstock": p.feedstock,
    }
    return (values["size_class"], *(values.get(s, "") for s in product.strata))


# -- capacity over time ----------------------------------------------------------------------


def _history(
    structure: Structure,
    choice: Choice,
    level: np.ndarray,
    rate: float,
    rng: np.random.Generator,
    anchors: dict[int, float] | None = None,
) -> None:
    """Capacity of earlier months. At the anchors (months whose rate the report states) it
    is what the statement needs; between anchors it changes once, on the first of a month
    (January when the gap spans one); before them, producers are commissioned (or closed)
    during 2023-2024 so the implied rate stays in a plausible band while output grows (or
    shrinks) toward June 2025."""
    plants = structure.plants
    annual = level / timeline.month_share(structure.product)
    r = rate / 100.0
    # Plants run harder or idle as demand moves; capacity changes only when the rate would
    # leave this band.
    lo_rate, hi_rate = max(0.15, 0.5 * r), min(0.95, 1.8 * r)
    # The frame is the panel grown by the coverage (producers outside the panel follow it).
    kappa = structure.coverage
    current = sum(p.capacity(timeline.T_LAST) for p in plants) / kappa
    steps: list[tuple[int, float]] = []  # (boundary month, frame capacity wanted before it)
    later = timeline.T_LAST
    for i in sorted(anchors or {}, reverse=True):
        wanted = (anchors or {})[i]
        if abs(wanted / current - 1.0) > 0.001:
            jan = timeline.january(later)
            boundary = jan if i < jan <= later else i + 1
            steps.append((boundary, wanted))
            current = wanted
        later = i
    freeze = min([timeline.index("2024-07"), *(anchors or {})])
    for start in range(freeze - 6, -1, -6):
        block = float(annual[start : start + 6].mean())
        if not lo_rate <= block / current <= hi_rate:
            current = block / r
            steps.append((start + 6, current))
    for boundary, before in sorted(steps, key=lambda s: -s[0]):
        after = sum(p.capacity(boundary) for p in plants) / kappa
        _change_capacity(structure, choice, (after - before) * kappa, timeline.MONTHS[boundary], rng)


def _change_capacity(structure: Structure, choice: Choice, delta: float, when: date, rng: np.random.Generator) -> None:
    """Capacity grew by ``delta`` (or shrank, if negative) on ``when``: whole plants are
    commissioned (or close) then, and one plant's expansion (or reduction) makes up the rest
    exactly."""
    total = sum(p.capacity(timeline.MONTHS.index(when)) for p in structure.plants)
    if abs(delta) <= 1e-6 * total:
        return
    rest = delta
    if delta > 0:
        rest = delta - _commission_some(structure, delta, when, rng)
    elif -delta > 0.02 * total:
        closing = _closed_producers(structure, choice, -delta * 0.8, when, rng)
        structure.plants.extend(closing)
        rest = delta + sum(p.records[0][1] for p in closing)
    if abs(rest) > 1e-9 * total:
        _expand(structure, rest, when, rng)


def _expand(
    structure: Structure,
    delta: float,
    when: date,
    rng: np.random.Generator,
    *,
    forward: bool = False,
) -> None:
    """One plant's capacity changes by ``delta`` on ``when`` (an expansion or a reduction),
    choosing a plant whose size class the change does not alter. By default the plant has
    its present capacity from ``when`` on (history is rewritten before it); ``forward``
    keeps its present capacity until ``when`` and changes it from then."""
    product = structure.product
    t = timeline.MONTHS.index(when)
    cands = []
    for p in structure.plants:
        cap = p.capacity(t)
        if p.role or cap <= 0 or p.first >= when or len(p.records) > 1:
            continue
        other = cap + delta if forward else cap - delta
        if other <= 0.3 * cap or size_class(product, other) != size_class(product, cap):
            continue
        cands.append(p)
    if not cands:
        structure.notes.append(f"capacity change of {delta:,.0f} on {when:%Y-%m} not shown")
        return
    p = cands[int(rng.integers(len(cands)))]
    cap = p.records[0][1]
    before, after = (cap, cap + delta) if forward else (cap - delta, cap)
    p.records = [
        (p.records[0][0], before, "", ""),
        (when, after, "expansion" if delta > 0 else "reduction", "line added" if delta > 0 else "line shut"),
    ]


def _commission_some(structure: Structure, delta: float, when: date, rng: np.random.Generator) -> float:
    """Commission panel plants on ``when`` adding up to at most ``delta``; their total."""
    candidates = [
        p
        for p in structure.plants
        if p.panel_from is not None and not p.role and p.first == timeline.FIRST and len(p.records) == 1
    ]
    order = [candidates[i] for i in rng.permutation(len(candidates))]
    got = 0.0
    for p in order:
        cap = p.records[0][1]
        if got + cap > delta:
            continue
        p.records = [(when, cap, "commissioning", "new plant commissioned")]
        p.panel_from = when
        got += cap
        if got >= delta * 0.85:
            break
    return got


def _closed_producers(
    structure: Structure, choice: Choice, size: float, when: date, rng: np.random.Generator
) -> list[Plant]:
    """Capacity shrank by ``size`` at ``when``: small producers that closed then (three at
    least, so the size class they leave is never published from fewer)."""
    product = structure.product
    _, _lo, hi = _class_bounds(product)[-1]
    unit = hi * 0.6 if np.isfinite(hi) and hi > 0 else size / 3
    k = max(3, int(np.ceil(size / unit)))
    n = len(structure.plants)
    panel = [p for p in structure.plants if p.panel_from is not None]
    last_month = timeline.MONTHS[timeline.MONTHS.index(when) - 1]
    out = []
    for j in range(k):
        like = panel[int(rng.integers(len(panel)))]
        records = [(timeline.FIRST, _round_capacity(size / k), "", ""), (when, 0.0, "closure", "plant closed")]
        out.append(
            plant_like(product, like, n + j + 1, choice.noun, records, panel_from=timeline.FIRST, panel_to=last_month)
        )
    return out
