"""``generate(seed)``: the demo's synthetic panel, calibrated to the June 2025 report.

Pure and deterministic: the same seed gives the same producers, capacities and returns. For
every product of the catalog it runs three steps (national paths, producers, returns; see
:mod:`metalstat.demo.national`, :mod:`metalstat.demo.structure`,
:mod:`metalstat.demo.groups`, :mod:`metalstat.demo.allocate`) and collects the result in the
engine's input shapes, plus what the register holds beside them (names, natures, countries,
capacity notes, event descriptions) and the auxiliary series the report quotes.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time

import numpy as np
import polars as pl

from metalstat.catalog import Catalog, Product, load_catalog
from metalstat.demo import auxiliary, stories, timeline
from metalstat.demo.allocate import Panel, after_next, allocate, planned_parts
from metalstat.demo.cells import Layout, layout
from metalstat.demo.choices import load_choices
from metalstat.demo.groups import Groups, physical_path
from metalstat.demo.groups import calibrate as calibrate_groups
from metalstat.demo.national import National
from metalstat.demo.national import calibrate as calibrate_national
from metalstat.demo.reasons import seed_events
from metalstat.demo.statusplan import FLAT_DAILY_PCT, build_plan, with_the_move
from metalstat.demo.structure import Structure, build, uniform_coverage
from metalstat.demo.targets import Target, load_targets
from metalstat.engine.inputs import CycleInputs, conform, empty
from metalstat.engine.validate import check_returns

DEFAULT_SEED = 20250630


@dataclass(frozen=True)
class DemoData:
    """The generated panel: engine input frames plus register details and auxiliary series.

    ``schedule_parts`` holds the planned parts of June's schedules.
    ``producers`` has the engine's columns plus code, name, name_zh, country; ``capacity``
    plus note; ``returns`` plus source, collected_at, collected_by (only returns received:
    a missing return is an absent row); ``events`` plus description.
    """

    seed: int
    producers: pl.DataFrame
    capacity: pl.DataFrame
    panel: pl.DataFrame
    returns: pl.DataFrame
    return_parts: pl.DataFrame
    events: pl.DataFrame
    auxiliary_series: pl.DataFrame
    auxiliary_observations: pl.DataFrame
    auxiliary_outlooks: pl.DataFrame = field(default_factory=lambda: pl.DataFrame())
    confirmations: pl.DataFrame = field(default_factory=lambda: empty("confirmations"))
    schedule_parts: pl.DataFrame = field(default_factory=lambda: empty("schedule_parts"))
    notes: dict[str, list[str]] = field(default_factory=dict)  # per product: what gave way

    def cycle_inputs(self) -> CycleInputs:
        return CycleInputs(
            producers=conform("producers", self.producers),
            capacity=conform("capacity", self.capacity),
            panel=conform("panel", self.panel),
            returns=conform("returns", self.returns),
            return_parts=conform("return_parts", self.return_parts),
            schedule_parts=conform("schedule_parts", self.schedule_parts),
            events=conform("events", self.events),
            confirmations=conform("confirmations", self.confirmations),
        )


@dataclass
class ProductDemo:
    """Everything generated for one product, kept for tests and the documentation."""

    product: Product
    national: National
    structure: Structure
    layout: Layout
    groups: Groups
    panel: Panel


def product_seed(seed: int, code: str) -> int:
    """Each product its own stream, so adding a product changes no other."""
    return (seed * 1_000_003 + zlib.crc32(code.encode())) % (2**32)


def generate_product(product: Product, targets: Sequence[Target], seed: int = DEFAULT_SEED) -> ProductDemo:
    """One product's panel; where most producers would then move against the month's daily
    output (June, or July's schedules), the product is drawn again with a plan that makes
    most of them move with it (``statusplan.with_the_move``)."""
    demo = _generate_product(product, targets, seed, ())
    against = moved_against(demo)
    return _generate_product(product, targets, seed, against) if against else demo


def _generate_product(product: Product, targets: Sequence[Target], seed: int, majority: Sequence[int]) -> ProductDemo:
    choice = load_choices()[product.code]
    rng = np.random.default_rng(product_seed(seed, product.code))
    own = [t for t in targets if t.product == product.code]
    story = stories.story_for(product.code)
    capacity_path = story.capacity_path(product, own, choice)
    national = calibrate_national(
        product, own, choice, rng, capacity=capacity_path, extra=story.national_conditions(product, own)
    )
    structure = build(
        product,
        own,
        choice,
        national.total
        if product.headline_content == "physical" or product.content != "both"
        else national.paths["other"],
        rng,
        capacity_path=capacity_path,
        panel_size=story.panel_size(own),
        class_capacity=story.class_capacity(product, own, national, choice),
    )
    story.shape(structure, national, rng)
    uniform_coverage(structure, choice, rng)
    story.after_coverage(structure, national)
    lay = layout(structure)
    plan = with_the_move(build_plan(own, story.fixed(structure, lay)), physical_path(national), majority)
    halted = {t: min(0.8, k / max(int(lay.sample[:, t].sum()), 1) * 0.8) for t, k in plan.halted_share().items() if k}
    groups = calibrate_groups(
        product, own, national, structure, lay, pins=story.pins(structure), halted=halted, lean=story.lean
    )
    missing = story.missing(structure, lay, rng)
    panel = allocate(
        product,
        national,
        structure,
        lay,
        groups,
        rng,
        missing=missing,
        plan=plan,
        notes=structure.notes,
        stated=stated_sums(own),
        within=crossed_domains(product, own),
    )
    story.finish(structure, lay, groups, panel, own, rng)
    seed_events(product.code, structure, lay, panel)
    planned_parts(product, national, lay, panel)
    outlook = [t for t in own if t.kind == "forecast2" and t.measure == "production" and not t.breakdown]
    if outlook:
        after_next(lay, panel, _rise(outlook), np.random.default_rng(product_seed(seed, product.code + "/after_next")))
    return ProductDemo(product, national, structure, lay, groups, panel)


def _rise(outlook: Sequence[Target]) -> float:
    """The change of the month after next on the next that the report states: its number
    where it gives one, else 2% in the direction it gives."""
    for t in outlook:
        if t.statistic == "mom_pct" and t.value is not None:
            return t.value / 100.0
    down = any(t.direction == "down" for t in outlook)
    return -0.02 if down else 0.02


def moved_against(demo: ProductDemo) -> list[int]:
    """The months (June, July) whose daily output moves beyond flat while more sample
    producers moved the other way: the count the report would print against its level."""
    out = demo.panel.output
    sample = demo.layout.sample
    level = physical_path(demo.national)
    days = timeline.DAYS
    months = []
    for t in (timeline.T_LAST, timeline.T_FORECAST):
        daily = (level[t] / days[t]) / (level[t - 1] / days[t - 1]) * 100.0 - 100.0
        both = sample[:, t] & sample[:, t - 1]
        now, before = out[both, t] / days[t], out[both, t - 1] / days[t - 1]
        down, up = int((now < before).sum()), int((now > before).sum())
        if (daily >= FLAT_DAILY_PCT and down > up) or (daily <= -FLAT_DAILY_PCT and up > down):
            months.append(t)
    return months


def stated_sums(own: Sequence[Target]) -> list[tuple[str, str]]:
    """(dimension, measure) of the report's statements on producer domains ("" for the
    overall operating rate): the sums the status plan must leave as calibrated."""
    out: set[tuple[str, str]] = set()
    for t in own:
        if t.measure not in ("production", "share", "operating_rate", "operating_capacity"):
            continue
        dims = set(t.breakdown) & {"size_class", "region", "province", "feedstock"}
        if len(dims) == 1 and set(t.breakdown) <= dims | {"content"}:
            out.add((dims.pop(), t.measure))
        elif not t.breakdown and t.measure == "operating_rate":
            out.add(("", "operating_rate"))
    return sorted(out)


def crossed_domains(product: Product, own: Sequence[Target]) -> list[tuple[str, str]]:
    """(producer dimension, return partition) of the report's statements crossing the two
    (carbonate from spodumene at non-integrated plants): mixes calibrated within the domains."""
    out: set[tuple[str, str]] = set()
    kinds = {d.name: (d.source, d.kind) for d in product.dimensions}
    for t in own:
        if t.measure != "production" or len(t.breakdown) != 2:
            continue
        producer = [
            k for k in t.breakdown if k in ("region", "province", "feedstock") and kinds.get(k, ("",))[0] == "producer"
        ]
        part = [k for k in t.breakdown if kinds.get(k) == ("return", "partition")]
        if len(producer) == 1 and len(part) == 1:
            out.add((producer[0], part[0]))
    return sorted(out)


def generate(
    seed: int = DEFAULT_SEED,
    *,
    products: Sequence[str] | None = None,
    catalog: Catalog | None = None,
    targets: Sequence[Target] | None = None,
) -> DemoData:
    """The demo panel for every product of the catalog (or the ``products`` given)."""
    cat = catalog if catalog is not None else load_catalog()
    tg = list(targets) if targets is not None else list(load_targets(catalog=cat))
    chosen = [cat.get(c) for c in products] if products else list(cat)
    parts = [generate_product(p, tg, seed) for p in chosen]
    return confirm_warnings(assemble(seed, parts, tg), chosen)


class GeneratorError(RuntimeError):
    """The generated returns break a validation rule with an error: a generator bug."""


def confirm_warnings(data: DemoData, products: Sequence[Product]) -> DemoData:
    """Every warning the engine's validation raises on the generated returns, confirmed as an
    analyst would (a halted plant's zero output is not a unit mix-up; a restart is a swing
    with a reason). Errors are the generator's fault and stop it."""
    findings = check_returns(None, data.cycle_inputs(), products)
    errs = findings.filter(pl.col("severity") == "error")
    if errs.height:
        first = errs.row(0, named=True)
        raise GeneratorError(
            f"{errs.height} generated return(s) break an error rule, e.g. "
            f"{first['producer_id']} {first['period']}: {first['message']}"
        )
    warned = findings.filter(pl.col("severity") == "warning")
    if warned.is_empty():
        return data
    reasons = data.returns.select("producer_id", "period", "status", "reason")
    rows = warned.join(reasons, on=["producer_id", "period"], how="left").select(
        "producer_id",
        "period",
        "rule",
        reason=pl.when(pl.col("status") == "halted")
        .then(pl.lit("plant halted this month: zero output confirmed with the producer"))
        .otherwise(pl.concat_str(pl.lit("confirmed with the producer: "), pl.col("reason").fill_null("value checked"))),
        confirmed_by=pl.lit("demo analyst"),
    )
    return replace(data, confirmations=rows)


