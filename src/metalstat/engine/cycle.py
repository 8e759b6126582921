"""One month's cycle: validate, impute, estimate, derive indicators, forecast, and assemble
the figures with their observation and confidentiality statuses.

``run_cycle(period, inputs, products)`` is the engine's single entry point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from metalstat.catalog.model import Product
from metalstat.catalog.vocabulary import FORECAST_KINDS, OBS_STATUS_PRECEDENCE
from metalstat.engine.calendar import add_months, days_in_month, estimation_window
from metalstat.engine.cells import build_cells
from metalstat.engine.estimate import (
    LEVELS,
    capacity_levels,
    domains,
    part_levels,
    production_levels,
    weights,
)
from metalstat.engine.figures import FIGURES
from metalstat.engine.forecast import (
    MIN_OUTLOOK_PRODUCERS,
    accuracy,
    benchmarks,
    headline_history,
    outlook_panel,
    scheduled_panel,
)
from metalstat.engine.impute import cell_statuses, complete_panel, imputation_log
from metalstat.engine.indicators import (
    COUNT_MEASURES,
    LEVEL_MEASURES,
    RATE_MEASURES,
    capacity_rate_levels,
    change_counts,
    change_crossings,
    count_levels,
    cross_breakdown,
    forecast_like_for_like,
    like_for_like,
    output_rate_levels,
    panel_changed,
    quality,
    quality_levels,
    share_levels,
)
from metalstat.engine.inputs import CycleInputs, month_start
from metalstat.engine.validate import check_returns, errors

# Status bits; combined with | across the months a figure is computed from.
E, I, U, P, B = 1, 2, 4, 8, 16  # noqa: E741  (the SDMX letters)
_BITS = {"E": E, "I": I, "U": U, "P": P, "B": B}
DOMINANCE_SHARE = 0.85
# The month before t keeps its levels and its own month-on-month changes ("the share was
# already rising in May"); older months of the window keep the headline only.
PREV_MONTH_CHANGES = ("mom_abs", "mom_pct", "daily_mom_pct", "pp_mom", "count_change")
MIN_CELL_PRODUCERS = 3


@dataclass(frozen=True)
class CycleResult:
    """The month's figures and everything needed to trace them."""

    period: date
    figures: pl.DataFrame  # FIGURES shape
    findings: pl.DataFrame  # validation findings for the month (validate.FINDINGS)
    imputations: pl.DataFrame  # one row per imputed cell: producer, month, method, value
    sample: pl.DataFrame  # completed sample with expansion weights: the lineage of every level
    cells: pl.DataFrame  # one status per completed cell (impute.CELL_STATUSES): reported, imputed by X

    @property
    def blocked(self) -> bool:
        """True when an error finding must be corrected before the figures can be stored."""
        return not errors(self.findings).is_empty()


def run_cycle(
    period: str | date,
    inputs: CycleInputs,
    products: Sequence[Product],
    *,
    with_benchmarks: bool = True,
) -> CycleResult:
    t = month_start(period)
    inputs = inputs.checked()
    window = estimation_window(t)
    context = add_months(window[0], -1)
    nxt, after = add_months(t, 1), add_months(t, 2)
    cells_all = build_cells(inputs, products, [context, *window, nxt, after])
    findings = check_returns(t, inputs, products, cells=cells_all)

    cells_ext = cells_all.filter(pl.col("period") <= t)
    completed = complete_panel(cells_ext, [context, *window], products).filter(pl.col("period") >= window[0])
    cells = cells_ext.filter(pl.col("period") >= window[0])
    w = weights(cells, completed)

    levels = _levels(cells, completed, w, inputs.return_parts, products)
    q = quality(cells, completed)
    levels = pl.concat([levels, quality_levels(q)])
    derived = _derive(levels, t, window)
    derived = _add_like_for_like(derived, completed, t)
    crossed = change_crossings(completed, t, products)
    derived = pl.concat([derived, _crossing_figures(crossed, t)], how="diagonal")
    flags = _flags(q, t, products)
    derived = _apply_flags(derived, flags, _breaks(cells, t))

    completed_t = completed.filter(pl.col("period") == t)
    cells_next = cells_all.filter(pl.col("period") == nxt)
    sched = scheduled_panel(completed_t, cells_next, inputs.returns.filter(pl.col("period") == t), products)
    fc = _forecast(sched, cells_next, inputs.schedule_parts, t, nxt, products)
    fc_rows = _forecast_figures(fc, levels, t, nxt, flags)
    fc_rows = _add_forecast_like_for_like(fc_rows, completed_t, sched, t, nxt)
    outlook, basis = _outlook(completed, cells_all, t, products)
    fc_rows = pl.concat(
        [fc_rows, _outlook_figures(outlook, basis, pl.concat([levels, fc.select(list(LEVELS))]), t, flags)],
        how="diagonal",
    )
    if with_benchmarks:
        hist = headline_history(levels, inputs.published_history, products)
        bench = benchmarks(hist, t)
        fc_rows = pl.concat([fc_rows, _benchmark_figures(bench)], how="diagonal")
    acc = _accuracy_figures(inputs.prior_forecasts, levels, inputs.published_history, t, flags)

    rows = pl.concat([derived, fc_rows, acc], how="diagonal")
    all_levels = pl.concat(
        [
            levels,
            fc.select(list(LEVELS)).with_columns(period=pl.lit(nxt)),
            outlook.select(list(LEVELS)),
            # The crossed cells go through disclosure like any breakdown cell.
            crossed.select(
                "product",
                "breakdown",
                "n_producers",
                "top_share",
                period=pl.lit(t),
                measure=pl.lit("production"),
                value="level",
            ).select(list(LEVELS)),
        ]
    )
    rows = _disclosure(rows, all_levels)
    figures = _assemble(rows, q, all_levels, products)
    return CycleResult(
        period=t,
        figures=figures,
        findings=findings,
        imputations=imputation_log(completed),
        sample=w,
        cells=cell_statuses(completed),
    )


