"""The overview paragraph's facts: how many products rose, fell or held flat, the largest
moves, and what the schedules point to for next month."""

from __future__ import annotations

from typing import Any

from metalstat.catalog import Product
from metalstat.catalog.model import CHAINS
from metalstat.report.drafting.base import days
from metalstat.report.drafting.model import Section
from metalstat.report.figureset import FigureSet
from metalstat.report.inputs import ReportInput
from metalstat.report.language import Language


def movers(products: list[Product], figs: FigureSet, lang: Language) -> dict[str, Any]:
    """How many products rose, fell or held flat, and the largest moves, for the overview."""
    changes: list[dict[str, Any]] = []
    ahead = {"up": 0, "down": 0, "flat": 0}
    expected: list[dict[str, Any]] = []
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
            changes.append(
                {"code": p.code, "name": lang.product_name(p), "pct": mom, "dec": p.decimals, "shown": shown}
            )
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
            if word != "flat":
                expected.append({"code": p.code, "name": lang.product_name(p), "pct": fc, "dec": p.decimals})
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
        "ahead_up": sorted((c for c in expected if c["pct"] > 0), key=lambda c: -c["pct"])[:1],
        "ahead_down": sorted((c for c in expected if c["pct"] < 0), key=lambda c: c["pct"])[:1],
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


def by_chain(products: list[Product]) -> list[Product]:
    """The products grouped by value chain in the catalog's order of chains (a product
    without one last), in catalog order within a chain."""
    rank: dict[str, int] = {c: i for i, c in enumerate(CHAINS)}
    return sorted(products, key=lambda p: rank.get(str(p.chain), len(CHAINS)))


# Last month's forecasts count as close when within this many percent of the estimate.
CLOSE_FORECAST_PCT = 2.0


def takeaway_facts(
    overview: dict[str, Any], products: list[Product], sections: list[Section], lang: Language
) -> dict[str, Any]:
    """The key takeaways, each drawn from figures the report states: the largest rise and fall
    (with the month's weightiest reported stoppages for a fall), the largest miss of last
    month's forecast and how many forecasts came close, and the largest moves expected next
    month (with the planned stoppages for a fall)."""
    facts = {s.code: s.facts for s in sections}

    def reasons(code: str, key: str) -> list[dict[str, Any]]:
        """The product's two weightiest groups of stoppages, a reason once with its regions."""
        f = facts.get(code) or {}
        events = f.get("events") if key == "month" else (f.get("fc") or {}).get("events")
        out: dict[str, list[str]] = {}
        for e in list(events or [])[:2]:
            out.setdefault(e["reason"], [])
            if e["region"]:
                out[e["reason"]].append(e["region"])
        return [{"reason": r, "regions": regions} for r, regions in out.items()]

    errors: list[tuple[float, dict[str, Any]]] = []
    for p in products:
        f = facts.get(p.code) or {}
        prod = f.get("prod") or {}
        err, prior, level = prod.get("forecast_error"), prod.get("prior_forecast"), prod.get("level")
        if err is None or prior is None or level is None:
            continue
        item = {"name": lang.product_name(p), "error": err, "forecast": f["q"](prior), "estimate": f["q"](level)}
        errors.append((err, item))
    errors.sort(key=lambda e: -abs(e[0]))
    close = sum(1 for err, _ in errors if abs(round(err, 2)) <= CLOSE_FORECAST_PCT)
    fall = overview["top_down"][0] if overview["top_down"] else None
    rise = overview["top_up"][0] if overview["top_up"] else None
    ahead_down = overview["ahead_down"][0] if overview["ahead_down"] else None
    return {
        **overview,
        "rise": rise,
        "fall": fall,
        "fall_reasons": reasons(fall["code"], "month") if fall else [],
        "miss": errors[0][1] if errors else None,
        "n_errors": len(errors),
        "n_close": close,
        "close_pct": CLOSE_FORECAST_PCT,
        "ahead_rise": overview["ahead_up"][0] if overview["ahead_up"] else None,
        "ahead_fall": ahead_down,
        "ahead_fall_reasons": reasons(ahead_down["code"], "next") if ahead_down else [],
    }
