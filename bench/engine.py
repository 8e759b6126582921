"""Engine benchmark: run_cycle for one month over the whole catalog at growing scale.

Prints one JSON line per scale: producers, seconds (median of runs), peak memory (MB, the
process's max RSS after the run), and the ratio of our ratio-estimation step's time to
samplics' on the same data (below 1: we are faster). Run: ``make bench`` or
``python bench/engine.py [--scales 1 20]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import polars as pl
from synthetic import synthetic_inputs

from metalstat.catalog import load_catalog
from metalstat.engine.calendar import estimation_window
from metalstat.engine.cells import build_cells
from metalstat.engine.cycle import run_cycle
from metalstat.engine.estimate import weights
from metalstat.engine.impute import complete_panel
from metalstat.engine.inputs import month_start


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def ratio_step_vs_samplics(inputs, products, period) -> float:  # type: ignore[no-untyped-def]
    """Time our per-stratum ratio expansion and samplics' ratio estimate on the same sample."""
    warnings.filterwarnings("ignore")
    from samplics import PopParam, TaylorEstimator

    t = month_start(period)
    cells = build_cells(inputs, products, [t])
    completed = complete_panel(cells, [t], products)
    t0 = time.perf_counter()
    w = weights(cells, completed)
    ours = w.group_by("product", "stratum").agg((pl.col("w") * pl.col("value")).sum())
    ours_s = time.perf_counter() - t0
    sample = completed.filter(pl.col("value").is_not_null())
    domain = (sample.get_column("product") + "|" + sample.get_column("stratum")).to_numpy()
    t0 = time.perf_counter()
    est = TaylorEstimator(PopParam.ratio)
    est.estimate(
        y=sample.get_column("value").to_numpy(),
        x=sample.get_column("cap_avg").to_numpy(),
        samp_weight=None,
        domain=domain,
        remove_nan=True,
    )
    theirs_s = time.perf_counter() - t0
    if ours.height == 0:
        raise RuntimeError("the engine produced no figures")
    return ours_s / theirs_s


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scales", type=int, nargs="*", default=[1, 20])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    products = list(load_catalog())
    for scale in args.scales:
        n = 3000 * scale
        inputs = synthetic_inputs(n).checked()
        run_cycle("2025-06", inputs, products)  # warm-up (imports, statsmodels)
        times = []
        for _ in range(args.runs if scale == 1 else 1):
            t0 = time.perf_counter()
            run_cycle("2025-06", inputs, products)
            times.append(time.perf_counter() - t0)
        vs = ratio_step_vs_samplics(inputs, products, "2025-06")
        print(
            json.dumps(
                {
                    "scale": scale,
                    "producers": n,
                    "products": len(products),
                    "months_of_history": 120,
                    "window_months": len(estimation_window(month_start("2025-06"))),
                    "returns": inputs.returns.height,
                    "seconds": round(statistics.median(times), 3),
                    "peak_mb": round(_peak_mb(), 1),
                    "vs_samplics": round(vs, 3),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
