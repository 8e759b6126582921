"""The imputation table is the one that runs: ``METHODS`` decides the order, and every
completed cell gets a status (Banff's shape). Values worked out by hand in the comments."""

from __future__ import annotations

import polars as pl
import pytest

from metalstat.engine.cells import build_cells
from metalstat.engine.impute import METHODS, cell_statuses, complete_panel
from tests.engine.builders import JUN, MAY, Panel
from tests.engine.products import COPPER


def _panel() -> Panel:
    """Three copper smelters of 365,000 t/year (one stratum). May: A 20,000 scheduling 22,000
    for June, B 20,000, C 25,000. June: A silent, B 30,000, C 18,000 (B and C give their
    operating capacity, 365,000 and 292,000)."""
    p = Panel()
    p.producer("A", 365_000).producer("B", 365_000).producer("C", 365_000)
    p.ret("A", MAY, 20_000, schedule=22_000).ret("B", MAY, 20_000).ret("C", MAY, 25_000)
    p.ret("B", JUN, 30_000, operating_capacity=365_000).ret("C", JUN, 18_000, operating_capacity=292_000)
    return p


def _june(methods=METHODS) -> dict[str, dict[str, object]]:  # type: ignore[no-untyped-def]
    inputs = _panel().inputs().checked()
    cells = build_cells(inputs, [COPPER], [MAY, JUN])
    done = complete_panel(cells, [MAY, JUN], [COPPER], methods).filter(pl.col("period") == JUN)
    return {r["producer_id"]: r for r in done.iter_rows(named=True)}


def _method(name: str):  # type: ignore[no-untyped-def]
    return next(m for m in METHODS if m.name == name)


def test_the_declared_order_decides() -> None:
    # schedule comes before stratum_trend: A gets the 22,000 it scheduled.
    a = _june()["A"]
    assert (a["method"], a["value"]) == ("schedule", pytest.approx(22_000))


def test_reordering_the_table_changes_the_method() -> None:
    # Trend first: A's May 20,000 × (30,000 + 18,000) / (20,000 + 25,000) = 21,333.33.
    trend_first = (_method("stratum_trend"), _method("schedule"))
    a = _june(trend_first)["A"]
    assert (a["method"], a["value"]) == ("stratum_trend", pytest.approx(20_000 * 48_000 / 45_000))
    # Only the stratum rate: capacity 365,000 × 30/365 = 30,000 at the respondents' rate
    # 48,000 / 60,000 = 0.8 -> 24,000.
    a = _june((_method("stratum_rate"),))["A"]
    assert (a["method"], a["value"]) == ("stratum_rate", pytest.approx(24_000))
    # No method: the cell stays empty.
    a = _june(())["A"]
    assert a["method"] == "none" and a["value"] is None


def test_every_completed_cell_has_a_status() -> None:
    inputs = _panel().inputs().checked()
    cells = build_cells(inputs, [COPPER], [MAY, JUN])
    done = complete_panel(cells, [MAY, JUN], [COPPER]).filter(pl.col("period") == JUN)
    st = {(r["producer_id"], r["field"]): r for r in cell_statuses(done).iter_rows(named=True)}
    assert (st["A", "output"]["status"], st["A", "output"]["method"]) == ("imputed", "schedule")
    assert st["A", "output"]["value"] == pytest.approx(22_000)
    assert (st["B", "output"]["status"], st["B", "output"]["method"]) == ("reported", "reported")
    # A's operating capacity: its 365,000 × the running share of B and C,
    # (365,000 + 292,000) / (365,000 + 365,000) = 0.9 -> 328,500.
    opcap = st["A", "operating_capacity"]
    assert (opcap["status"], opcap["method"]) == ("imputed", "running_share")
    assert opcap["value"] == pytest.approx(328_500)
    assert st["C", "operating_capacity"]["status"] == "reported"
    assert st["C", "operating_capacity"]["value"] == pytest.approx(292_000)
