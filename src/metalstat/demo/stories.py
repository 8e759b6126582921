"""What the report tells about particular producers, told with the demo's producers.

The default story only sizes capacity-basis products to their stated capacity and keeps a few
June returns back so imputation runs. Products whose section tells of particular plants (the
newly commissioned copper smelter, the Shandong-to-Yunnan aluminium replacement, Indonesia's
new alumina lines, the antimony and bismuth status counts ...) get their own story.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np
from typing_extensions import override

from metalstat.catalog.model import Product
from metalstat.demo import paths, timeline
from metalstat.demo.allocate import Panel
from metalstat.demo.cells import Layout
from metalstat.demo.choices import Choice
from metalstat.demo.groups import Groups
from metalstat.demo.national import National
from metalstat.demo.ranges import admitted
from metalstat.demo.structure import Structure, size_class
from metalstat.demo.targets import Target

# Products with a June return or two missing, so the engine's imputation runs: simple sections
# (one content basis, output-basis rates, no status counts) where the imputed value is exact.
MISSING_IN_JUNE = {
    "primary_lead": 1, "refined_zinc": 2, "emm": 1, "dmc": 1, "titanium_sponge": 1,
    "ferromolybdenum": 1, "silver_nitrate": 1, "lco": 1, "iron_phosphate": 2, "ndfeb": 1,
}  # fmt: skip


def _stated(own: Sequence[Target], measure: str, statistic: str, period: str) -> float | None:
    for t in own:
        if (
            t.measure == measure
            and not t.breakdown
            and t.statistic == statistic
            and t.period == period
            and t.kind == "actual"
            and t.value is not None
        ):
            return float(t.value)
    return None


class Story:
    """The default: no particular plants."""

    def capacity_path(self, product: Product, own: Sequence[Target], choice: Choice) -> np.ndarray | None:
        """Frame capacity by month for capacity-basis products (constant over the last year)."""
        if product.operating_rate != "capacity":
            return None
        cap = _stated(own, "capacity", "level", timeline.LABELS[timeline.T_LAST])
        if cap is None:
            cap = choice.level / timeline.month_share(product)[timeline.T_LAST] / (choice.rate / 100.0)
        freeze = timeline.index("2024-07")
        return np.where(np.arange(timeline.N) >= freeze, cap, cap * 0.98)

    def national_conditions(
        self,
        product: Product,  # noqa: ARG002 (a hook: stories that override it use it)
        own: Sequence[Target],  # noqa: ARG002
    ) -> list[paths.Condition]:
        """Conditions on the national paths that the story's statements imply (none)."""
        return []

    def panel_size(self, own: Sequence[Target]) -> int | None:
        n = _stated(own, "producer_count", "count", timeline.LABELS[timeline.T_LAST])
        return int(n) if n is not None else None

    def class_capacity(
        self,
        product: Product,  # noqa: ARG002 (a hook: stories that override it use it)
        own: Sequence[Target],  # noqa: ARG002
        national: National,  # noqa: ARG002
        choice: Choice,  # noqa: ARG002
    ) -> dict[tuple[str, str], float] | None:
        """Capacity by size class the story states (none by default)."""
        return None

    def shape(self, structure: Structure, national: National, rng: np.random.Generator) -> None:
        """Adjust the structure after it is built (plants the story needs)."""

    def after_coverage(self, structure: Structure, national: National) -> None:
        """Last touches once every plant is there (default: stated capacity made exact)."""
        if national.capacity is not None:
            exact_capacity(structure, float(national.capacity[timeline.T_LAST]))

    def pins(
        self,
        structure: Structure,  # noqa: ARG002 (a hook: stories that override it use it)
    ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Bounds on groups' output paths by role (none by default)."""
        return {}

    def fixed(
        self,
        structure: Structure,  # noqa: ARG002 (a hook: stories that override it use it)
        lay: Layout,  # noqa: ARG002
    ) -> dict[int, dict[int, str]]:
        """Categories the story fixes for particular producers: month -> producer -> category
        (see :mod:`metalstat.demo.statusplan`)."""
        return {}

    def missing(self, structure: Structure, lay: Layout, rng: np.random.Generator) -> list[tuple[int, int]]:
        k = MISSING_IN_JUNE.get(structure.product.code, 0)
        return june_missing(structure, lay, k, rng)

    def lean(
        self,
        attrs: dict[str, str],  # noqa: ARG002 (a hook: stories that override it use it)
        capacity: np.ndarray,
    ) -> np.ndarray:
        """A factor on a group's prior rate by month (see ``groups.calibrate``; none here)."""
        return np.ones_like(capacity)

    def finish(
        self,
        structure: Structure,
        lay: Layout,
        groups: Groups,
        panel: Panel,
        own: Sequence[Target],
        rng: np.random.Generator,
    ) -> None:
        """Last touches to the panel (none by default)."""


def exact_capacity(structure: Structure, capacity: float) -> None:
    """Make the June frame capacity exactly ``capacity`` by resizing the largest plant."""
    t = timeline.T_LAST
    total = sum(p.capacity(t) for p in structure.plants)
    biggest = max(structure.plants, key=lambda p: p.capacity(t))
    delta = capacity - total
    biggest.records = [(d, c + delta if c > 0 else c, e, n) for d, c, e, n in biggest.records]


def june_missing(structure: Structure, lay: Layout, k: int, rng: np.random.Generator) -> list[tuple[int, int]]:
    """``k`` June returns kept back: producers with a return in May, in a stratum with at
    least three other respondents, not part of any story."""
    june = timeline.T_LAST
    out: list[tuple[int, int]] = []
    if k <= 0:
        return out
    candidates = [
        i
        for i, p in enumerate(structure.plants)
        if lay.in_panel[i, june] and lay.in_panel[i, june - 1] and not p.role and lay.sample[i, timeline.T_FORECAST]
    ]
    rng.shuffle(candidates)
    used_strata: set[str] = set()
    for i in candidates:
        s = str(lay.stratum[i, june])
        peers = sum(1 for j in range(len(structure.plants)) if lay.in_panel[j, june] and str(lay.stratum[j, june]) == s)
        if s in used_strata or peers < 4:
            continue
        out.append((i, june))
        used_strata.add(s)
        if len(out) == k:
            break
    return out


STORIES: dict[str, Story] = {}


# -- copper cathode ----------------------------------------------------------------------------


class CopperStory(Story):
    """June 2025: a newly commissioned smelter in east China joins the sample at a low rate
    (the main reason the sample rate fell), a north China smelter cuts for an environmental
    inspection, one smelter is under maintenance; in July the new smelter ramps up, the
    inspected one resumes, one other has maintenance planned.

    The operating rates by size class and by feedstock route, for May, June and July, fix
    how the sample capacity splits over (class, route): solved here by least squares. The
    sample's capacity is the same in June and July, so the forecast's rate moves with July's
    output (the report counts a month as a twelfth of the year): June's rate is sized, and
    July's output calibrated, within what June's and July's rate statements admit together."""

    NEW, INSPECTED = "newly commissioned smelter", "environmental inspection"
    CLASSES = ("large", "medium", "small")

    @staticmethod
    def _overall(own: Sequence[Target]) -> dict[tuple[str, str], Target]:
        """The overall rate statements, by (statistic, period)."""
        return {
            (t.statistic, t.period): t
            for t in own
            if t.measure == "operating_rate" and not t.breakdown and t.value is not None
        }

    def _june_window(self, own: Sequence[Target], growth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The overall June rates (lowest, highest) that make June's level and July's level
        and change hold when the sample's capacity is the same in both months, so that the
        July rate is the June rate × ``growth`` (July's output over June's, each over its
        month's share of a year); by growth, empty (lo > hi) where no June rate does."""
        june, july = timeline.LABELS[timeline.T_LAST], timeline.LABELS[timeline.T_FORECAST]
        st = self._overall(own)
        lo, hi = np.full(growth.shape, -np.inf), np.full(growth.shape, np.inf)
        if ("level", june) in st:
            r = admitted(st[("level", june)])
            lo, hi = np.maximum(lo, r.lo), np.minimum(hi, r.hi)
        if ("level", july) in st:
            r = admitted(st[("level", july)])
            lo, hi = np.maximum(lo, r.lo / growth), np.minimum(hi, r.hi / growth)
        if ("pp_mom", july) in st:
            # June's rate × (growth - 1) is the change: bounds on it divide by a number that
            # may be negative (a falling rate) or zero (the change must then admit zero).
            r = admitted(st[("pp_mom", july)])
            step = growth - 1.0
            with np.errstate(divide="ignore"):
                a, b = r.lo / step, r.hi / step
            up, down = step > 0, step < 0
            lo = np.where(up, np.maximum(lo, a), np.where(down, np.maximum(lo, b), lo))
            hi = np.where(up, np.minimum(hi, b), np.where(down, np.minimum(hi, a), hi))
            if not r.lo <= 0.0 <= r.hi:
                hi = np.where(step == 0, -np.inf, hi)
        return lo, hi

    def national_conditions(self, product: Product, own: Sequence[Target]) -> list[paths.Condition]:
        """The sample's capacity does not change in July, so July's output growth (each
        month over its share of a year) is the growth of the overall rate: the rates'
        rounding leaves a band for it narrower than the stated % change alone."""
        july = timeline.LABELS[timeline.T_FORECAST]
        pp = self._overall(own).get(("pp_mom", july))
        if pp is None or ("level", july) not in self._overall(own):
            return []
        share = timeline.month_share(product)
        per_share = share[timeline.T_FORECAST] / share[timeline.T_LAST]
        grid = np.linspace(0.9, 1.1, 200_001)
        lo, hi = self._june_window(own, grid)
        fits = grid[lo <= hi]
        if not len(fits):
            return []
        low, high = 100.0 * (fits.min() * per_share - 1.0), 100.0 * (fits.max() * per_share - 1.0)
        return [paths.condition(pp.where, "total", "mom_pct", july, low, high, aim=(low + high) / 2.0, weight=10.0)]

    def june_rate(self, own: Sequence[Target], national: National, default: float) -> float:
        """The overall June rate the sample is sized at: the middle of what June's and July's
        rate statements admit together given July's calibrated output, else June's stated
        rate (else ``default``)."""
        from metalstat.demo.groups import physical_path

        level = physical_path(national)
        share = timeline.month_share(national.product)
        june, july = timeline.T_LAST, timeline.T_FORECAST
        growth = float(level[july] / share[july]) / float(level[june] / share[june])
        lo, hi = self._june_window(own, np.array([growth]))
        if lo[0] <= hi[0]:
            return float(lo[0] + hi[0]) / 2.0
        stated = self._overall(own).get(("level", timeline.LABELS[june]))
        return admitted(stated).aim if stated is not None else default

    def _targets(self, own: Sequence[Target]) -> dict[tuple[str, str, int], tuple[float, float]]:
        """(stat, key, month) -> (aim, half-width) of the rate targets; key "" = overall,
        else a class or a route."""
        out: dict[tuple[str, str, int], tuple[float, float]] = {}
        for t in own:
            if t.measure != "operating_rate" or t.statistic not in ("level", "pp_mom"):
                continue
            if t.value is None:
                continue
            key = next(iter(t.breakdown.values()), "")
            r = admitted(t)
            out[(t.statistic, key, timeline.index(t.period))] = (r.aim, (r.hi - r.lo) / 2)
        return out

    def class_capacity(
        self, product: Product, own: Sequence[Target], national: National, choice: Choice
    ) -> dict[tuple[str, str], float] | None:
        from scipy.optimize import least_squares

        targets = self._targets(own)
        self.rates = targets
        routes = product.dimension("feedstock").value_names()
        june, may, july = timeline.T_LAST, timeline.T_LAST - 1, timeline.T_FORECAST
        months = (may, june, july)
        cells = [(h, f) for h in self.CLASSES for f in routes]
        nc = len(cells)

        def unpack(x: np.ndarray) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
            cap = np.exp(x[:nc])
            k = float(np.exp(x[nc]))
            rates = 1.0 / (1.0 + np.exp(-x[nc + 1 : nc + 1 + nc * 3].reshape(3, nc)))
            new = 1.0 / (1.0 + np.exp(-x[nc + 1 + nc * 3 :]))
            return cap, k, rates, new

        def rate(cap: np.ndarray, k: float, rates: np.ndarray, new: np.ndarray, m: int, key: str) -> float:
            j = months.index(m)
            num = den = 0.0
            for c, (h, f) in enumerate(cells):
                if key in ("", h, f):
                    num += rates[j, c] * cap[c]
                    den += cap[c]
            if m >= june and key in ("", "large", routes[0]):
                num += new[j - 1] * k
                den += k
            return 100.0 * num / den

        prior_share = {("large", routes[0]): 0.62, ("large", routes[1]): 0.06,
                       ("medium", routes[0]): 0.13, ("medium", routes[1]): 0.08,
                       ("small", routes[0]): 0.02, ("small", routes[1]): 0.05}  # fmt: skip

        from metalstat.demo.groups import physical_path

        level = physical_path(national)
        share = timeline.month_share(product)

        def output(cap: np.ndarray, k: float, rates: np.ndarray, new: np.ndarray, m: int) -> float:
            j = months.index(m)
            out = float((rates[j] * cap).sum()) + (float(new[j - 1]) * k if m >= june else 0.0)
            level: float = out * share[m]
            return level

        def residuals(x: np.ndarray) -> np.ndarray:
            cap, k, rates, new = unpack(x)
            out = []
            for (stat, key, m), (aim, hw) in targets.items():
                if m not in months:
                    continue
                value = rate(cap, k, rates, new, m, key)
                if stat == "pp_mom":
                    value -= rate(cap, k, rates, new, m - 1, key)
                # June's figures outrank July's forecast, and levels their changes, when
                # both cannot hold.
                weight = (0.2 if m == july else 1.0) * (3.0 if key == "" else 1.0) * (0.25 if stat == "pp_mom" else 1.0)
                out.append((value - aim) / max(hw, 1e-6) * weight)
            # The sample's output moves month to month as the national output does.
            for a, z in ((may, june),):
                want = np.log(level[z] / level[a])
                got = np.log(output(cap, k, rates, new, z) / output(cap, k, rates, new, a))
                out.append((got - want) * 2000.0)
            total = cap.sum() + k
            out.append(10.0 * np.log(total))  # the scale: capacities add to 1
            for c, cell in enumerate(cells):
                out.append(0.01 * np.log(cap[c] / total / prior_share[cell]))
            out.append(0.01 * np.log(k / total / 0.04))
            out.extend([0.05 * (new[0] - 0.3), 0.05 * (new[1] - 0.55)])
            return np.array(out)

        x0 = np.concatenate(
            [np.log([prior_share[c] for c in cells]), [np.log(0.04)], np.full(nc * 3, 1.5), [-0.8, 0.2]]
        )
        fit = least_squares(residuals, x0, method="trf", max_nfev=4000)
        cap, k, _, _ = unpack(fit.x)
        self.r_june = rate_june = self.june_rate(own, national, choice.rate)
        annual = float(level[june]) / share[june]
        sample_total = choice.coverage * annual / (rate_june / 100.0)
        scale = sample_total / (cap.sum() + k)
        self.new_capacity = k * scale
        return {cell: float(cap[c] * scale) for c, cell in enumerate(cells)}

    @override
    def shape(self, structure: Structure, national: National, rng: np.random.Generator) -> None:
        from metalstat.demo.groups import physical_path
        from metalstat.demo.structure import Plant, plant_code, plant_name, set_capacity

        product = structure.product
        # Exact panel capacity for May and June: with equal coverage the sample rate is
        # coverage × output / (capacity × the month's share of a year), so the stated rates
        # size them; the new smelter is the difference.
        june, may = timeline.T_LAST, timeline.T_LAST - 1
        level = physical_path(national)
        share = timeline.month_share(product)
        targets = getattr(self, "rates", {})
        r_june = getattr(self, "r_june", 85.76)
        r_may = r_june - targets.get(("pp_mom", "", june), (-3.06, 0.0))[0]

        def panel(t: int, r: float) -> float:
            output: float = structure.coverage * level[t] / share[t] / (r / 100.0)
            return output

        set_capacity(structure.plants, may, panel(may, r_may))
        self.new_capacity = panel(june, r_june) - panel(may, r_may)
        n = len(structure.plants) + 1
        name, name_zh = plant_name(product, "Smelter", n)
        route = product.dimension("feedstock").value_names()[0]
        when = timeline.LAST
        structure.plants.append(
            Plant(
                code=plant_code(product, n),
                name=name,
                name_zh=name_zh,
                province="Jiangsu",
                region="east China",
                country="China",
                nature="private",
                feedstock=route,
                records=[(when, float(self.new_capacity), "commissioning", "new smelter commissioned")],
                panel_from=when,
                role=self.NEW,
            )
        )
        # A concentrate smelter in north China is the one inspected.
        north = [
            p
            for p in structure.plants
            if p.panel_from is not None
            and not p.role
            and p.feedstock == route
            and p.first == timeline.FIRST
            and len(p.records) == 1
        ]
        inspected = sorted(north, key=lambda p: -p.records[0][1])[len(north) // 3]
        inspected.province, inspected.region, inspected.role = (
            "Inner Mongolia",
            "north China",
            (self.INSPECTED),
        )

    @override
    def pins(self, structure: Structure) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        lo, hi = np.full(timeline.N, 0.6), np.full(timeline.N, 0.97)
        new_lo, new_hi = np.zeros(timeline.N), np.full(timeline.N, 0.9)
        new_lo[timeline.T_LAST], new_hi[timeline.T_LAST] = 0.2, 0.45
        new_lo[timeline.T_FORECAST], new_hi[timeline.T_FORECAST] = 0.45, 0.8
        cut_lo, cut_hi = lo.copy(), hi.copy()
        cut_lo[timeline.T_LAST], cut_hi[timeline.T_LAST] = 0.3, 0.6
        cut_lo[timeline.T_FORECAST] = 0.8
        return {self.NEW: (new_lo, new_hi), self.INSPECTED: (cut_lo, cut_hi)}

    @override
    def fixed(self, structure: Structure, lay: Layout) -> dict[int, dict[int, str]]:
        june, july = timeline.T_LAST, timeline.T_FORECAST
        roles = {p.role: i for i, p in enumerate(structure.plants) if p.role}
        out: dict[int, dict[int, str]] = {june: {}, july: {}}
        out[june][roles[self.NEW]] = "commissioning"
        out[june][roles[self.INSPECTED]] = "cut_down"
        out[july][roles[self.INSPECTED]] = "increased"
        return out

    @override
    def missing(self, structure: Structure, lay: Layout, rng: np.random.Generator) -> list[tuple[int, int]]:
        return []


STORIES["copper_cathode"] = CopperStory()


# -- overseas alumina --------------------------------------------------------------------------


class AluminaStory(Story):
    """July 2025: a new 1 million t/year line at an Indonesian refinery is commissioned on 1
    July. It is surveyed from June: its June return reports nil output and plans its first
    month at a low share of its capacity (the start of a ramp-up to full output by the year's
    end), so it joins the forecast's sample and pulls July's rate down, the forecast's panel
    effect, while the refineries already running keep theirs nearly flat.

    The stated July rate sized July's capacity by expanding a panel refinery
    (``structure._forecast_capacity``); the new line takes the place of that expansion, the
    rest (either way) again on one refinery, so the sample's July capacity stays as sized."""

    NEW = "new line commissioned in July"
    CAPACITY = 1_000_000.0
    FIRST_MONTH = (0.08, 0.25)  # share of its July capacity it plans to run at

    @override
    def shape(self, structure: Structure, national: National, rng: np.random.Generator) -> None:
        from metalstat.demo.structure import _expand, plant_like

        product = structure.product
        june, july = timeline.T_LAST, timeline.T_FORECAST
        when = timeline.MONTHS[july]

        def sample_capacity() -> float:
            return sum(p.capacity(july) for p in structure.plants if p.panel_from is not None and p.in_panel(june))

        sized = sample_capacity()
        for p in structure.plants:
            if p.panel_from is not None and len(p.records) == 2 and p.records[1][0] == when:
                p.records = p.records[:1]
        ex = next(p for p in structure.plants if p.panel_from is not None and p.region == "Indonesia")
        records = [(when, self.CAPACITY, "commissioning", "new line commissioned")]
        structure.plants.append(
            plant_like(
                product,
                ex,
                len(structure.plants) + 1,
                "Refinery",
                records,
                panel_from=timeline.MONTHS[june],
                role=self.NEW,
                plans_first_month=True,
            )
        )
        rest = sized - sample_capacity()
        if abs(rest) > 0.0005 * sized:
            _expand(structure, rest, when, rng, forward=True)
        del national

    @override
    def pins(self, structure: Structure) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        lo, hi = np.zeros(timeline.N), np.zeros(timeline.N)
        lo[timeline.T_FORECAST], hi[timeline.T_FORECAST] = self.FIRST_MONTH
        return {self.NEW: (lo, hi)}

    @override
    def finish(
        self,
        structure: Structure,
        lay: Layout,
        groups: Groups,
        panel: Panel,
        own: Sequence[Target],
        rng: np.random.Generator,
    ) -> None:
        june = timeline.T_LAST
        for i, p in enumerate(structure.plants):
            if p.role == self.NEW:
                panel.status[i, june] = "commissioning"
                panel.reason[i, june] = "first output planned for next month"


STORIES["overseas_alumina"] = AluminaStory()


# -- light rare earths -------------------------------------------------------------------------


class LightRareEarthsStory(Story):
    """June 2025: Pr-Nd oxide gains most in Jiangxi and Shandong; Pr-Nd alloy rises on
    expansion projects commissioned at the Gansu plants on 1 June, every Gansu plant running
    a metal line, while the other provinces' alloy output holds.

    Capacity is Pr-Nd oxide capacity (the catalog's), so an expansion project shows as a
    capacity record of the plant; in June its new lines feed the metal line, and Gansu's
    oxide runs at the capacity it had in May (its rate dips while the new lines ramp up)."""

    # Oxide: the report's main increase, as each province's prior rate from June against
    # the others'.
    GAINING: ClassVar[dict[str, float]] = {"Jiangxi": 1.03, "Shandong": 1.025}
    EXPANDING = "Gansu"  # alloy: the report's main increment
    # The other provinces (the report says nothing of them): small differences of their own.
    OTHERS: ClassVar[dict[str, float]] = {"Inner Mongolia": 0.99, "Sichuan": 1.01, "Guangxi": 0.995, "Jiangsu": 1.005}
    EXPANSION = 0.1  # the expansion projects' share of a plant's capacity before them
    ALLOY_HOLD = 0.25  # another province's alloy moves by this part of its oxide change
    OXIDE, ALLOY = "series=Pr-Nd oxide", "series=Pr-Nd alloy"

    @override
    def shape(self, structure: Structure, national: National, rng: np.random.Generator) -> None:
        """Expansion projects at every Gansu panel plant, commissioned on 1 June, all of the
        same share (so a group of Gansu plants splits its output as before) and none moving a
        plant out of its size class: capacity before June is lower, June's frame as sized."""
        june = timeline.T_LAST
        for p in structure.plants:
            if p.province != self.EXPANDING or p.panel_from is None or not p.in_panel(june - 1) or len(p.records) > 1:
                continue
            cap = p.records[0][1]
            before = cap / (1.0 + self.EXPANSION)
            if size_class(structure.product, before) != size_class(structure.product, cap):
                structure.notes.append(f"{p.code}: no expansion project (it would change its size class)")
                continue
            p.records = [
                (p.records[0][0], before, "", ""),
                (timeline.LAST, cap, "expansion", "expansion project commissioned (separation and Pr-Nd metal lines)"),
            ]

    @override
    def lean(self, attrs: dict[str, str], capacity: np.ndarray) -> np.ndarray:
        june = timeline.T_LAST
        f = np.ones_like(capacity)
        if attrs["province"] in self.GAINING:
            f[june:] = self.GAINING[attrs["province"]]
        elif attrs["province"] in self.OTHERS:
            f[june:] = self.OTHERS[attrs["province"]]
        elif attrs["province"] == self.EXPANDING and capacity[june - 1] > 0:
            # The new lines feed the metal line: oxide at May's capacity.
            f[june:] = np.where(capacity[june:] > 0, capacity[june - 1] / np.maximum(capacity[june:], 1e-9), 1.0)
        return f

    @override
    def finish(
        self,
        structure: Structure,
        lay: Layout,
        groups: Groups,
        panel: Panel,
        own: Sequence[Target],
        rng: np.random.Generator,
    ) -> None:
        """Every Gansu panel plant runs a metal line (the others' as allocated); each month's
        weighted alloy total stays as calibrated. In June the other provinces' metal lines
        hold (they move by a quarter of their oxide change) and Gansu's make the rest."""
        alloy = panel.parts.get(self.ALLOY)
        if alloy is None:
            return
        june, may = timeline.T_LAST, timeline.T_LAST - 1
        y, w = panel.output, lay.weight
        resp = lay.in_panel & ~panel.missing
        total = (np.where(resp, w * alloy, 0.0)).sum(axis=0)  # the calibrated weighted totals
        gansu = np.array([p.province == self.EXPANDING for p in structure.plants]) & resp[:, june] & resp[:, may]
        ratio = np.where(y > 0, alloy / np.where(y > 0, y, 1.0), 0.0).max(axis=1)  # plant's own, up to a factor
        metal = ratio > 0
        typical = float(np.median(ratio[metal]))
        spread = (0.85, 1.0, 1.15)
        for k, i in enumerate(np.nonzero(gansu & ~metal)[0]):
            ratio[i] = typical * spread[k % len(spread)]
        new = np.where(resp, ratio[:, None] * y, 0.0)
        others = metal & ~gansu & resp[:, june] & resp[:, may] & (y[:, may] > 0)
        for t in range(june):
            got = (w[:, t] * new[:, t]).sum()
            if got > 0:
                new[:, t] *= total[t] / got
        hold = new[:, may] * np.where(w[:, june] > 0, w[:, may] / np.where(w[:, june] > 0, w[:, june], 1.0), 0.0)
        step = np.where(others, y[:, june] / np.where(y[:, may] > 0, y[:, may], 1.0) - 1.0, 0.0)
        new[others, june] = hold[others] * (1.0 + self.ALLOY_HOLD * step[others])
        rest = total[june] - (w[~gansu, june] * new[~gansu, june]).sum()
        base = (w[gansu, june] * new[gansu, june]).sum()
        before = (w[gansu, may] * new[gansu, may]).sum()
        if base <= 0 or rest <= before:
            structure.notes.append(f"Pr-Nd alloy: {self.EXPANDING}'s metal lines cannot carry June's rise")
            return
        new[gansu, june] *= rest / base
        panel.parts[self.ALLOY] = new
        del groups, own, rng


STORIES["light_rare_earths"] = LightRareEarthsStory()


def story_for(code: str) -> Story:
    return STORIES.get(code, Story())