# -- frames ------------------------------------------------------------------------------------


def _collected_at(period: date) -> datetime:
    """Returns come in during the first days of the next month, by noon Beijing time."""
    nxt = date(period.year + (period.month == 12), period.month % 12 + 1, 3)
    return datetime.combine(nxt, time(4, 0), tzinfo=UTC)


def assemble(seed: int, parts: Sequence[ProductDemo], targets: Sequence[Target]) -> DemoData:
    prod_rows, cap_rows, panel_rows, ret_rows, part_rows, ev_rows = [], [], [], [], [], []
    planned_rows: list[tuple[str, date, str, str, float]] = []
    notes: dict[str, list[str]] = {}
    sources = ("phone", "phone", "phone", "spreadsheet", "field", "api")
    for d in parts:
        code = d.product.code
        notes[code] = list(d.structure.notes) + [
            f"{t.describe()}: {why}" for t, why in d.national.given_up + d.groups.given_up
        ]
        rng = np.random.default_rng(product_seed(seed, code + "/returns"))
        for p in d.structure.plants:
            prod_rows.append(
                (p.code, code, p.province, p.region, p.nature, p.feedstock or None, p.name, p.name_zh, p.country)
            )
            for valid_from, cap, event, note in p.records:
                cap_rows.append((p.code, valid_from, float(cap), event or None, note))
            if p.panel_from is not None:
                panel_rows.append((p.code, p.panel_from, p.panel_to))
        pan, lay = d.panel, d.layout
        for i, p in enumerate(d.structure.plants):
            source = sources[int(rng.integers(len(sources)))]
            for t in range(timeline.T_LAST + 1):
                # A plant entering July's frame that plans its first month sends a June return.
                entrant = t == timeline.T_LAST and lay.sample[i, t + 1] and not lay.in_frame[i, t]
                if not (lay.in_panel[i, t] or entrant) or pan.missing[i, t]:
                    continue
                period = timeline.MONTHS[t]
                sched = pan.schedule[i, t]
                after = np.nan if pan.after_next is None else pan.after_next[i, t]
                ret_rows.append(
                    (
                        p.code,
                        period,
                        float(pan.output[i, t]),
                        None if pan.metal is None else float(pan.metal[i, t]),
                        None if np.isnan(sched) else float(sched),
                        None
                        if pan.schedule_metal is None or np.isnan(pan.schedule_metal[i, t])
                        else float(pan.schedule_metal[i, t]),
                        float(pan.opcap[i, t]),
                        None if np.isnan(pan.schedule_opcap[i, t]) else float(pan.schedule_opcap[i, t]),
                        str(pan.status[i, t] or "normal"),
                        str(pan.reason[i, t]) or None,
                        None if np.isnan(after) else float(after),
                        source,
                        _collected_at(period),
                        "demo analyst",
                    )
                )
                for key, arr in pan.parts.items():
                    dim, value = key.split("=", 1)
                    part_rows.append((p.code, period, dim, value, float(arr[i, t])))
                for key, arr in pan.planned.items():
                    if not np.isnan(arr[i, t]):
                        dim, value = key.split("=", 1)
                        planned_rows.append((p.code, period, dim, value, float(arr[i, t])))
        for e in pan.events:
            ev_rows.append((e.producer, e.start, e.end, e.capacity_affected, e.reason, e.planned, e.description))
    producers = pl.DataFrame(
        prod_rows,
        orient="row",
        schema={
            "producer_id": pl.Utf8,
            "product": pl.Utf8,
            "province": pl.Utf8,
            "region": pl.Utf8,
            "nature": pl.Utf8,
            "feedstock": pl.Utf8,
            "name": pl.Utf8,
            "name_zh": pl.Utf8,
            "country": pl.Utf8,
        },
    )
    capacity = pl.DataFrame(
        cap_rows,
        orient="row",
        schema={
            "producer_id": pl.Utf8,
            "valid_from": pl.Date,
            "capacity": pl.Float64,
            "event": pl.Utf8,
            "note": pl.Utf8,
        },
    )
    panel = pl.DataFrame(
        panel_rows, orient="row", schema={"producer_id": pl.Utf8, "first_period": pl.Date, "last_period": pl.Date}
    )
    returns = pl.DataFrame(
        ret_rows,
        orient="row",
        schema={
            "producer_id": pl.Utf8,
            "period": pl.Date,
            "output": pl.Float64,
            "output_metal": pl.Float64,
            "schedule": pl.Float64,
            "schedule_metal": pl.Float64,
            "operating_capacity": pl.Float64,
            "schedule_operating_capacity": pl.Float64,
            "status": pl.Utf8,
            "reason": pl.Utf8,
            "schedule_after_next": pl.Float64,
            "source": pl.Utf8,
            "collected_at": pl.Datetime("us", "UTC"),
            "collected_by": pl.Utf8,
        },
    )
    return_parts, schedule_parts = (
        pl.DataFrame(rows, orient="row", schema=empty(name).schema) if rows else empty(name)
        for rows, name in ((part_rows, "return_parts"), (planned_rows, "schedule_parts"))
    )
    events = pl.DataFrame(
        ev_rows,
        orient="row",
        schema={
            "producer_id": pl.Utf8,
            "start": pl.Date,
            "end": pl.Date,
            "capacity_affected": pl.Float64,
            "reason": pl.Utf8,
            "planned": pl.Boolean,
            "description": pl.Utf8,
        },
    )
    series, observations, outlooks = auxiliary.series_and_observations(targets, seed)
    return DemoData(
        seed,
        producers,
        capacity,
        panel,
        returns,
        return_parts,
        events,
        series,
        observations,
        outlooks,
        schedule_parts=schedule_parts,
        notes=notes,
    )
