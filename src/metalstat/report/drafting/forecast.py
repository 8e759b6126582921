"""The forecast paragraph's facts: next month's output from the producers' schedules, its
changes and year to date, rates, capacity, structure, the producers planning changes, the
planned stoppages, the month after next where producers scheduled that far, and the
benchmarks beside it."""

from __future__ import annotations

from typing import Any

from metalstat.catalog import Product
from metalstat.report.drafting.base import Draft, days
from metalstat.report.drafting.capacity import capacity_changes, capacity_groups
from metalstat.report.drafting.counts import forecast_counts, has_change_family
from metalstat.report.drafting.events import event_groups
from metalstat.report.drafting.production import content_facts
from metalstat.report.drafting.rates import rate_groups
from metalstat.report.drafting.structure import structure


def forecast_facts(d: Draft, p: Product) -> dict[str, Any]:
    fc_period = d.figs.next
    ytd = d.figs.ytd_next
    fck = {"kind": "forecast", "period": fc_period}
    fc: dict[str, Any] = {
        "period": fc_period,
        "days": days(fc_period),
        "level": d.v(p, "production", "level", **fck),
        "mom_abs": d.v(p, "production", "mom_abs", **fck),
        "mom_pct": d.v(p, "production", "mom_pct", **fck),
        "yoy_abs": d.v(p, "production", "yoy_abs", **fck),
        "yoy_pct": d.v(p, "production", "yoy_pct", **fck),
        "daily_mom_pct": d.v(p, "production", "daily_mom_pct", **fck),
        "ytd_span": ytd,
        "ytd_level": d.v(p, "production", "ytd_level", kind="forecast", period=ytd),
        "ytd_abs": d.v(p, "production", "ytd_abs", kind="forecast", period=ytd),
        "ytd_pct": d.v(p, "production", "ytd_pct", kind="forecast", period=ytd),
        "seasonal_naive": d.v(p, "production", "level", breakdown="method=seasonal_naive", **fck),
        "ets": d.v(p, "production", "level", breakdown="method=ets", **fck),
        "contents": content_facts(d, p, d.lang, **fck),
        "rate": None,
        "events": event_groups(d, p, fc_period, planned_only=True, starting_after=d.t),
        "capacity_changes": capacity_changes(d, p, fc_period),
        "structure": structure(d, p, kind="forecast", period=fc_period),
        "operating_capacity": d.v(p, "operating_capacity", "level", **fck),
        "operating_capacity_mom_abs": d.v(p, "operating_capacity", "mom_abs", **fck),
        "operating_capacity_mom_pct": d.v(p, "operating_capacity", "mom_pct", **fck),
        "operating_by": capacity_groups(d, p, "operating_capacity", "forecast", fc_period),
        **forecast_counts(d, p, fc_period),
    }
    if p.producer_counts == "status":
        fc.update(reduced=None, increased=None, reduced_n=None, increased_n=None, compared=None)
        fc["where"].update(reduced=None, increased=None)
    elif has_change_family(fc):
        fc["where"]["status"] = []  # one family of counts: by change of daily output
    if fc["level"] is not None and fc["ytd_level"] is None and fc_period.endswith("-01"):
        fc["ytd_span"] = None
    # The month after next, where producers gave schedules that far: its basis always, its
    # level and change where they are enough (else withheld by the engine).
    ak = {"kind": "forecast2", "period": d.figs.after}
    producers = d.v(p, "producer_count", "count", **ak)
    fc["after"] = None
    if producers is not None:
        fc["after"] = {
            "period": d.figs.after,
            "producers": int(producers),
            "coverage": d.v(p, "coverage", "level", **ak),
            "level": d.v(p, "production", "level", **ak),
            "mom_pct": d.v(p, "production", "mom_pct", **ak),
        }
    fc_rate = d.v(p, "operating_rate", "level", **fck)
    if fc_rate is not None:
        fc["rate"] = {
            "level": fc_rate,
            "pp_mom": d.v(p, "operating_rate", "pp_mom", **fck),
            # The part of the change that producers entering or leaving the sample make.
            "panel_effect": d.v(p, "operating_rate", "panel_effect_pp", **fck),
            "lfl_pp_mom": d.v(p, "operating_rate", "lfl_pp_mom", **fck),
            "groups": rate_groups(d, p, kind="forecast", period=fc_period),
        }
    return fc