def _levels(
    cells: pl.DataFrame,
    completed: pl.DataFrame,
    w: pl.DataFrame,
    parts: pl.DataFrame,
    products: Sequence[Product],
) -> pl.DataFrame:
    prod = production_levels(w, products)
    caps = capacity_levels(cells, w, completed, products)
    lv = pl.concat([prod, part_levels(w, parts, prod, products), caps, output_rate_levels(w, products)])
    lv = pl.concat([lv, capacity_rate_levels(lv, products), count_levels(completed, products)])
    return pl.concat([lv, share_levels(lv, products)])


# --- derived statistics ---------------------------------------------------------------------

_KEYS = ["product", "measure", "breakdown"]


def _derive(levels: pl.DataFrame, t: date, window: list[date]) -> pl.DataFrame:
    """Every statistic of every series, then kept by scope: everything for t, levels and MoM
    changes for t-1, the headline's level/MoM/YoY and the overall operating rate for the
    other months."""
    lv = levels.select(*_KEYS, "period", "value")
    prev = lv.select(*_KEYS, period=pl.col("period").dt.offset_by("1mo"), v_m=pl.col("value"))
    yago = lv.select(*_KEYS, period=pl.col("period").dt.offset_by("12mo"), v_y=pl.col("value"))
    j = lv.join(prev, on=[*_KEYS, "period"], how="left").join(yago, on=[*_KEYS, "period"], how="left")
    j = j.with_columns(p_m=pl.col("period").dt.offset_by("-1mo"), p_y=pl.col("period").dt.offset_by("-12mo"))
    v, vm, vy = pl.col("value"), pl.col("v_m"), pl.col("v_y")
    days = pl.col("period").dt.month_end().dt.day().cast(pl.Float64)
    prev_days = pl.col("p_m").dt.month_end().dt.day().cast(pl.Float64)

    def pct(a: pl.Expr, b: pl.Expr) -> pl.Expr:
        return pl.when(b != 0).then((a / b - 1.0) * 100.0)

    level_m = pl.col("measure").is_in(list(LEVEL_MEASURES))
    rate_m = pl.col("measure").is_in(list(RATE_MEASURES))
    count_m = pl.col("measure").is_in(list(COUNT_MEASURES))
    prod_m = pl.col("measure") == "production"
    stats: list[tuple[str, pl.Expr, pl.Expr, str | None]] = [
        ("level", level_m | rate_m, v, None),
        ("daily_avg", prod_m, v / days, None),
        ("daily_mom_pct", prod_m, pct(v / days, vm / prev_days), "p_m"),
        ("mom_abs", level_m, v - vm, "p_m"),
        ("mom_pct", level_m, pct(v, vm), "p_m"),
        ("yoy_abs", level_m, v - vy, "p_y"),
        ("yoy_pct", level_m, pct(v, vy), "p_y"),
        ("pp_mom", rate_m, v - vm, "p_m"),
        ("pp_yoy", rate_m, v - vy, "p_y"),
        ("count", count_m, v, None),
        ("count_change", count_m, v - vm, "p_m"),
    ]
    out = []
    for name, applies, expr, base in stats:
        out.append(
            j.filter(applies).select(
                *_KEYS,
                "period",
                statistic=pl.lit(name),
                value=expr,
                base=pl.col(base) if base else pl.lit(None, pl.Date),
            )
        )
    d = pl.concat(out)
    is_t = pl.col("period") == t
    is_prev = pl.col("period") == add_months(t, -1)
    headline = (pl.col("measure") == "production") & (
        (pl.col("breakdown") == "") | pl.col("breakdown").str.starts_with("content=")
    )
    history = (headline & pl.col("statistic").is_in(["level", "mom_pct", "yoy_pct"])) | (
        (pl.col("measure") == "operating_rate") & (pl.col("breakdown") == "") & (pl.col("statistic") == "level")
    )
    d = d.filter(
        is_t
        | (is_prev & pl.col("statistic").is_in(["level", "count", *PREV_MONTH_CHANGES]))
        | ((pl.col("period") >= window[0]) & history)
    ).filter(pl.col("value").is_not_null() | pl.col("statistic").is_in(["level", "count"]))
    d = d.with_columns(kind=pl.lit("actual"), span_start=pl.lit(None, pl.Date))
    return pl.concat([d, _ytd(levels, t)], how="diagonal")


