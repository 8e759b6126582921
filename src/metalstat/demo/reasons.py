"""The reasons the June 2025 report gives, as events of the demo's producers.

For six products the report says why output moved in June and why it will move in July
(raw-material shortages, an environmental inspection, losses, a capacity replacement ...).
Each entry below becomes events of producers whose output the demo already moves that way:
in June, those whose daily output fell on May (the ones reporting a cut or a stop first);
in July, those whose schedule is lower than June's daily output (or a June event's producer
whose trouble the report says lasts). The size is the share of the plant's capacity its
daily output lost, so the event weighs on the month as the cut does. No random draw: the rest
of the demo is unchanged. The list, with the report's words paraphrased: docs/demo.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from metalstat.demo import timeline
from metalstat.demo.allocate import Event, Panel
from metalstat.demo.cells import Layout
from metalstat.demo.structure import Structure


@dataclass(frozen=True)
class SeedEvent:
    month: str  # "2025-06" (the report's month) or "2025-07" (its outlook)
    reason: str  # a value of vocabulary.EVENT_REASONS
    plants: int  # how many producers
    description: str
    region: str = ""  # a region of China, when the report names one
    province: str = ""
    planned: bool = False


SEED_EVENTS: dict[str, tuple[SeedEvent, ...]] = {
    "copper_cathode": (
        SeedEvent(
            "2025-06",
            "environmental_inspection",
            1,
            "output cut sharply during an environmental inspection",
            region="north China",
        ),
        SeedEvent("2025-06", "raw_material_shortage", 4, "cut for want of copper concentrate and anode"),
    ),
    "aluminium": (
        SeedEvent(
            "2025-06",
            "capacity_replacement",
            1,
            "pots shut in Shandong for a replacement project in Yunnan",
            province="Shandong",
            planned=True,
        ),
    ),
    "refined_nickel": (
        SeedEvent(
            "2025-06", "raw_material_shortage", 1, "a leading refinery cut hard for want of nickel intermediates"
        ),
        SeedEvent(
            "2025-07", "raw_material_shortage", 1, "intermediates still scarce: the cut is not undone", planned=True
        ),
    ),
    "npi": (
        SeedEvent("2025-06", "losses", 3, "cut as ore costs rose and NPI prices fell"),
        SeedEvent("2025-06", "maintenance", 1, "slow restart after maintenance", region="north China", planned=True),
        SeedEvent(
            "2025-07", "losses", 3, "dear Philippine ore and weak stainless demand: output kept low", planned=True
        ),
    ),
    "cobalt_sulphate": (
        SeedEvent("2025-06", "raw_material_shortage", 3, "cut or stopped, short of raw material stocks"),
        SeedEvent("2025-06", "losses", 2, "cut on weak margins as prices fell"),
        SeedEvent(
            "2025-07", "raw_material_shortage", 4, "raw material tighter: deep cuts or stops planned", planned=True
        ),
    ),
    "lithium_carbonate": (
        SeedEvent("2025-06", "losses", 2, "recycling lines cut on heavy losses (black mass dear, lithium cheap)"),
    ),
    "stainless_steel": (
        SeedEvent("2025-06", "losses", 4, "cut under prices below costs in the off-season"),
        SeedEvent("2025-07", "losses", 4, "further cuts planned: losses, weak demand, high stocks", planned=True),
    ),
}


@dataclass(frozen=True)
class AnalystNote:
    """A reason no return or event carries (a market's pull), entered as the analysts' text
    that leads a slot (``Commentary``, mode ``before``), in both languages."""

    month: str
    product: str
    slot: str
    en: str
    zh: str


# Lithium carbonate's June rise: the report puts it down to futures hedging, which brought
# producers running at low rates back. Restarts are statuses and output, not stops, so no
# event can carry it; an analyst would write it, and the demo does (27 of its 30 producers
# compared raise daily output).
ANALYST_NOTES = (
    AnalystNote(
        "2025-06",
        "lithium_carbonate",
        "production",
        "Hedging opportunities on the futures market brought lithium salt producers that had been "
        "running at low rates back into production.",
        "期货盘面出现套保机会，此前低开工的锂盐厂纷纷复产。",
    ),
)


def seed_events(code: str, structure: Structure, lay: Layout, panel: Panel) -> None:
    """Add the report's events of product ``code`` to the panel (see the module's text)."""
    june, july = timeline.T_LAST, timeline.T_FORECAST
    days = timeline.DAYS
    y = panel.output
    taken: dict[int, set[int]] = {june: set(), july: set()}
    for e in panel.events:
        for t in (june, july):
            first = timeline.MONTHS[t]
            if e.start <= first + timedelta(days=int(days[t]) - 1) and (e.end is None or e.end >= first):
                taken[t].add(next(i for i, p in enumerate(structure.plants) if p.code == e.producer))
    june_of: dict[str, list[int]] = {}
    for spec in SEED_EVENTS.get(code, ()):
        t = timeline.index(spec.month)
        before = y[:, t - 1] / days[t - 1]
        now = (y[:, t] if t == june else panel.schedule[:, june]) / days[t]
        with np.errstate(divide="ignore", invalid="ignore"):
            fall = np.where(before > 0, 1.0 - now / before, 0.0)
        candidates = []
        for i, p in enumerate(structure.plants):
            if not lay.sample[i, t] or panel.missing[i, june] or i in taken[t]:
                continue
            if (spec.region and p.region != spec.region) or (spec.province and p.province != spec.province):
                continue
            lasting = i in june_of.get(spec.reason, ())
            if fall[i] <= 0 and not lasting:
                continue
            if t == july and now[i] <= 0:
                continue  # a stop for all July would count as known to the forecast
            size = float(np.clip(max(fall[i], 0.2 if lasting else 0.0), 0.05, 0.9)) * float(lay.cap_end[i, t])
            cut = t == june and panel.status[i, t] in ("cut", "halted")  # the plan's cuts first
            candidates.append((not lasting, not cut, -size, i))
        first = timeline.MONTHS[t]
        last = first + timedelta(days=int(days[t]) - 1)
        for _lasting, _cut, minus_size, i in sorted(candidates)[: spec.plants]:
            taken[t].add(i)
            if t == june:
                june_of.setdefault(spec.reason, []).append(i)
                panel.reason[i, t] = spec.description
            # from the 2nd: a stop known for the whole month would change the engine's counts
            panel.events.append(
                Event(
                    structure.plants[i].code,
                    first + timedelta(days=1),
                    last,
                    -minus_size,
                    spec.reason,
                    spec.planned,
                    spec.description,
                )
            )
