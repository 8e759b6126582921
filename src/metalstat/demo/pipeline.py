"""The demo's chain after generation: load the panel, run and publish every month, export.

The cycle of each month runs on the panel as loaded (the same frames the database loader
hands over; a test checks they are equal), with the history and forecasts of the releases
published before it, so YoY, YTD, benchmarks and forecast accuracy come from real vintages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

import polars as pl

from metalstat.catalog import Product, load_catalog
from metalstat.demo import timeline
from metalstat.demo.generator import DemoData
from metalstat.engine.cycle import CycleResult, run_cycle
from metalstat.engine.inputs import conform, period_label

ACTOR = "demo"
REVIEWER = "demo reviewer"
BEIJING = timezone(timedelta(hours=8))


def release_time(period: date) -> datetime:
    """Releases go out at 18:00 Beijing time on the month's last day."""
    nxt = date(period.year + (period.month == 12), period.month % 12 + 1, 1)
    return datetime.combine(nxt - timedelta(days=1), datetime.min.time(), BEIJING).replace(hour=18)


class DemoBlocked(RuntimeError):
    """A month's returns hold errors (the generator's fault): nothing more is published."""


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
) -> list[MonthDone]:
    """Run the cycle for each month in order, store it as a release and publish it."""
    from metalstat.releases.actions import (
        do_approve_release,
        do_publish_release,
        do_submit_for_review,
    )
    from metalstat.releases.cycle import CycleBlocked, store_result

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
        result = run_cycle(m, inputs, chosen)
        try:
            release = store_result(
                result,
                chosen,
                actor=ACTOR,
                note="metalstat demo",
                metadata={"source": f"metalstat demo (seed {data.seed})"},
            )
        except CycleBlocked as blocked:
            raise DemoBlocked(f"{period_label(m)}: {blocked.findings.height} error(s)") from blocked
        do_submit_for_review(release, actor=ACTOR)
        do_approve_release(release, actor=REVIEWER)
        # The demo loads history: each month went out at its own month end.
        do_publish_release(release, actor=REVIEWER, release_at=release_time(m), backfill=True)
        _remember(result.figures, "actual", history)
        _remember(result.figures, "forecast", forecasts)
        done.append(MonthDone(m, release, result))
        if progress is not None:
            progress(m)
    return done
