"""The data of a product's chart: thirteen months of output, its YoY change and operating
rate, and next month's forecast (``report.charts`` draws it)."""

from __future__ import annotations

from typing import Any

from metalstat.catalog import Product
from metalstat.report.charts import ChartData
from metalstat.report.drafting.base import Draft


def chart_data(d: Draft, p: Product, ctx: dict[str, Any]) -> ChartData:
    months = d.figs.chart_months
    levels = [d.v(p, "production", "level", period=m) for m in months]
    yoy = [d.v(p, "production", "yoy_pct", period=m) for m in months]
    rates = [d.v(p, "operating_rate", "level", period=m) for m in months]
    return ChartData(
        months=months,
        levels=levels,
        yoy=yoy,
        rates=rates if any(r is not None for r in rates) else None,
        forecast_month=d.figs.next,
        forecast=ctx["fc"]["level"],
        unit=ctx["unit"],
        unit_code=p.unit,
        title=ctx["name"],
        mom=[d.v(p, "production", "mom_pct", period=m) for m in months],
        forecast_mom=ctx["fc"]["mom_pct"],
        forecast_rate=(ctx["fc"]["rate"] or {}).get("level"),
    )