def _ytd(levels: pl.DataFrame, t: date, kind: str = "actual") -> pl.DataFrame:
    """Year-to-date for every production series at t: Σ Jan..t, and its change against the
    same months a year earlier. Only complete spans count."""
    jan, jan_prev = date(t.year, 1, 1), date(t.year - 1, 1, 1)
    months = t.month
    lv = levels.filter(pl.col("measure") == "production")
    cur = lv.filter((pl.col("period") >= jan) & (pl.col("period") <= t))
    prev = lv.filter((pl.col("period") >= jan_prev) & (pl.col("period") <= add_months(t, -12)))

    def span(df: pl.DataFrame, name: str) -> pl.DataFrame:
        return df.group_by(_KEYS).agg(pl.col("value").sum().alias(name), pl.len().alias(name + "_n"))

    j = span(cur, "ytd").join(span(prev, "ytd_prev"), on=_KEYS, how="left")
    j = j.filter(pl.col("ytd_n") == months).with_columns(
        pl.when(pl.col("ytd_prev_n") == months).then(pl.col("ytd_prev")).alias("ytd_prev")
    )
    base = dict(period=pl.lit(t), base=pl.lit(add_months(t, -12)), span_start=pl.lit(jan), kind=pl.lit(kind))
    return pl.concat(
        [
            j.select(*_KEYS, statistic=pl.lit("ytd_level"), value="ytd", **base),
            j.select(
                *_KEYS,
                statistic=pl.lit("ytd_abs"),
                value=pl.col("ytd") - pl.col("ytd_prev"),
                **base,
            ),
            j.select(
                *_KEYS,
                statistic=pl.lit("ytd_pct"),
                value=(pl.col("ytd") / pl.col("ytd_prev") - 1.0) * 100.0,
                **base,
            ),
        ]
    ).filter(pl.col("value").is_not_null())


def _crossing_figures(crossed: pl.DataFrame, t: date) -> pl.DataFrame:
    """The output change of the producers that cut (raised) output, by domain: MoM in the
    unit and in %, over the same producers in both months (``indicators.change_crossings``)."""
    change = [
        ("mom_abs", pl.col("level") - pl.col("base_level")),
        ("mom_pct", pl.when(pl.col("base_level") != 0).then((pl.col("level") / pl.col("base_level") - 1.0) * 100.0)),
    ]
    return pl.concat(
        [
            crossed.select(
                "product",
                "breakdown",
                measure=pl.lit("production"),
                statistic=pl.lit(name),
                value=expr,
                base=pl.lit(add_months(t, -1)),
                period=pl.lit(t),
                kind=pl.lit("actual"),
                span_start=pl.lit(None, pl.Date),
            )
            for name, expr in change
        ]
    )


def _add_like_for_like(derived: pl.DataFrame, completed: pl.DataFrame, t: date) -> pl.DataFrame:
    """Like-for-like changes over the matched sample, and the part of the headline change that
    the panel change explains (headline − like-for-like)."""
    rows = []
    for offset, suffix in (("-1mo", "mom"), ("-12mo", "yoy")):
        lfl = like_for_like(completed, t, offset)
        base = add_months(t, -1 if suffix == "mom" else -12)
        rows.append(
            lfl.select(
                "product",
                "breakdown",
                measure=pl.lit("production"),
                statistic=pl.lit(f"lfl_{suffix}_pct"),
                value="lfl_pct",
                base=pl.lit(base),
            )
        )
        if suffix == "mom":
            rows.append(
                lfl.select(
                    "product",
                    "breakdown",
                    measure=pl.lit("operating_rate"),
                    statistic=pl.lit("lfl_pp_mom"),
                    value="lfl_pp",
                    base=pl.lit(base),
                )
            )
    lfl_rows = pl.concat(rows).with_columns(period=pl.lit(t), kind=pl.lit("actual"), span_start=pl.lit(None, pl.Date))
    # Keep like-for-like only where the headline series exists (output-basis rates).
    lfl_rows = lfl_rows.join(derived.filter(pl.col("period") == t).select(_KEYS).unique(), on=_KEYS, how="semi")
    head = derived.filter((pl.col("period") == t) & pl.col("statistic").is_in(["mom_pct", "pp_mom"])).select(
        *_KEYS, "statistic", "value"
    )
    effects = (
        lfl_rows.filter(pl.col("statistic").is_in(["lfl_mom_pct", "lfl_pp_mom"]))
        .with_columns(
            statistic_head=pl.when(pl.col("statistic") == "lfl_mom_pct")
            .then(pl.lit("mom_pct"))
            .otherwise(pl.lit("pp_mom"))
        )
        .join(
            head.rename({"statistic": "statistic_head", "value": "head"}),
            on=[*_KEYS, "statistic_head"],
        )
        .with_columns(
            statistic=pl.when(pl.col("statistic") == "lfl_mom_pct")
            .then(pl.lit("panel_effect_pct"))
            .otherwise(pl.lit("panel_effect_pp")),
            value=pl.col("head") - pl.col("value"),
        )
        .drop("statistic_head", "head")
    )
    return pl.concat([derived, lfl_rows, effects], how="diagonal")


