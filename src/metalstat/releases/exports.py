"""A release's figures as one JSON document (``figures-YYYY-MM.json``):

``{"period": "2025-06", "vintage": 3, "state": "published", "release_at": "…", "figures": [...]}``,
each figure in the one shape of ``releases.serializers``; ``state`` is ``embargoed`` while the
release time of a published vintage has not come (``draft``, ``approved`` … before that).

Besides the release's estimated figures, the market series the report quotes (measure
``auxiliary``, breakdown ``{"series": code}``) are stated from their observations: level,
MoM and YoY changes, and the January-to-month sum of quantity series.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from metalstat.catalog import Catalog, load_catalog
from metalstat.engine.auxiliary import monthly_values, series_month
from metalstat.engine.calendar import add_months
from metalstat.releases.queries import COMMAND_LINE, release_figures, release_state
from metalstat.releases.serializers import FIELDS, figure_record
from metalstat.survey.queries import product_series

__all__ = ["FIELDS", "auxiliary_dicts", "figure_record", "figures_payload"]


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

    ``series``: dicts with code, product, unit, kind. ``observations``: dicts with series (code),
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
        base = {
            "product": str(s["product"]),
            "kind": "actual",
            "measure": "auxiliary",
            "breakdown": f"series={code}",
            "unit": unit,
            "status": "A",
            "conf_status": "F",
        }
        monthly = monthly_values(points)
        for m in sorted(monthly):
            if not first <= m <= last:
                continue
            sm = series_month(monthly, m, unit=unit, kind=str(s["kind"]))
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
                figure_record(base | {"statistic": stat, "period": per, "value": v, "unit": u}, catalog)
                for stat, per, v, u in stats
                if v is not None
            )
    return out


def figures_payload(release: Any, *, catalog: Catalog | None = None, user: Any = COMMAND_LINE) -> dict[str, Any]:
    """The export of one release (a ``releases.models.Release``) as ``user`` may see it:
    its figures and the auxiliary series of its month."""
    cat = catalog if catalog is not None else load_catalog()
    rows = release_figures(release, user=user).sort("product", "kind", "measure", "breakdown", "statistic", "period")
    figures = [figure_record(r, cat) for r in rows.iter_rows(named=True)]
    series, observations = product_series()
    figures.extend(auxiliary_dicts(series, observations, release.period, cat))
    return {
        "period": _label(release.period),
        "vintage": release.vintage,
        # A file written before the release time says the figures are not released yet.
        "state": release_state(release),
        "release_at": release.release_at.isoformat() if release.release_at else None,
        "figures": figures,
    }
