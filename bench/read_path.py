"""Read-path benchmark: validation findings and the figure queries, old versus new in one run.

(a) ``check_returns`` on the synthetic panel (``bench/synthetic.py``, scale 1: 3,000
    producers, 10 years) for one month (as ``run_cycle`` calls it) and for every month (as
    imports and the demo call it), with the findings built by the row-by-row loop it used to
    have (kept below) and by the current polars version.
(b) ``_vintage_frame`` and ``figure_vintages`` over tens of thousands of Figure rows in a
    temporary SQLite database (or DATABASE_URL's, which must be empty), with the old
    ``_vintage_frame`` (kept below) and the current one.

(c) ``series_observations(view="latest")`` with the database keeping the newest vintage of
    each figure against every vintage read and filtered in polars, on (b)'s database or, with
    ``--only latest``, on the database as it stands (the demo's: set METALSTAT_DATA_DIR).

One JSON line per measurement: old and new seconds (median of ``--runs``), new/old ratio.
Run: ``make bench`` or ``python bench/read_path.py [--runs 5] [--figures 50000]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import polars as pl
from synthetic import synthetic_inputs

from metalstat.catalog import load_catalog
from metalstat.engine import validate
from metalstat.engine.figures import FIGURES
from metalstat.engine.validate import FINDINGS, RULES


def _median(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _compare(old: Callable[[], object], new: Callable[[], object], runs: int) -> dict[str, float]:
    """Median seconds of old and new, run alternately so both see the same machine load."""
    old(), new()  # warm-up
    times: dict[str, list[float]] = {"old_s": [], "new_s": []}
    for _ in range(runs):
        for key, fn in (("old_s", old), ("new_s", new)):
            t0 = time.perf_counter()
            fn()
            times[key].append(time.perf_counter() - t0)
    return {key: statistics.median(ts) for key, ts in times.items()}


def _line(**fields: Any) -> None:
    if "old_s" in fields and "new_s" in fields:
        fields["ratio"] = round(fields["new_s"] / fields["old_s"], 3)
        fields["old_s"], fields["new_s"] = round(fields["old_s"], 4), round(fields["new_s"], 4)
    print(json.dumps(fields), flush=True)


# --- (a) validation ------------------------------------------------------------------------


class _Blank(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "?"


def _old_format(template: str, row: dict[str, object]) -> str:
    values = _Blank({k: (v if v is not None else float("nan")) for k, v in row.items()})
    values["period"] = f"{row['period']:%Y-%m}" if isinstance(row["period"], date) else "?"
    try:
        return template.format_map(values)
    except (ValueError, TypeError):
        return template


def old_findings(ctx: pl.DataFrame, confirmations: pl.DataFrame) -> pl.DataFrame:
    """The end of check_returns before: one dict per rule and hit row, format_map per row."""
    confirmed = confirmations.with_columns(confirmed=pl.lit(True))
    found = []
    for rule in RULES:
        hits = ctx.filter(rule.test().fill_null(False))
        if hits.is_empty():
            continue
        for row in hits.with_columns(_value=rule.value()).iter_rows(named=True):
            found.append(
                {
                    "producer_id": row["producer_id"],
                    "product": row["product"],
                    "period": row["period"],
                    "rule": rule.id,
                    "severity": rule.severity,
                    "message": _old_format(rule.message, row),
                    "value": row["_value"],
                }
            )
    if not found:
        return pl.DataFrame(schema=FINDINGS)
    df = pl.DataFrame(found, schema={k: v for k, v in FINDINGS.items() if k != "confirmed"})
    return (
        df.join(confirmed, on=["producer_id", "period", "rule"], how="left")
        .with_columns(pl.col("confirmed").fill_null(False))
        .select(list(FINDINGS))
    )


def bench_validation(runs: int) -> None:
    products = list(load_catalog())
    inputs = synthetic_inputs(3000).checked()
    for period in ("2025-06", None):
        ctx = validate._context(period, inputs, products)
        assert ctx is not None
        conf = inputs.confirmations
        old, new = old_findings(ctx, conf), validate._findings(ctx, conf)
        assert old.equals(new), "the findings differ"
        hits = [(r, ctx.filter(r.test().fill_null(False)).with_columns(_value=r.value())) for r in RULES]
        t_ctx = _median(lambda: validate._context(period, inputs, products), runs)  # noqa: B023
        t = _compare(
            lambda: old_findings(ctx, conf),  # noqa: B023
            lambda: validate._findings(ctx, conf),  # noqa: B023
            runs,
        )
        t_msg = _median(
            lambda: [validate._messages(r.message, h) for r, h in hits if h.height],  # noqa: B023
            runs,
        )
        label = period or "all months"
        _line(bench="check_returns findings", period=label, returns=ctx.height,
              findings=new.height, **t, new_messages_s=round(t_msg, 4))  # fmt: skip
        _line(bench="check_returns", period=label, returns=ctx.height, findings=new.height,
              context_s=round(t_ctx, 3), old_s=t_ctx + t["old_s"], new_s=t_ctx + t["new_s"])  # fmt: skip


# --- (b) figure queries --------------------------------------------------------------------


def old_vintage_frame(qs: Any) -> pl.DataFrame:
    """_vintage_frame before: release_period formatted row by row with map_elements."""
    from metalstat.releases.queries import VINTAGE_COLUMNS

    columns = [*FIGURES, "release__period", "release__vintage", "release__release_at"]
    schema = {**FIGURES, **VINTAGE_COLUMNS}
    rows = list(qs.values_list(*columns))
    frame = pl.DataFrame(rows, schema=list(schema), orient="row", infer_schema_length=None)
    return frame.with_columns(
        pl.col("release_period").map_elements(lambda d: f"{d.year:04d}-{d.month:02d}", return_dtype=pl.Utf8),
        *(pl.col(c).cast(t) for c, t in schema.items() if c != "release_period"),
    )


def strftime_vintage_frame(qs: Any) -> pl.DataFrame:
    """The old _vintage_frame with only the per-row formatting vectorised (for comparison)."""
    from metalstat.releases.queries import VINTAGE_COLUMNS

    columns = [*FIGURES, "release__period", "release__vintage", "release__release_at"]
    schema = {**FIGURES, **VINTAGE_COLUMNS}
    rows = list(qs.values_list(*columns))
    frame = pl.DataFrame(rows, schema=list(schema), orient="row", infer_schema_length=None)
    return frame.with_columns(
        pl.col("release_period").cast(pl.Date).dt.strftime("%Y-%m"),
        *(pl.col(c).cast(t) for c, t in schema.items() if c != "release_period"),
    )


def _figures(n: int, vintage: int) -> pl.DataFrame:
    """n figures of a release: series of 54 products over months, some with breakdowns."""
    k = pl.col("k")
    return pl.DataFrame({"k": range(n)}).select(
        product=pl.format("product{}", k % 54),
        kind=pl.lit("actual"),
        measure=pl.format("m{}", k // 54 % 4),
        breakdown=pl.when(k // 216 % 5 == 0).then(pl.lit("")).otherwise(pl.format("region=r{}", k // 216 % 5)),
        statistic=pl.format("s{}", k // 1080 % 6),
        period=pl.format("p{}", k // 6480),
        value=(k * 1.5 + vintage).cast(pl.Float64),
        unit=pl.lit("mt"),
        status=pl.lit("A"),
        flags=pl.lit("A"),
        conf_status=pl.when(k % 13 == 0).then(pl.lit("C")).otherwise(pl.lit("F")),
        coverage=pl.lit(0.9),
        response_rate=pl.lit(0.95),
        imputed_share=pl.when(k % 5 == 0).then(None).otherwise(pl.lit(0.05)),
        n_producers=(k % 40).cast(pl.Int64),
    )


def bench_queries(runs: int, n_figures: int) -> None:
    os.environ.setdefault("METALSTAT_DATA_DIR", tempfile.mkdtemp(prefix="metalstat-bench-"))
    from metalstat.core.startup import setup_django

    setup_django(migrate=True)
    from django.db import connection
    from django.utils import timezone

    from metalstat.releases import queries
    from metalstat.releases.actions import (
        do_approve_release,
        do_create_release,
        do_publish_release,
        do_submit_for_review,
    )
    from metalstat.releases.models import Figure, Release

    if Release.objects.exists():
        sys.exit("run the benchmark on an empty database")
    # Four releases (two months, two vintages each), n_figures rows in all.
    now = timezone.now()
    for i, (period, vintage) in enumerate([("2025-05", 1), ("2025-05", 2), ("2025-06", 1),
                                           ("2025-06", 2)]):  # fmt: skip
        release = do_create_release(period, _figures(n_figures // 4, vintage), actor="b")
        do_submit_for_review(release, actor="b")
        do_approve_release(release, actor="b")
        do_publish_release(release, actor="b", release_at=now - timedelta(days=40 - 10 * i), backfill=True)
    qs = Figure.objects.all()
    assert old_vintage_frame(qs).equals(queries._vintage_frame(qs)), "the frames differ"
    total = qs.count()
    t_rows = _median(lambda: list(qs.values_list(*FIGURES, "release__period",
                                                 "release__vintage", "release__release_at")),
                     runs)  # fmt: skip
    t = _compare(lambda: old_vintage_frame(qs), lambda: queries._vintage_frame(qs), runs)
    _line(bench="_vintage_frame", db=connection.vendor, figures=total, **t,
          old_fetch_rows_s=round(t_rows, 4))  # fmt: skip
    # How much of it is the per-row formatting alone (old query and construction, strftime).
    assert strftime_vintage_frame(qs).equals(old_vintage_frame(qs))
    t = _compare(lambda: old_vintage_frame(qs), lambda: strftime_vintage_frame(qs), runs)
    _line(bench="_vintage_frame, strftime only", db=connection.vendor, figures=total, **t)
    new_vintage_frame = queries._vintage_frame

    def old(fn: Callable[[], object]) -> Callable[[], object]:
        def run() -> object:
            try:
                queries._vintage_frame = old_vintage_frame  # type: ignore[assignment]
                return fn()
            finally:
                queries._vintage_frame = new_vintage_frame

        return run

    for name, fn in (("figure_vintages", queries.figure_vintages),
                     ("figures_as_of", queries.figures_as_of)):  # fmt: skip
        assert old(fn)().equals(fn()), f"{name} differs"
        _line(bench=name, db=connection.vendor, figures=total, **_compare(old(fn), fn, runs))
    bench_latest(runs, total)


def old_latest(keys: pl.DataFrame) -> pl.DataFrame:
    """series_observations(view="latest") before: every vintage read, the current rows kept
    in polars (the rows of view "all" whose realtime_end is null)."""
    from metalstat.releases.queries import series_observations

    every = series_observations(keys, view="all")
    return every.filter(pl.col("realtime_end").is_null())


def bench_latest(runs: int, total: int) -> None:
    """series_observations "latest": the database keeps the newest vintage of each figure
    (window function) against every vintage read and filtered in polars."""
    from django.db import connection

    from metalstat.releases.models import Figure
    from metalstat.releases.queries import SERIES_KEY, series_observations

    every = pl.DataFrame(
        list(Figure.objects.values_list(*SERIES_KEY).distinct()), schema=list(SERIES_KEY), orient="row"
    ).sort(list(SERIES_KEY))
    level = every.filter(
        (pl.col("kind") == "actual")
        & (pl.col("measure") == "production")
        & (pl.col("breakdown") == "")
        & (pl.col("statistic") == "level")
    )
    level = every if level.is_empty() else level
    copper = level.filter(pl.col("product") == "copper_cathode")
    one = copper if not copper.is_empty() else level.head(1)
    cases = [("one series", one), ("54 series", level.head(54))]
    if total <= 100_000:  # every series of the demo (676,000 figures) would take minutes a run
        cases.append(("every series", every))
    for label, keys in cases:
        order = ["product", "kind", "measure", "breakdown", "statistic", "period"]
        old, new = old_latest(keys).sort(order), series_observations(keys, view="latest").sort(order)
        assert old.equals(new), f"latest differs ({label})"
        t = _compare(
            lambda keys=keys: old_latest(keys), lambda keys=keys: series_observations(keys, view="latest"), runs
        )
        _line(bench=f"series_observations latest, {label}", db=connection.vendor, figures=total, rows=new.height, **t)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--figures", type=int, default=50_000)
    ap.add_argument("--only", choices=["validation", "queries", "latest"])
    args = ap.parse_args()
    if args.only == "latest":  # on the database as it stands (the demo's: METALSTAT_DATA_DIR)
        from metalstat.core.startup import setup_django

        setup_django()
        from metalstat.releases.models import Figure

        bench_latest(args.runs, Figure.objects.count())
        return
    if args.only != "queries":
        bench_validation(args.runs)
    if args.only != "validation":
        bench_queries(args.runs, args.figures)


if __name__ == "__main__":
    main()