def _add_forecast_like_for_like(
    fc_rows: pl.DataFrame, completed_t: pl.DataFrame, sched: pl.DataFrame, t: date, nxt: date
) -> pl.DataFrame:
    """The forecast's like-for-like change on t (producers in both months) and the part of the
    forecast's change that capacity entering or leaving the frame explains (forecast change −
    like-for-like: the entrants of ``sched``, the producers leaving, and the weights that
    follow them), as the actual month's: ``lfl_mom_pct``, ``lfl_pp_mom``,
    ``panel_effect_pct``, ``panel_effect_pp``, kind forecast."""
    lfl = forecast_like_for_like(completed_t, sched)
    lfl_rows = pl.concat(
        [
            lfl.select("product", "breakdown", measure=pl.lit(measure), statistic=pl.lit(stat), value=column)
            for measure, stat, column in (
                ("production", "lfl_mom_pct", "lfl_pct"),
                ("operating_rate", "lfl_pp_mom", "lfl_pp"),
            )
        ]
    )
    head = fc_rows.filter(pl.col("statistic").is_in(["mom_pct", "pp_mom"]) & pl.col("base").is_not_null())
    head = head.select(*_KEYS, "bits", statistic_head="statistic", head="value")
    lfl_rows = lfl_rows.with_columns(
        statistic_head=pl.when(pl.col("statistic") == "lfl_mom_pct").then(pl.lit("mom_pct")).otherwise(pl.lit("pp_mom"))
    ).join(head, on=[*_KEYS, "statistic_head"])  # only where the forecast states the headline
    effects = lfl_rows.with_columns(
        statistic=pl.when(pl.col("statistic") == "lfl_mom_pct")
        .then(pl.lit("panel_effect_pct"))
        .otherwise(pl.lit("panel_effect_pp")),
        value=pl.col("head") - pl.col("value"),
    )
    new = pl.concat([lfl_rows, effects]).drop("statistic_head", "head")
    new = new.with_columns(
        period=pl.lit(nxt), kind=pl.lit("forecast"), base=pl.lit(t), span_start=pl.lit(None, pl.Date)
    )
    return pl.concat([fc_rows, new], how="diagonal")


# --- statuses -------------------------------------------------------------------------------


def _flags(q: pl.DataFrame, t: date, products: Sequence[Product]) -> pl.DataFrame:
    """Status bits per product and month from its quality."""
    th = pl.DataFrame(
        [
            {
                "product": p.code,
                "min_cov": p.thresholds.min_coverage,
                "min_resp": p.thresholds.min_response,
                "max_imp": p.thresholds.imputed_share_max,
            }
            for p in products
        ]
    )
    j = q.join(th, on="product")
    bits = (
        pl.when((pl.col("coverage") < 1.0 - 1e-9) | (pl.col("imputed_share") > 0)).then(E).otherwise(0)
        | pl.when(pl.col("imputed_share") > pl.col("max_imp")).then(I).otherwise(0)
        | pl.when((pl.col("coverage") < pl.col("min_cov")) | (pl.col("response_rate") < pl.col("min_resp")))
        .then(U)
        .otherwise(0)
        | pl.when(pl.col("period") == t).then(P).otherwise(0)
    )
    return j.select("product", "period", bits=bits.cast(pl.Int64))


def _breaks(cells: pl.DataFrame, t: date) -> pl.DataFrame:
    out = []
    for offset, base in (("-1mo", add_months(t, -1)), ("-12mo", add_months(t, -12))):
        ch = panel_changed(cells, t, offset)
        out.append(ch.select("product", base=pl.lit(base), brk=pl.lit(B)))
    return pl.concat(out)


def _apply_flags(rows: pl.DataFrame, flags: pl.DataFrame, breaks: pl.DataFrame) -> pl.DataFrame:
    f = flags.rename({"bits": "b1"})
    rows = rows.join(f, on=["product", "period"], how="left").join(
        flags.rename({"period": "base", "bits": "b0"}), on=["product", "base"], how="left"
    )
    rows = rows.join(breaks, on=["product", "base"], how="left")
    # A YTD figure is withheld if any month of either span is.
    span_u = rows.filter(pl.col("span_start").is_not_null()).select("product").unique()
    withheld = flags.filter((pl.col("bits") & U) > 0)
    rows = rows.with_columns(
        bits=(
            pl.col("b1").fill_null(0)
            | pl.col("b0").fill_null(0)
            | pl.when(
                pl.col("statistic").is_in(
                    [
                        "mom_abs",
                        "mom_pct",
                        "daily_mom_pct",
                        "yoy_abs",
                        "yoy_pct",
                        "pp_mom",
                        "pp_yoy",
                        "count_change",
                        "lfl_mom_pct",
                        "lfl_yoy_pct",
                        "panel_effect_pct",
                        "panel_effect_pp",
                        "ytd_abs",
                        "ytd_pct",
                    ]
                )
            )
            .then(pl.col("brk").fill_null(0))
            .otherwise(0)
        )
    ).drop("b1", "b0", "brk")
    if not span_u.is_empty() and not withheld.is_empty():
        ytd_u = (
            rows.filter(pl.col("span_start").is_not_null())
            .select("product", "span_start", "period")
            .unique()
            .join(withheld, on="product", suffix="_w")
            .filter(
                ((pl.col("period_w") >= pl.col("span_start")) & (pl.col("period_w") <= pl.col("period")))
                | (
                    (pl.col("period_w") >= pl.col("span_start").dt.offset_by("-12mo"))
                    & (pl.col("period_w") <= pl.col("period").dt.offset_by("-12mo"))
                )
            )
            .select("product", "span_start", "period", u=pl.lit(U))
            .unique()
        )
        rows = (
            rows.join(ytd_u, on=["product", "span_start", "period"], how="left")
            .with_columns(bits=pl.col("bits") | pl.col("u").fill_null(0))
            .drop("u")
        )
    return rows


