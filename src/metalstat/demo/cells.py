"""The structure of one product seen as the engine sees it: per producer and month, the
capacity in force, size class, stratum, panel membership, and the expansion weight of its
stratum. Computed with the engine's own functions, so the generator calibrates against
exactly the frame, strata and weights the engine will use."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from metalstat.demo import timeline
from metalstat.demo.structure import Structure
from metalstat.engine.cells import build_cells
from metalstat.engine.estimate import weights
from metalstat.engine.inputs import CycleInputs, conform, empty


def structure_frames(s: Structure) -> dict[str, pl.DataFrame]:
    """The producers, capacity and panel frames of a structure (engine input shapes)."""
    producers = pl.DataFrame(
        {
            "producer_id": [p.code for p in s.plants],
            "product": [s.product.code] * len(s.plants),
            "province": [p.province for p in s.plants],
            "region": [p.region for p in s.plants],
            "nature": [p.nature for p in s.plants],
            "feedstock": [p.feedstock or None for p in s.plants],
        }
    )
    cap_rows = [(p.code, r[0], float(r[1]), r[2] or None) for p in s.plants for r in p.records]
    capacity = pl.DataFrame(
        cap_rows,
        schema={"producer_id": pl.Utf8, "valid_from": pl.Date, "capacity": pl.Float64, "event": pl.Utf8},
        orient="row",
    )
    panel_rows = [(p.code, p.panel_from, p.panel_to) for p in s.plants if p.panel_from]
    panel = pl.DataFrame(
        panel_rows,
        schema={"producer_id": pl.Utf8, "first_period": pl.Date, "last_period": pl.Date},
        orient="row",
    )
    return {"producers": producers, "capacity": capacity, "panel": panel}


@dataclass
class Layout:
    """Per producer (rows, in the structure's order) and month (columns)."""

    ids: list[str]
    cap_avg: np.ndarray  # day-weighted capacity, unit/year (0 outside the frame)
    cap_end: np.ndarray
    in_frame: np.ndarray  # bool
    in_panel: np.ndarray  # bool: in the panel and the frame
    sample: np.ndarray  # bool: in the month's estimation sample (the forecast month: June's, and the entrants)
    weight: np.ndarray  # the expansion weight of the producer's stratum (0 outside the sample)
    stratum: np.ndarray  # str
    size_class: np.ndarray  # str


def layout(s: Structure) -> Layout:
    """The engine's view of the structure over every demo month, July 2025 as the forecast
    (whose sample is June's panel placed in July's frame, and the plants entering July's frame
    that plan their first month in a June return: ``forecast.entrants``)."""
    f = structure_frames(s)
    inputs = CycleInputs(
        producers=conform("producers", f["producers"]),
        capacity=conform("capacity", f["capacity"]),
        panel=conform("panel", f["panel"]),
        returns=empty("returns"),
    )
    months = list(timeline.MONTHS)
    cells = build_cells(inputs, [s.product], months)
    ids = [p.code for p in s.plants]
    row = {c: i for i, c in enumerate(ids)}
    col = {m: j for j, m in enumerate(months)}
    shape = (len(ids), len(months))
    cap_avg = np.zeros(shape)
    cap_end = np.zeros(shape)
    in_frame = np.zeros(shape, dtype=bool)
    in_panel = np.zeros(shape, dtype=bool)
    stratum = np.full(shape, "", dtype=object)
    size = np.full(shape, "", dtype=object)
    for r in cells.select(
        "producer_id", "period", "cap_avg", "cap_end", "in_panel", "stratum", "size_class"
    ).iter_rows():
        i, j = row[r[0]], col[r[1]]
        cap_avg[i, j], cap_end[i, j], in_frame[i, j] = r[2], r[3], True
        in_panel[i, j], stratum[i, j], size[i, j] = bool(r[4]), r[5], r[6]
    sample = in_panel.copy()
    june, july = timeline.T_LAST, timeline.T_FORECAST
    plans = np.array([p.plans_first_month for p in s.plants], dtype=bool)
    sample[:, july] = (in_panel[:, june] & in_frame[:, july]) | (plans & in_panel[:, july] & ~in_frame[:, june])
    completed = cells.join(
        pl.DataFrame(
            {
                "producer_id": [ids[i] for i, j in zip(*np.nonzero(sample), strict=True)],
                "period": [months[j] for i, j in zip(*np.nonzero(sample), strict=True)],
            },
            schema={"producer_id": pl.Utf8, "period": pl.Date},
        ),
        on=["producer_id", "period"],
        how="semi",
    ).with_columns(value=pl.lit(1.0))
    w = weights(cells, completed)
    weight = np.zeros(shape)
    for r in w.select("producer_id", "period", "w").iter_rows():
        weight[row[r[0]], col[r[1]]] = r[2]
    return Layout(ids, cap_avg, cap_end, in_frame, in_panel, sample, weight, stratum, size)
