"""The production paragraph's facts: the month's level and its changes, the second content,
the year to date, and how last month's forecast of this month fared."""

from __future__ import annotations

from typing import Any

from metalstat.catalog import Product
from metalstat.report.drafting.base import Draft
from metalstat.report.language import Language


def production_facts(d: Draft, p: Product) -> dict[str, Any]:
    head = d.f(p, "production", "level")
    if head is not None and head.status:
        d.statuses_used.add(head.status)
    return {
        "level": d.v(p, "production", "level"),
        "daily": d.v(p, "production", "daily_avg"),
        "daily_mom_pct": d.v(p, "production", "daily_mom_pct"),
        "mom_abs": d.v(p, "production", "mom_abs"),
        "mom_pct": d.v(p, "production", "mom_pct"),
        "yoy_abs": d.v(p, "production", "yoy_abs"),
        "yoy_pct": d.v(p, "production", "yoy_pct"),
        "lfl_mom": d.v(p, "production", "lfl_mom_pct"),
        "lfl_yoy": d.v(p, "production", "lfl_yoy_pct"),
        "panel_effect": d.v(p, "production", "panel_effect_pct"),
        "break": head is not None and head.has_flag("B"),
        # status I: the imputed part of the estimate is above the product's threshold
        "imputed_high": head is not None and head.has_flag("I"),
        "imputed_max": p.thresholds.imputed_share_max * 100,
        "withheld": head is not None and head.withheld,
        "suppressed": head is not None and head.suppressed,
        "status": head.status if head else "",
        **prior_forecast(d, p),
    }


def prior_forecast(d: Draft, p: Product) -> dict[str, float | None]:
    """Last month's forecast of this month, as the release that made it states it (the
    engine's kind=forecast figure), and the engine's error against this estimate."""
    err_pct = None
    for kind in ("actual", "forecast"):
        err_pct = err_pct if err_pct is not None else d.v(p, "forecast_error", "pct", kind=kind)
    prior = d.prior.value(p.code, "production", "level", kind="forecast") if d.prior is not None else None
    return {"prior_forecast": prior, "forecast_error": err_pct}


def content_facts(d: Draft, p: Product, lang: Language, **kw: str) -> list[dict[str, Any]]:
    """The content the headline does not state (metal beside physical), if the product has
    both; ``kw`` selects the forecast."""
    out: list[dict[str, Any]] = []
    if p.content != "both":
        return out
    for content in ("metal", "physical"):
        if content == p.headline_content:
            continue  # the headline already states it
        key = f"content={content}"
        level = d.v(p, "production", "level", breakdown=key, **kw)
        if level is None:
            continue
        item: dict[str, Any] = {"content": content, "label": lang.term("contents", content), "level": level}
        if not kw:
            item["mom_abs"] = d.v(p, "production", "mom_abs", breakdown=key)
        item["mom_pct"] = d.v(p, "production", "mom_pct", breakdown=key, **kw)
        item["yoy_pct"] = d.v(p, "production", "yoy_pct", breakdown=key, **kw)
        out.append(item)
    return out


def ytd_facts(d: Draft, p: Product) -> dict[str, Any]:
    span = d.figs.ytd
    if d.t.endswith("-01"):
        return {"span": span, "level": None, "abs": None, "pct": None}
    return {
        "span": span,
        "level": d.v(p, "production", "ytd_level", period=span),
        "abs": d.v(p, "production", "ytd_abs", period=span),
        "pct": d.v(p, "production", "ytd_pct", period=span),
    }