# --- forecast -------------------------------------------------------------------------------


def _forecast(
    sched: pl.DataFrame,
    cells_next: pl.DataFrame,
    schedule_parts: pl.DataFrame,
    t: date,
    nxt: date,
    products: Sequence[Product],
) -> pl.DataFrame:
    """Levels for t+1 from the producers' schedules (LEVELS shape; ``sched``: the sample of
    ``forecast.scheduled_panel``, ``cells_next``: the frame of t+1). Return-reported
    breakdowns come from the planned parts of the schedules, as the actual month's come
    from the reported parts: the composition of the producers that gave a schedule (and its
    parts), applied to the scheduled total; their shares likewise."""
    wf = weights(cells_next, sched)
    prod = production_levels(wf, products)
    planned_parts = schedule_parts.filter(pl.col("period") == t).with_columns(period=pl.lit(nxt))
    planned = part_levels(wf.with_columns(responded=pl.col("method") == "scheduled"), planned_parts, prod, products)
    caps = capacity_levels(cells_next, wf, sched, products)
    lv = pl.concat([prod, planned, caps, output_rate_levels(wf, products)])
    lv = pl.concat([lv, share_levels(lv, products)])
    stops = _known_stops(sched, nxt, products)
    # Producers scheduling lower / higher daily output than they made in t.
    planned = change_counts(
        sched.filter(pl.col("value").is_not_null() & pl.col("out_t").is_not_null()).with_columns(period=pl.lit(nxt)),
        pl.col("value") / pl.col("days"),
        pl.col("out_t") / days_in_month(t),
        products,
    ).with_columns(n_producers=pl.lit(None, pl.Int64), top_share=pl.lit(None, pl.Float64))
    return pl.concat([lv, capacity_rate_levels(lv, products), stops, planned.select(list(LEVELS))])


def _known_stops(sched: pl.DataFrame, nxt: date, products: Sequence[Product]) -> pl.DataFrame:
    """Stops already known for t+1: producers with a maintenance event touching the month
    (maintenance) and those stopped for all of it (halted); overall and, like the actual
    month's status counts, by each producer domain the product publishes (size class
    aside), zero included where the domain has producers (``region=…;status=maintenance``)."""
    stopped = {
        "maintenance": (pl.col("event_in_month") & ~pl.col("halt_known")).sum(),
        "halted": pl.col("halt_known").sum(),
    }

    def counted(frame: pl.DataFrame, by: list[str], breakdown: pl.Expr) -> pl.DataFrame:
        return (
            frame.group_by("product", *by)
            .agg(**stopped)
            .unpivot(index=["product", *by], variable_name="status", value_name="value")
            .select(
                "product",
                period=pl.lit(nxt),
                measure=pl.lit("producer_count"),
                breakdown=breakdown,
                value=pl.col("value").cast(pl.Float64),
                n_producers=pl.lit(None, pl.Int64),
                top_share=pl.lit(None, pl.Float64),
            )
        )

    parts = [counted(sched, [], pl.lit("status=") + pl.col("status"))]
    for dim, codes in domains(products).items():
        if dim == "size_class" or dim not in sched.columns:
            continue
        within = sched.filter(pl.col("product").is_in(codes) & pl.col(dim).is_not_null())
        parts.append(counted(within, [dim], cross_breakdown("status", dim)))
    return pl.concat(parts)


