"""What the report tells about particular producers, told with the demo's producers.

The default story only sizes capacity-basis products to their stated capacity and keeps a few
June returns back so imputation runs. Products whose section tells of particular plants (the
newly commissioned copper smelter, the Shandong-to-Yunnan aluminium replacement, Indonesia's
new alumina lines, the antimony and bismuth status counts ...) get their own story.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from metalstat.catalog.model import Product
from metalstat.demo import timeline
from metalstat.demo.allocate import Panel
from metalstat.demo.cells import Layout
from metalstat.demo.choices import Choice
from metalstat.demo.groups import Groups
from metalstat.demo.national import National
from metalstat.demo.structure import Structure
from metalstat.demo.targets import Target

# Products with a June return or two missing, so the engine's imputation runs: simple sections
# (one content basis, output-basis rates, no status counts) where the imputed value is exact.
MISSING_IN_JUNE = {
    "primary_lead": 1, "refined_zinc": 2, "emm": 1, "dmc": 1, "titanium_sponge": 1,
    "ferromolybdenum": 1, "silver_nitrate": 1, "lco": 1, "iron_phosphate": 2, "ndfeb": 1,
}  # fmt: skip


def _stated(own: Sequence[Target], measure: str, statistic: str, period: str) -> float | None:
    for t in own:
        if (t.measure == measure and not t.breakdown and t.statistic == statistic
                and t.period == period and t.kind == "actual" and t.value is not None):  # fmt: skip
            return float(t.value)
    return None


class Story:
    """The default: no particular plants."""

    def capacity_path(
        self, product: Product, own: Sequence[Target], choice: Choice
    ) -> np.ndarray | None:
        """Frame capacity by month for capacity-basis products (constant over the last year)."""
        if product.operating_rate != "capacity":
            return None
        cap = _stated(own, "capacity", "level", timeline.LABELS[timeline.T_LAST])
        if cap is None:
            cap = choice.level * 365.0 / 30.0 / (choice.rate / 100.0)
        freeze = timeline.index("2024-07")
        return np.where(np.arange(timeline.N) >= freeze, cap, cap * 0.98)

    def panel_size(self, own: Sequence[Target]) -> int | None:
        n = _stated(own, "producer_count", "count", timeline.LABELS[timeline.T_LAST])
        return int(n) if n is not None else None

    def class_capacity(
        self, product: Product, own: Sequence[Target], national: National, choice: Choice
    ) -> dict[tuple[str, str], float] | None:
        return None

    def shape(self, structure: Structure, national: National, rng: np.random.Generator) -> None:
        """Adjust the structure after it is built (default: stated capacity made exact)."""
        if national.capacity is not None:
            exact_capacity(structure, float(national.capacity[timeline.T_LAST]))

    def pins(self, structure: Structure) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        return {}

    def fixed(self, structure: Structure, lay: Layout) -> dict[int, dict[int, str]]:
        """Categories the story fixes for particular producers: month -> producer -> category
        (see :mod:`metalstat.demo.statusplan`)."""
        return {}

    def missing(
        self, structure: Structure, lay: Layout, rng: np.random.Generator
    ) -> list[tuple[int, int]]:
        k = MISSING_IN_JUNE.get(structure.product.code, 0)
        return june_missing(structure, lay, k, rng)

    def finish(
        self,
        structure: Structure,
        lay: Layout,
        groups: Groups,
        panel: Panel,
        own: Sequence[Target],
        rng: np.random.Generator,
    ) -> None:
        return None


def exact_capacity(structure: Structure, capacity: float) -> None:
    """Make the June frame capacity exactly ``capacity`` by resizing the largest plant."""
    t = timeline.T_LAST
    total = sum(p.capacity(t) for p in structure.plants)
    biggest = max(structure.plants, key=lambda p: p.capacity(t))
    delta = capacity - total
    biggest.records = [(d, c + delta if c > 0 else c, e, n) for d, c, e, n in biggest.records]


def june_missing(
    structure: Structure, lay: Layout, k: int, rng: np.random.Generator
) -> list[tuple[int, int]]:
    """``k`` June returns kept back: producers with a return in May, in a stratum with at
    least three other respondents, not part of any story."""
    june = timeline.T_LAST
    out: list[tuple[int, int]] = []
    if k <= 0:
        return out
    candidates = [i for i, p in enumerate(structure.plants)
                  if lay.in_panel[i, june] and lay.in_panel[i, june - 1] and not p.role
                  and lay.sample[i, timeline.T_FORECAST]]  # fmt: skip
    rng.shuffle(candidates)  # type: ignore[arg-type]
    used_strata: set[str] = set()
    for i in candidates:
        s = str(lay.stratum[i, june])
        peers = sum(1 for j in range(len(structure.plants))
                    if lay.in_panel[j, june] and str(lay.stratum[j, june]) == s)  # fmt: skip
        if s in used_strata or peers < 4:
            continue
        out.append((i, june))
        used_strata.add(s)
        if len(out) == k:
            break
    return out


STORIES: dict[str, Story] = {}


def story_for(code: str) -> Story:
    return STORIES.get(code, Story())
