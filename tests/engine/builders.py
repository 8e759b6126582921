"""Small hand-made panels for engine tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

from metalstat.engine.calendar import add_months, months_between
from metalstat.engine.inputs import CycleInputs, empty


@dataclass
class Panel:
    """Build engine inputs producer by producer."""

    product: str = "copper_cathode"
    producers: list[dict[str, object]] = field(default_factory=list)
    capacity: list[dict[str, object]] = field(default_factory=list)
    panel: list[dict[str, object]] = field(default_factory=list)
    returns: list[dict[str, object]] = field(default_factory=list)
    parts: list[dict[str, object]] = field(default_factory=list)
    planned_parts: list[dict[str, object]] = field(default_factory=list)
    events: list[dict[str, object]] = field(default_factory=list)
    history: list[dict[str, object]] = field(default_factory=list)
    forecasts: list[dict[str, object]] = field(default_factory=list)

    def producer(
        self,
        pid: str,
        capacity: float,
        *,
        since: date = date(2020, 1, 1),
        in_panel: bool = True,
        panel_from: date = date(2020, 1, 1),
        panel_to: date | None = None,
        region: str = "east China",
        province: str = "Jiangxi",
        feedstock: str | None = "copper concentrate",
        product: str | None = None,
    ) -> Panel:
        self.producers.append(
            {
                "producer_id": pid,
                "product": product or self.product,
                "province": province,
                "region": region,
                "nature": "private",
                "feedstock": feedstock,
            }
        )
        self.capacity.append(
            {
                "producer_id": pid,
                "valid_from": since,
                "capacity": capacity,
                "event": "commissioning",
            }
        )
        if in_panel:
            self.panel.append({"producer_id": pid, "first_period": panel_from, "last_period": panel_to})
        return self

    def capacity_change(self, pid: str, valid_from: date, capacity: float, event: str) -> Panel:
        self.capacity.append({"producer_id": pid, "valid_from": valid_from, "capacity": capacity, "event": event})
        return self

    def ret(
        self,
        pid: str,
        period: date,
        output: float | None,
        *,
        schedule: float | None = None,
        status: str = "normal",
        output_metal: float | None = None,
        schedule_metal: float | None = None,
        schedule_after_next: float | None = None,
        operating_capacity: float | None = None,
        schedule_operating_capacity: float | None = None,
        reason: str | None = None,
        parts: dict[str, dict[str, float]] | None = None,
        planned: dict[str, dict[str, float]] | None = None,
    ) -> Panel:
        self.returns.append(
            {
                "producer_id": pid,
                "period": period,
                "output": output,
                "output_metal": output_metal,
                "schedule": schedule,
                "schedule_metal": schedule_metal,
                "schedule_after_next": schedule_after_next,
                "operating_capacity": operating_capacity,
                "schedule_operating_capacity": schedule_operating_capacity,
                "status": status,
                "reason": reason,
            }
        )
        for rows, given in ((self.parts, parts), (self.planned_parts, planned)):
            for dim, values in (given or {}).items():
                for value, qty in values.items():
                    rows.append(
                        {"producer_id": pid, "period": period, "dimension": dim, "value": value, "quantity": qty}
                    )
        return self

    def steady(self, pid: str, start: date, end: date, output: float, schedule_next: bool = True) -> Panel:
        """The same output every month from start to end, each scheduling the same next."""
        for m in months_between(start, end):
            self.ret(pid, m, output, schedule=output if schedule_next else None)
        return self

    def event(self, pid: str, start: date, end: date | None, capacity: float, reason: str = "maintenance") -> Panel:
        self.events.append(
            {
                "producer_id": pid,
                "start": start,
                "end": end,
                "capacity_affected": capacity,
                "reason": reason,
                "planned": True,
            }
        )
        return self

    def inputs(self) -> CycleInputs:
        def frame(name: str, rows: list[dict[str, object]]) -> pl.DataFrame:
            base = empty(name)
            return pl.DataFrame(rows, schema=base.schema) if rows else base

        return CycleInputs(
            producers=frame("producers", self.producers),
            capacity=frame("capacity", self.capacity),
            panel=frame("panel", self.panel),
            returns=frame("returns", self.returns),
            return_parts=frame("return_parts", self.parts),
            schedule_parts=frame("schedule_parts", self.planned_parts),
            events=frame("events", self.events),
            published_history=frame("published_history", self.history),
            prior_forecasts=frame("prior_forecasts", self.forecasts),
        )


def fig(
    figures: pl.DataFrame,
    statistic: str,
    *,
    measure: str = "production",
    breakdown: str = "",
    period: str = "2025-06",
    kind: str = "actual",
    product: str | None = None,
) -> float | None:
    """The value of one figure; fails if it is not there exactly once."""
    f = figures.filter(
        (pl.col("measure") == measure)
        & (pl.col("breakdown") == breakdown)
        & (pl.col("statistic") == statistic)
        & (pl.col("period") == period)
        & (pl.col("kind") == kind)
    )
    if product is not None:
        f = f.filter(pl.col("product") == product)
    assert f.height == 1, f"expected one figure {measure}/{breakdown}/{statistic}/{period}, got {f}"
    value = f.item(0, "value")
    assert value is None or isinstance(value, float)
    return value


def row(figures: pl.DataFrame, statistic: str, **kw: str) -> dict[str, object]:
    measure = kw.get("measure", "production")
    f = figures.filter(
        (pl.col("measure") == measure)
        & (pl.col("breakdown") == kw.get("breakdown", ""))
        & (pl.col("statistic") == statistic)
        & (pl.col("period") == kw.get("period", "2025-06"))
        & (pl.col("kind") == kw.get("kind", "actual"))
    )
    assert f.height == 1, f
    return f.row(0, named=True)


JUN = date(2025, 6, 1)
MAY = add_months(JUN, -1)
