"""The operating-rate paragraph's facts: the rate, its changes and like-for-like split, and
the groups (size class first) whose rates differ from the total."""

from __future__ import annotations

from typing import Any

from metalstat.catalog import Product
from metalstat.engine.figures import parse_breakdown
from metalstat.report.drafting.base import Draft, informative
from metalstat.report.drafting.labels import dimension_label, dimension_order, label_value


def rate_facts(d: Draft, p: Product) -> dict[str, Any] | None:
    level = d.v(p, "operating_rate", "level")
    if level is None:
        return None
    return {
        "basis": p.operating_rate,
        "level": level,
        "pp_mom": d.v(p, "operating_rate", "pp_mom"),
        "pp_yoy": d.v(p, "operating_rate", "pp_yoy"),
        "lfl_pp_mom": d.v(p, "operating_rate", "lfl_pp_mom"),
        "panel_effect": d.v(p, "operating_rate", "panel_effect_pp"),
        "groups": rate_groups(d, p, kind="actual", period=d.t),
    }


def rate_groups(d: Draft, p: Product, *, kind: str, period: str) -> list[dict[str, Any]]:
    groups = []
    by_dim = d.single_dim_keys(p, "operating_rate", kind=kind, period=period)
    dims = sorted(by_dim, key=lambda dim: (dim != "size_class", dim))
    for dim in dims:
        items = []
        for key in dimension_order(p, dim, by_dim[dim]):
            level = d.v(p, "operating_rate", "level", breakdown=key, kind=kind, period=period)
            if level is None:
                continue
            value = parse_breakdown(key)[dim]
            items.append(
                {
                    "label": label_value(d.lang, p, dim, value),
                    "level": level,
                    "pp_mom": d.v(p, "operating_rate", "pp_mom", breakdown=key, kind=kind, period=period),
                    "pp_yoy": d.v(p, "operating_rate", "pp_yoy", breakdown=key, kind=kind, period=period),
                }
            )
        total = {
            "level": d.v(p, "operating_rate", "level", kind=kind, period=period),
            "pp_mom": d.v(p, "operating_rate", "pp_mom", kind=kind, period=period),
        }
        if items and informative(items, total):
            groups.append({"dimension": dim, "label": dimension_label(d.lang, p, dim), "items": items})
    return groups
