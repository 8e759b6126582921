"""The demo's chain after generation: load the panel, run and publish every month, export.

The cycle of each month runs on the panel as loaded (the same frames the database loader
hands over; a test checks they are equal), with the history and forecasts of the releases
published before it, so YoY, YTD, benchmarks and forecast accuracy come from real vintages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any, Protocol

import polars as pl

from metalstat.catalog import Product, load_catalog
from metalstat.demo import timeline
from metalstat.demo.generator import DemoData
from metalstat.engine.cycle import CycleResult, run_cycle
from metalstat.engine.inputs import CycleInputs, conform, period_label

ACTOR = "demo"
REVIEWER = "demo reviewer"
BEIJING = timezone(timedelta(hours=8))


def release_time(period: date) -> datetime:
    """Releases go out at 18:00 Beijing time on the month's last day."""
    nxt = date(period.year + (period.month == 12), period.month % 12 + 1, 1)
    return datetime.combine(nxt - timedelta(days=1), datetime.min.time(), BEIJING).replace(hour=18)


class DemoBlocked(RuntimeError):
    """A month's returns hold errors (the generator's fault): nothing more is published."""


class Late(Protocol):
    """Returns of one month that miss its first release (``dissemination.LateReturns``)."""

    @property
    def month(self) -> date: ...
    @property
    def product(self) -> str: ...
    @property
    def producers(self) -> list[str]: ...
    def without(self, inputs: CycleInputs) -> CycleInputs: ...
    def arrive(self) -> None: ...


@dataclass
class MonthDone:
    period: date
    release: Any  # releases.models.Release
    result: CycleResult


def _published(frame: dict[tuple[str, date], float], name: str) -> pl.DataFrame:
    rows = [(p, d, v) for (p, d), v in sorted(frame.items())]
    return conform(
        name, pl.DataFrame(rows, schema={"product": pl.Utf8, "period": pl.Date, "value": pl.Float64}, orient="row")
    )


def _remember(figures: pl.DataFrame, kind: str, into: dict[tuple[str, date], float]) -> None:
    """Headline production levels of one kind, as the frames loader reads them back."""
    rows = figures.filter(
        (pl.col("kind") == kind)
        & (pl.col("measure") == "production")
        & (pl.col("statistic") == "level")
        & (pl.col("breakdown") == "")
        & pl.col("period").str.contains(r"^\d{4}-\d{2}$")
        & pl.col("value").is_not_null()
    ).select("product", "period", "value")
    for product, period, value in rows.iter_rows():
        y, m = period.split("-")
        into[(product, date(int(y), int(m), 1))] = float(value)


def run_and_publish(
    data: DemoData,
    months: Sequence[date] = timeline.RELEASE_MONTHS,
    *,
    products: Sequence[Product] | None = None,
    progress: Callable[[date], None] | None = None,
    late: Late | None = None,
) -> list[MonthDone]:
    """Run the cycle for each month in order, store it as a release and publish it.

    With ``late``, its month is first published without the late returns (imputed); they
    arrive, and the month's second vintage, with them, goes out with the next month's
    release (a minute before it). The later months read that second vintage (its history and forecast), as
    ``releases.cycle.load_cycle_inputs`` would."""
    from metalstat.engine.calendar import add_months

    if late is not None and late.month not in months:
        raise ValueError(f"the late returns of {period_label(late.month)} would never arrive: it is not run")
    chosen = list(products) if products is not None else list(load_catalog())
    base = data.cycle_inputs().checked()
    history: dict[tuple[str, date], float] = {}
    forecasts: dict[tuple[str, date], float] = {}
    done: list[MonthDone] = []
    for m in months:
        inputs = replace(
            base,
            returns=base.returns.filter(pl.col("period") <= m),
            return_parts=base.return_parts.filter(pl.col("period") <= m),
            schedule_parts=base.schedule_parts.filter(pl.col("period") <= m),
            published_history=_published({k: v for k, v in history.items() if k[1] <= m}, "published_history"),
            prior_forecasts=_published({k: v for k, v in forecasts.items() if k[1] <= m}, "prior_forecasts"),
        )
        release_at, note = release_time(m), "metalstat demo"
        if late is not None and m == late.month:
            first = run_cycle(m, late.without(inputs), chosen)
            # A public note: how many and of what, never which producers.
            missing = f"{len(late.producers)} {load_catalog().get(late.product).name.lower()} returns"
            note_first = f"metalstat demo: {missing} were not in by the release and are imputed"
            done.append(MonthDone(m, _store_and_publish(first, chosen, data, note_first, release_at), first))
            late.arrive()
            # With the next month's release, a minute before it: October's own second
            # vintage carries the revision, and November's release then repeats it.
            release_at = release_time(add_months(m, 1)) - timedelta(minutes=1)
            note = f"metalstat demo: {missing}, in late, replace their imputed values"
        result = run_cycle(m, inputs, chosen)
        release = _store_and_publish(result, chosen, data, note, release_at)
        _remember(result.figures, "actual", history)
        _remember(result.figures, "forecast", forecasts)
        done.append(MonthDone(m, release, result))
        if progress is not None:
            progress(m)
    return done


def _store_and_publish(result: CycleResult, chosen: Sequence[Product], data: DemoData, note: str, at: datetime) -> Any:
    from metalstat.releases.actions import (
        do_approve_release,
        do_publish_release,
        do_submit_for_review,
    )
    from metalstat.releases.cycle import CycleBlocked, store_result

    try:
        release = store_result(
            result,
            chosen,
            actor=ACTOR,
            note=note,
            metadata={"source": f"metalstat demo (seed {data.seed})"},
        )
    except CycleBlocked as blocked:
        raise DemoBlocked(f"{period_label(result.period)}: {blocked.findings.height} error(s)") from blocked
    do_submit_for_review(release, actor=ACTOR)
    do_approve_release(release, actor=REVIEWER)
    # The demo loads history: each month went out at its own month end.
    do_publish_release(release, actor=REVIEWER, release_at=at, backfill=True)
    return release
