"""The structure paragraph's facts: output by each breakdown that tells more than the
total (a share, a confidential cell, or a cell that moved differently)."""

from __future__ import annotations

from typing import Any

from metalstat.catalog import Product
from metalstat.engine.figures import parse_breakdown
from metalstat.report.drafting.base import Draft, informative
from metalstat.report.drafting.labels import dimension_label, dimension_order, label_value


def structure(d: Draft, p: Product, *, kind: str = "actual", period: str | None = None) -> list[dict[str, Any]]:
    period = period or d.t
    kw = {"kind": kind, "period": period}
    out = []
    by_dim = d.single_dim_keys(p, "production", **kw)
    shares = d.single_dim_keys(p, "share", **kw)
    for dim in list(by_dim) + [x for x in shares if x not in by_dim]:
        if dim in ("content", "method"):
            continue
        keys = sorted(set(by_dim.get(dim, [])) | set(shares.get(dim, [])))
        items = []
        for key in dimension_order(p, dim, keys):
            value = parse_breakdown(key)[dim]
            item = {
                "label": label_value(d.lang, p, dim, value),
                "level": d.v(p, "production", "level", breakdown=key, **kw),
                "mom_abs": d.v(p, "production", "mom_abs", breakdown=key, **kw),
                "mom_pct": d.v(p, "production", "mom_pct", breakdown=key, **kw),
                "yoy_pct": d.v(p, "production", "yoy_pct", breakdown=key, **kw),
                "share": d.v(p, "share", "level", breakdown=key, **kw),
                "share_pp": d.v(p, "share", "pp_mom", breakdown=key, **kw),
            }
            hidden = [
                f
                for f in (
                    d.f(p, "production", "level", breakdown=key, **kw),
                    d.f(p, "share", "level", breakdown=key, **kw),
                )
                if f is not None and (f.suppressed or f.withheld)
            ]
            for f in hidden:
                d.statuses_used.add(f.conf_status if f.suppressed else "U")
            item["hidden"] = bool(hidden)
            if any(item[k] is not None for k in ("level", "mom_pct", "yoy_pct", "share")) or hidden:
                items.append(item)
        dim_kind = "partition"
        for dd in p.dimensions:
            if dd.name == dim:
                dim_kind = dd.kind
        total = {k: d.v(p, "production", k, **kw) for k in ("mom_pct", "yoy_pct")}
        has_shares = any(i["share"] is not None for i in items)
        if items and (has_shares or any(i["hidden"] for i in items) or informative(items, total)):
            out.append(
                {
                    "dimension": dim,
                    "label": dimension_label(d.lang, p, dim),
                    "kind": dim_kind,
                    "items": items,
                    "any_hidden": any(i["hidden"] for i in items),
                }
            )
    return out