def _forecast_figures(
    fc: pl.DataFrame,
    levels: pl.DataFrame,
    t: date,
    nxt: date,
    flags: pl.DataFrame,
) -> pl.DataFrame:
    """The statistics of a forecast month ``nxt`` (t+1, or t+2 for the outlook) against the
    month before it and the same month a year earlier, from ``levels``: the actual months
    and, for t+2, the forecast of t+1 (period t+1)."""
    keep = pl.col("measure").is_in(
        ["production", "operating_rate", "operating_capacity", "capacity", "producer_count", "producer_share", "share"]
    )
    f = fc.filter(keep).select(*_KEYS, "value")
    before = add_months(nxt, -1)
    cur = levels.filter(pl.col("period") == before).select(*_KEYS, v_m="value")
    yago = levels.filter(pl.col("period") == add_months(nxt, -12)).select(*_KEYS, v_y="value")
    j = f.join(cur, on=_KEYS, how="left").join(yago, on=_KEYS, how="left")
    rate = pl.col("measure").is_in(["operating_rate", "producer_share", "share"])
    count = pl.col("measure") == "producer_count"
    level = ~rate & ~count
    v, vm, vy = pl.col("value"), pl.col("v_m"), pl.col("v_y")
    stats = [
        ("level", ~count, v, None),
        ("mom_abs", level, v - vm, before),
        ("mom_pct", level, (v / vm - 1.0) * 100.0, before),
        (
            "daily_mom_pct",
            pl.col("measure") == "production",
            (v / days_in_month(nxt) / (vm / days_in_month(before)) - 1.0) * 100.0,
            before,
        ),
        ("yoy_abs", level, v - vy, add_months(nxt, -12)),
        ("yoy_pct", level, (v / vy - 1.0) * 100.0, add_months(nxt, -12)),
        ("pp_mom", rate, v - vm, before),
        ("pp_yoy", rate, v - vy, add_months(nxt, -12)),
        ("count", count, v, None),
        ("count_change", count, v - vm, before),
    ]
    out = [
        j.filter(applies).select(
            *_KEYS,
            statistic=pl.lit(name),
            value=expr,
            base=pl.lit(base, pl.Date) if base else pl.lit(None, pl.Date),
        )
        for name, applies, expr, base in stats
    ]
    rows = (
        pl.concat(out)
        .with_columns(period=pl.lit(nxt), kind=pl.lit("forecast"), span_start=pl.lit(None, pl.Date))
        .filter(pl.col("value").is_not_null())
    )
    # YTD including the forecast month: the months of this year before it, plus the forecast.
    prod_fc = fc.filter(pl.col("measure") == "production").with_columns(period=pl.lit(nxt))
    combined = pl.concat(
        [
            levels.filter(pl.col("measure") == "production").select(list(LEVELS)),
            prod_fc.select(list(LEVELS)),
        ]
    )
    ytd = _ytd(combined, nxt, kind="forecast").join(f.select(_KEYS), on=_KEYS, how="semi")
    rows = pl.concat([rows, ytd], how="diagonal")
    # A forecast carries the flags of the month it starts from, and F.
    return rows.join(
        flags.filter(pl.col("period") == t).select("product", "bits"), on="product", how="left"
    ).with_columns(bits=pl.col("bits").fill_null(0) & ~P)


