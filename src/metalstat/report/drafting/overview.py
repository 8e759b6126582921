"""The overview paragraph's facts: how many products rose, fell or held flat, the largest
moves, and what the schedules point to for next month."""

from __future__ import annotations

from typing import Any

from metalstat.catalog import Product
from metalstat.report.drafting.base import days
from metalstat.report.figureset import FigureSet
from metalstat.report.inputs import ReportInput
from metalstat.report.language import Language


def movers(products: list[Product], figs: FigureSet, lang: Language) -> dict[str, Any]:
    """How many products rose, fell or held flat, and the largest moves, for the overview."""
    changes: list[dict[str, Any]] = []
    ahead = {"up": 0, "down": 0, "flat": 0}
    # months of different length: words and rankings follow the daily average
    per_day = days(figs.period) != days(figs.previous)
    per_day_next = days(figs.next) != days(figs.period)
    per_day_all = per_day_next_all = True
    for p in products:
        mom = figs.value(p.code, "production", "mom_pct")
        daily = figs.value(p.code, "production", "daily_mom_pct")
        if per_day and daily is not None:  # (a vintage from before daily changes has none)
            mom = daily
        elif per_day and mom is not None:
            per_day_all = False
        if mom is not None:
            shown = round(mom, p.decimals)
            changes.append({"name": lang.product_name(p), "pct": mom, "dec": p.decimals, "shown": shown})
        fc = figs.value(p.code, "production", "mom_pct", kind="forecast", period=figs.next)
        fc_daily = figs.value(p.code, "production", "daily_mom_pct", kind="forecast", period=figs.next)
        if per_day_next and fc_daily is not None:
            fc = fc_daily
        elif per_day_next and fc is not None:
            per_day_next_all = False
        if fc is not None:
            shown = round(fc, p.decimals)
            word = "flat" if lang.hedge(fc, p.decimals) == "flat" else "up" if shown > 0 else "down"
            ahead[word] += 1
    flat = [c for c in changes if lang.hedge(c["pct"], c["dec"]) == "flat"]
    up = sorted((c for c in changes if c not in flat and c["shown"] > 0), key=lambda c: -c["pct"])
    down = sorted((c for c in changes if c not in flat and c["shown"] < 0), key=lambda c: c["pct"])
    return {
        "n_up": len(up),
        "n_down": len(down),
        "n_flat": len(flat),
        "top_up": up[:3],
        "top_down": down[:3],
        "ahead": ahead,
        "per_day": per_day and per_day_all,
        "per_day_next": per_day_next and per_day_next_all,
        "days": days(figs.period),
        "prev_days": days(figs.previous),
        "next_days": days(figs.next),
    }


def overview_facts(inp: ReportInput, products: list[Product], figs: FigureSet, lang: Language) -> dict[str, Any]:
    return {
        "period": inp.period,
        "next": figs.next,
        "n_products": len(products),
        "vintage": inp.vintage,
        "status": inp.status,
        **movers(products, figs, lang),
    }
