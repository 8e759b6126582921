"""Run the engine for a month on the database and keep the result as a draft vintage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import polars as pl

from metalstat.catalog import Product, load_catalog
from metalstat.core.changelog import Actor
from metalstat.engine.cycle import CycleResult, run_cycle
from metalstat.engine.inputs import CycleInputs, conform, month_start
from metalstat.engine.validate import errors, unconfirmed_warnings
from metalstat.releases.actions import Lineage, do_create_release
from metalstat.releases.exports import market_figures
from metalstat.releases.models import Release
from metalstat.releases.queries import figures_as_of
from metalstat.survey.frames import load_survey_inputs
from metalstat.survey.queries import corrected_returns

_MONTH = r"^\d{4}-\d{2}$"  # a month's figure period, not a span


def _published(kind: str, products: Sequence[str] | None, until: date | None, as_of: datetime | None) -> pl.DataFrame:
    """Headline production level of one kind, each month's value from its latest release."""
    selection: dict[str, Any] = {
        "kind": kind,
        "measure": "production",
        "statistic": "level",
        "breakdown": "",
    }
    if products is not None:
        selection["product"] = list(products)
    figures = figures_as_of(selection, as_of)
    figures = figures.filter(pl.col("period").str.contains(_MONTH))
    frame = figures.select(
        "product",
        (pl.col("period") + "-01").str.to_date("%Y-%m-%d").alias("period"),
        "value",
    ).filter(pl.col("value").is_not_null())
    if until is not None:
        frame = frame.filter(pl.col("period") <= until)
    name = "published_history" if kind == "actual" else "prior_forecasts"
    return conform(name, frame.sort("product", "period"))


def load_cycle_inputs(
    products: list[str] | None = None,
    until: date | None = None,
    *,
    as_of: datetime | None = None,
) -> CycleInputs:
    """Everything the engine needs for a month: the register and the survey
    (``survey.frames.load_survey_inputs``), and the published history and prior forecasts
    from the releases live at ``as_of`` (now by default), each month's value from its most
    recent release, as the public saw them."""
    last = month_start(until) if until is not None else None
    return replace(
        load_survey_inputs(products, until),
        published_history=_published("actual", products, last, as_of),
        prior_forecasts=_published("forecast", products, last, as_of),
    )


class CycleBlocked(RuntimeError):
    """The month has returns with errors; nothing was stored."""

    def __init__(self, findings: pl.DataFrame) -> None:
        self.findings = findings
        super().__init__(f"{findings.height} return(s) have errors that must be corrected first")


class HollowMonth(RuntimeError):
    """No product of the month has a publishable estimate (no returns, or all below their
    minimum response and coverage): there is nothing to release, so nothing is stored."""


def publishable_products(figures: pl.DataFrame, period: str) -> list[str]:
    """Products whose headline production of the month has a value (not withheld)."""
    head = figures.filter(
        (pl.col("kind") == "actual")
        & (pl.col("measure") == "production")
        & (pl.col("statistic") == "level")
        & (pl.col("breakdown") == "")
        & (pl.col("period") == period)
        & pl.col("value").is_not_null()
    )
    return sorted(set(head["product"].to_list()))


@dataclass(frozen=True)
class MonthRun:
    release: Release
    result: CycleResult

    @property
    def warnings(self) -> pl.DataFrame:
        return unconfirmed_warnings(self.result.findings)


def run_month(period: str, *, actor: Actor, products: Sequence[str] | None = None, note: str = "") -> MonthRun:
    """Load the month from the database, run the cycle, store the figures as a new draft
    vintage. Raises CycleBlocked (and stores nothing) when a return has an error."""
    t = month_start(period)
    catalog = load_catalog()
    chosen = [catalog.get(c) for c in products] if products else list(catalog)
    inputs = load_cycle_inputs([p.code for p in chosen], until=t)
    result = run_cycle(t, inputs, chosen)
    release = store_result(result, chosen, actor=actor, note=note)
    return MonthRun(release=release, result=result)


def store_result(
    result: CycleResult,
    products: Sequence[Product],
    *,
    actor: Actor,
    note: str = "",
    metadata: dict[str, Any] | None = None,
) -> Release:
    """Keep a cycle's figures as a new draft vintage, with what it found and imputed in the
    release's metadata. Raises CycleBlocked (and stores nothing) when a return has an error."""
    if result.blocked:
        raise CycleBlocked(errors(result.findings))
    label = f"{result.period:%Y-%m}"
    if not publishable_products(result.figures, label):
        raise HollowMonth(
            f"{label}: no product has a publishable estimate (no returns, or every product below its minimum "
            "response and coverage); nothing was stored"
        )
    imputed = result.imputations.filter(pl.col("period") == result.period)
    meta = {
        "products": [p.code for p in products],
        "findings": result.findings.height,
        "unconfirmed_warnings": unconfirmed_warnings(result.findings).height,
        "imputations": [
            {"producer": r["producer_id"], "product": r["product"], "method": r["method"], "value": r["value"]}
            for r in imputed.iter_rows(named=True)
        ],
    }
    # The market series quoted beside the estimates are kept in the vintage too (the API
    # serves them like any figure, under the same embargo).
    market = market_figures(result.period, [p.code for p in products])
    figures = pl.concat([result.figures, market.select(result.figures.columns)]) if market.height else result.figures
    return do_create_release(
        result.period,
        figures,
        actor=actor,
        note=note,
        metadata=meta | (metadata or {}),
        lineage=lineage_of(result),
    )


def lineage_of(result: CycleResult) -> Lineage:
    """The run's findings, cell statuses and weighted sample as stored with its vintage. A
    reported cell whose answer in force is a corrected revision (revision 2 or later) is
    ``edited``; its method names the revision."""
    cells = result.cells
    if not cells.is_empty():
        first = cells.get_column("period").min()
        last = cells.get_column("period").max()
        assert isinstance(first, date) and isinstance(last, date)
        corrected = corrected_returns(first, last, cells.get_column("producer_id").unique().to_list())
        if not corrected.is_empty():
            cells = (
                cells.join(corrected, on=["producer_id", "period"], how="left")
                .with_columns(
                    status=pl.when((pl.col("status") == "reported") & pl.col("revision").is_not_null())
                    .then(pl.lit("edited"))
                    .otherwise(pl.col("status")),
                    method=pl.when((pl.col("status") == "reported") & pl.col("revision").is_not_null())
                    .then(pl.lit("revision ") + pl.col("revision").cast(pl.Utf8))
                    .otherwise(pl.col("method")),
                )
                .drop("revision")
            )
    return Lineage(findings=result.findings, cells=cells, sample=result.sample)


def summary(figures: pl.DataFrame, period: str) -> pl.DataFrame:
    """One row per product: level, MoM %, YoY %, coverage, response rate, status flags."""
    t = figures.filter((pl.col("kind") == "actual") & (pl.col("period") == period) & (pl.col("breakdown") == ""))

    def pick(measure: str, statistic: str, name: str) -> pl.DataFrame:
        return t.filter((pl.col("measure") == measure) & (pl.col("statistic") == statistic)).select(
            "product", pl.col("value").alias(name)
        )

    level = t.filter((pl.col("measure") == "production") & (pl.col("statistic") == "level"))
    out = level.select("product", "unit", level="value", flags="flags")
    for measure, statistic, name in (
        ("production", "mom_pct", "mom_pct"),
        ("production", "yoy_pct", "yoy_pct"),
        ("coverage", "level", "coverage"),
        ("response_rate", "level", "response_rate"),
    ):
        out = out.join(pick(measure, statistic, name), on="product", how="left")
    return out