def _outlook(
    completed: pl.DataFrame, cells_all: pl.DataFrame, t: date, products: Sequence[Product]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The month after next (t+2): production levels (total and, for products in both
    contents, each content) from the schedules given that far ahead
    (``forecast.outlook_panel``), and its basis per product where anyone gave one: the
    producers that did (``n``), the share of the t+2 frame's capacity they cover
    (``coverage``), and whether that is too little to state it (``withheld``: fewer than
    MIN_OUTLOOK_PRODUCERS producers, or coverage below the product's minimum)."""
    after = add_months(t, 2)
    cells_after = cells_all.filter(pl.col("period") == after)
    sample = outlook_panel(completed.filter(pl.col("period") == t), cells_after)
    wf = weights(cells_after, sample)
    prod = production_levels(wf, products).filter(
        (pl.col("breakdown") == "") | pl.col("breakdown").str.starts_with("content=")
    )
    min_cov = pl.DataFrame(
        {"product": [p.code for p in products], "min_cov": [p.thresholds.min_coverage for p in products]},
        schema={"product": pl.Utf8, "min_cov": pl.Float64},
    )
    basis = (
        sample.group_by("product")
        .agg(c=pl.col("cap_avg").sum(), n=(pl.col("method") == "scheduled").sum().cast(pl.Int64))
        .filter(pl.col("n") > 0)
        .join(cells_after.group_by("product").agg(C=pl.col("cap_avg").sum()), on="product")
        .join(min_cov, on="product")
        .with_columns(coverage=pl.col("c") / pl.col("C"))
        .with_columns(withheld=(pl.col("n") < MIN_OUTLOOK_PRODUCERS) | (pl.col("coverage") < pl.col("min_cov")))
        .select("product", "n", "coverage", "withheld")
    )
    return prod.join(basis.select("product"), on="product", how="semi"), basis


def _outlook_figures(
    outlook: pl.DataFrame, basis: pl.DataFrame, levels: pl.DataFrame, t: date, flags: pl.DataFrame
) -> pl.DataFrame:
    """The outlook's statistics, kind ``forecast2`` (against the forecast of t+1 and the
    actual of a year earlier), estimated (E) below full coverage, withheld (U) where its basis is too thin,
    and the basis itself, always
    published: the producers behind it and their coverage in %. Each outlook figure carries
    its own coverage (the FIGURES ``coverage`` column)."""
    after = add_months(t, 2)
    if basis.is_empty():
        return pl.DataFrame()
    rows = (
        _forecast_figures(outlook, levels, t, after, flags)
        .with_columns(kind=pl.lit("forecast2"))
        .join(basis.select("product", "withheld", coverage_own="coverage"), on="product", how="left")
    )
    rows = rows.with_columns(
        bits=pl.col("bits")
        | pl.when(pl.col("withheld").fill_null(True)).then(U).otherwise(0)
        | pl.when(pl.col("coverage_own") < 1.0 - 1e-9).then(E).otherwise(0)
    ).drop("withheld")
    common: dict[str, pl.Expr] = dict(
        period=pl.lit(after),
        breakdown=pl.lit(""),
        kind=pl.lit("forecast2"),
        base=pl.lit(None, pl.Date),
        span_start=pl.lit(None, pl.Date),
        coverage_own=pl.col("coverage"),
    )
    about = pl.concat(
        [
            basis.select(
                "product",
                measure=pl.lit("coverage"),
                statistic=pl.lit("level"),
                value=pl.col("coverage") * 100.0,
                **common,
            ),
            basis.select(
                "product",
                measure=pl.lit("producer_count"),
                statistic=pl.lit("count"),
                value=pl.col("n").cast(pl.Float64),
                **common,
            ),
        ]
    ).join(flags.filter(pl.col("period") == t).select("product", "bits"), on="product", how="left")
    about = about.with_columns(bits=pl.col("bits").fill_null(0) & ~P)
    return pl.concat([rows, about], how="diagonal")


def _benchmark_figures(bench: pl.DataFrame) -> pl.DataFrame:
    return bench.select(
        "product",
        "period",
        "value",
        measure=pl.lit("production"),
        breakdown=pl.lit("method=") + pl.col("method"),
        statistic=pl.lit("level"),
        kind=pl.lit("forecast"),
        base=pl.lit(None, pl.Date),
        span_start=pl.lit(None, pl.Date),
        bits=pl.lit(0, pl.Int64),
    )


def _accuracy_figures(
    prior: pl.DataFrame,
    levels: pl.DataFrame,
    published: pl.DataFrame,
    t: date,
    flags: pl.DataFrame,
) -> pl.DataFrame:
    own = levels.filter((pl.col("measure") == "production") & (pl.col("breakdown") == "")).select(
        "product", "period", "value"
    )
    older = published.join(own.select("product", "period"), on=["product", "period"], how="anti")
    actuals = pl.concat([own, older.select("product", "period", "value")])
    acc = accuracy(prior, actuals, t)
    return acc.select(
        "product",
        "statistic",
        "value",
        period=pl.lit(t),
        measure=pl.lit("forecast_error"),
        breakdown=pl.lit(""),
        kind=pl.lit("actual"),
        base=pl.lit(None, pl.Date),
        span_start=pl.lit(None, pl.Date),
    ).join(flags.filter(pl.col("period") == t).select("product", "bits"), on="product", how="left")


# --- disclosure control ---------------------------------------------------------------------


def _secondary_suppression(cells: pl.DataFrame) -> pl.DataFrame:
    """``conf`` for each cell (product, period, breakdown, primary, size): C where primary,
    D where a cell must be withheld so that no C cell can be recovered by subtraction, F
    otherwise.

    A cell lies on one *line* per dimension of its table: the cells of the same table
    (the same dimension names) that differ only in that dimension's value, which add up to
    a cell of the table without it (the total, for a one-dimension table). A line with
    exactly one withheld cell gives it away as its total less the others, so the smallest
    other cell of that line is withheld too; since a cell of a crossed table lies on
    several lines, this repeats until every line is safe. A one-dimension table therefore
    behaves as before: one C cell takes the smallest other cell of its dimension with it."""
    rows = cells.to_dicts()
    parsed = [tuple(part.split("=", 1) for part in r["breakdown"].split(";")) for r in rows]
    lines: dict[tuple[object, ...], list[int]] = {}
    for i, (r, parts) in enumerate(zip(rows, parsed, strict=True)):
        names = tuple(name for name, _ in parts)
        for free in names:
            fixed = tuple((n, v) for n, v in parts if n != free)
            lines.setdefault((r["product"], r["period"], names, free, fixed), []).append(i)
    conf = ["C" if r["primary"] else "F" for r in rows]
    changed = True
    while changed:
        changed = False
        for members in lines.values():
            withheld = [i for i in members if conf[i] != "F"]
            free = [i for i in members if conf[i] == "F"]
            if len(withheld) == 1 and free:
                smallest = min(free, key=lambda i: (rows[i]["size"] is None, rows[i]["size"] or 0.0, i))
                conf[smallest] = "D"
                changed = True
    return cells.with_columns(conf=pl.Series(conf, dtype=pl.String))


def _disclosure(rows: pl.DataFrame, levels: pl.DataFrame) -> pl.DataFrame:
    """Primary suppression of breakdown cells with fewer than 3 producers or one producer above
    85%; secondary suppression so that no primary cell can be recovered by subtraction
    (:func:`_secondary_suppression`)."""
    sensitive = levels.filter(
        pl.col("measure").is_in(["production", "operating_capacity", "operating_rate"])
        & (pl.col("breakdown") != "")
        & ~pl.col("breakdown").str.starts_with("content=")
        & ~pl.col("breakdown").str.starts_with("basis=")
        & ~pl.col("breakdown").str.starts_with("method=")
        & pl.col("n_producers").is_not_null()
    )
    primary = (pl.col("n_producers") < MIN_CELL_PRODUCERS) | (pl.col("top_share").fill_null(0.0) > DOMINANCE_SHARE)
    cells = sensitive.group_by("product", "period", "breakdown").agg(
        primary=primary.any(), size=pl.col("value").filter(pl.col("measure") == "production").first()
    )
    cells = _secondary_suppression(cells).filter(pl.col("conf") != "F")
    c1 = cells.select("product", "period", "breakdown", c1="conf")
    c0 = cells.select("product", base="period", breakdown="breakdown", c0="conf")
    rows = rows.join(c1, on=["product", "period", "breakdown"], how="left").join(
        c0, on=["product", "base", "breakdown"], how="left"
    )
    # A cell crossed with a change (the plants that cut, in a province) is confidential in its
    # output only: how many producers cut is published as every count is.
    counted = pl.col("breakdown").str.contains("change=") & (pl.col("measure") != "production")
    rows = rows.with_columns(
        c1=pl.when(counted).then(None).otherwise(pl.col("c1")),
        c0=pl.when(counted).then(None).otherwise(pl.col("c0")),
    )
    return rows.with_columns(
        conf_status=pl.when((pl.col("c1") == "C") | (pl.col("c0") == "C"))
        .then(pl.lit("C"))
        .when(pl.col("c1").is_not_null() | pl.col("c0").is_not_null())
        .then(pl.lit("D"))
        .otherwise(pl.lit("F"))
    ).drop("c1", "c0")


# --- assembly -------------------------------------------------------------------------------


def _unit(products: Sequence[Product]) -> pl.Expr:
    unit = pl.lit("")
    for p in products:
        unit = pl.when(pl.col("product") == p.code).then(pl.lit(p.unit)).otherwise(unit)
    m, s = pl.col("measure"), pl.col("statistic")
    return (
        pl.when(
            s.is_in(
                [
                    "mom_pct",
                    "daily_mom_pct",
                    "yoy_pct",
                    "ytd_pct",
                    "lfl_mom_pct",
                    "lfl_yoy_pct",
                    "panel_effect_pct",
                    "pct",
                    "mape",
                ]
            )
        )
        .then(pl.lit("%"))
        .when(s.is_in(["pp_mom", "pp_yoy", "lfl_pp_mom", "panel_effect_pp"]))
        .then(pl.lit("pp"))
        .when(m.is_in(list(COUNT_MEASURES)))
        .then(pl.lit("count"))
        .when(m.is_in(list(RATE_MEASURES)))
        .then(pl.lit("%"))
        .when(s == "daily_avg")
        .then(unit + "/day")
        .when(m.is_in(["capacity", "operating_capacity"]))
        .then(unit + "/year")
        .otherwise(unit)
    )


def _status_exprs() -> tuple[pl.Expr, pl.Expr]:
    bits = pl.col("bits").fill_null(0)
    is_fc = pl.col("kind").is_in(list(FORECAST_KINDS))
    present = {
        "F": is_fc,
        **{code: (bits & bit) > 0 for code, bit in _BITS.items()},
    }
    status: pl.Expr = pl.lit("A")
    for code in reversed(OBS_STATUS_PRECEDENCE):
        if code in present:
            status = pl.when(present[code]).then(pl.lit(code)).otherwise(status)
    flag_list = [pl.when(present[c]).then(pl.lit(c)) for c in OBS_STATUS_PRECEDENCE if c in present]
    flags = pl.concat_str(flag_list, separator=",", ignore_nulls=True)
    return status, flags


def _assemble(rows: pl.DataFrame, q: pl.DataFrame, levels: pl.DataFrame, products: Sequence[Product]) -> pl.DataFrame:
    status, flags = _status_exprs()
    # A forecast's quality is that of the month its schedules were given in.
    qa = q.select(
        "product", q_period="period", coverage="coverage", response_rate="response_rate", imputed_share="imputed_share"
    )
    rows = rows.with_columns(
        q_period=pl.when(pl.col("kind") == "forecast")
        .then(pl.col("period").dt.offset_by("-1mo"))
        .when(pl.col("kind") == "forecast2")
        .then(pl.col("period").dt.offset_by("-2mo"))
        .otherwise(pl.col("period"))
    ).join(qa, on=["product", "q_period"], how="left")
    if "coverage_own" in rows.columns:  # the outlook's own coverage (see _outlook_figures)
        rows = rows.with_columns(coverage=pl.coalesce("coverage_own", "coverage"))
    n = (
        levels.filter(pl.col("n_producers").is_not_null())
        .select("product", "period", "measure", "breakdown", n_producers="n_producers")
        .unique(["product", "period", "measure", "breakdown"])
    )
    rows = rows.join(n, on=["product", "period", "measure", "breakdown"], how="left")
    period_label = pl.col("period").dt.strftime("%Y-%m")
    rows = rows.with_columns(
        period=pl.when(pl.col("span_start").is_not_null())
        .then(pl.col("span_start").dt.strftime("%Y-%m") + ".." + period_label)
        .otherwise(period_label),
        unit=_unit(products),
        status=status,
        flags=flags,
    )
    withheld = (pl.col("bits").fill_null(0) & U) > 0
    rows = rows.with_columns(value=pl.when(withheld).then(None).otherwise(pl.col("value")))
    order = {p.code: i for i, p in enumerate(products)}
    return (
        rows.with_columns(_o=pl.col("product").replace_strict(order, default=len(order)))
        .sort("_o", "kind", "measure", "breakdown", "statistic", "period")
        .select([pl.col(c).cast(t) for c, t in FIGURES.items()])
    )
