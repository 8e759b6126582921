"""A release's figures as one JSON document (``figures-YYYY-MM.json``), the shape the demo
writes and the data API serves:

``{"period": "2025-06", "vintage": 3, "figures": [...]}``, each figure ``{"product" (the
report's heading), "product_code", "scope", "period" ("YYYY-MM" or "YYYY-MM..YYYY-MM"),
"kind" (actual | forecast), "measure", "breakdown" ({dimension: value}, empty for the total),
"statistic", "value" (unrounded; null when withheld or suppressed), "unit", "status"}``.

Besides the release's estimated figures, the market series the report quotes (measure
``auxiliary``, breakdown ``{"series": code}``) are stated from their observations: level,
MoM and YoY changes, and the January-to-month sum of quantity series.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from metalstat.catalog import Catalog, load_catalog
from metalstat.engine.auxiliary import is_summable, monthly_values, series_month
from metalstat.engine.calendar import add_months
from metalstat.engine.figures import parse_breakdown

FIELDS = ("product", "product_code", "scope", "period", "kind", "measure", "breakdown",
          "statistic", "value", "unit", "status")  # fmt: skip


def figure_dict(row: Mapping[str, Any], catalog: Catalog) -> dict[str, Any]:
    """One stored figure (a FIGURES row or a Figure's fields) in the export shape. A value
    under disclosure control (CONF_STATUS C or D) is left out: it never leaves the
    analysts' roles."""
    code = str(row["product"])
    try:
        p = catalog.get(code)
        name, scope = p.name, p.scope
    except KeyError:
        name, scope = code, ""
    value = row.get("value")
    if row.get("conf_status", "F") not in (None, "F"):
        value = None
    return {
        "product": name,
        "product_code": code,
        "scope": scope,
        "period": str(row["period"]),
        "kind": str(row["kind"]),
        "measure": str(row["measure"]),
        "breakdown": parse_breakdown(str(row.get("breakdown") or "")),
        "statistic": str(row["statistic"]),
        "value": None if value is None else float(value),
        "unit": str(row.get("unit") or ""),
        "status": str(row.get("status") or ""),
    }


def _label(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def auxiliary_dicts(
    series: Iterable[Mapping[str, Any]],
    observations: Iterable[Mapping[str, Any]],
    period: date,
    catalog: Catalog,
) -> list[dict[str, Any]]:
    """Figures of the auxiliary series for a release of ``period``: every observed month
    from January of the previous year up to the month after ``period`` (a price announced in
    advance, like a tender price for next month, is already a fact).

    ``series``: dicts with code, product, unit. ``observations``: dicts with series (code),
    date, value; a month's value is its last observation.
    """
    meta = {str(s["code"]): s for s in series if s.get("product")}
    observed: dict[str, list[tuple[date, float]]] = {}
    for o in observations:
        if str(o["series"]) in meta:
            observed.setdefault(str(o["series"]), []).append((o["date"], float(o["value"])))
    first, last = date(period.year - 1, 1, 1), add_months(period, 1)
    out: list[dict[str, Any]] = []
    for code, points in observed.items():
        s = meta[code]
        unit = str(s.get("unit") or "")
        base = {"product": str(s["product"]), "kind": "actual", "measure": "auxiliary",
                "breakdown": f"series={code}", "unit": unit, "status": "A",
                "conf_status": "F"}  # fmt: skip
        monthly = monthly_values(points)
        for m in sorted(monthly):
            if not first <= m <= last:
                continue
            sm = series_month(monthly, m, is_summable(unit))
            assert sm is not None
            label = _label(m)
            stats: list[tuple[str, str, float | None, str]] = [
                ("level", label, sm.value, unit),
                ("mom_abs", label, sm.mom_abs, unit),
                ("mom_pct", label, sm.mom_pct, "%"),
                ("yoy_abs", label, sm.yoy_abs, unit),
                ("yoy_pct", label, sm.yoy_pct, "%"),
                ("ytd_level", f"{_label(date(m.year, 1, 1))}..{label}", sm.ytd, unit),
            ]
            out.extend(
                figure_dict(
                    base | {"statistic": stat, "period": per, "value": v, "unit": u}, catalog
                )
                for stat, per, v, u in stats
                if v is not None
            )
    return out


def figures_payload(release: Any, *, catalog: Catalog | None = None) -> dict[str, Any]:
    """The export of one release (a ``releases.models.Release``): its figures and the
    auxiliary series of its month."""
    from metalstat.releases.models import Figure
    from metalstat.survey.models import AuxiliaryObservation, AuxiliarySeries

    cat = catalog if catalog is not None else load_catalog()
    rows = Figure.objects.filter(release=release).order_by(
        "product", "kind", "measure", "breakdown", "statistic", "period"
    )
    columns = ("product", "kind", "measure", "breakdown", "statistic", "period", "value",
               "unit", "status", "conf_status")  # fmt: skip
    figures = [figure_dict(dict(zip(columns, r, strict=True)), cat)
               for r in rows.values_list(*columns)]  # fmt: skip
    series = AuxiliarySeries.objects.exclude(product="").values("code", "product", "unit")
    observations = AuxiliaryObservation.objects.filter(series__product__gt="").values(
        "series__code", "date", "value"
    )
    figures.extend(
        auxiliary_dicts(
            list(series),
            [{"series": o["series__code"], "date": o["date"], "value": o["value"]}
             for o in observations],
            release.period,
            cat,
        )
    )  # fmt: skip
    return {"period": _label(release.period), "vintage": release.vintage, "figures": figures}
