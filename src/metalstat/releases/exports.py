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

import polars as pl

from metalstat.catalog import Catalog, load_catalog
from metalstat.engine.auxiliary import change, monthly_values, series_month, share_of_sums
from metalstat.engine.calendar import add_months
from metalstat.engine.figures import FIGURES as FIGURES_SCHEMA
from metalstat.releases.queries import COMMAND_LINE, release_figures, release_state
from metalstat.releases.serializers import FIELDS, figure_record
from metalstat.survey.queries import product_series

__all__ = ["FIELDS", "auxiliary_dicts", "auxiliary_rows", "figure_record", "figures_payload", "market_figures"]

AUX_COLUMNS = (
    "product",
    "kind",
    "measure",
    "breakdown",
    "statistic",
    "period",
    "value",
    "unit",
    "status",
    "conf_status",
)


def _label(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def auxiliary_dicts(
    series: Iterable[Mapping[str, Any]],
    observations: Iterable[Mapping[str, Any]],
    period: date,
    catalog: Catalog,
) -> list[dict[str, Any]]:
    """The figures of ``auxiliary_rows`` in the export's shape (``figure_record``)."""
    return [figure_record(r, catalog) for r in auxiliary_rows(series, observations, period)]


def auxiliary_rows(
    series: Iterable[Mapping[str, Any]],
    observations: Iterable[Mapping[str, Any]],
    period: date,
) -> list[dict[str, Any]]:
    """Figures of the auxiliary series for a release of ``period``: every observed month
    from January of the previous year up to the month after ``period`` (a price announced in
    advance, like a tender price for next month, is already a fact).

    A share of two series (``numerator``, ``denominator``) gets its year to date as the share
    of their sums. An analyst's outlook for the month after ``period`` is a figure of kind
    ``forecast`` (level, and its change on ``period``'s value).

    ``series``: dicts with code, product, unit, kind (optionally numerator, denominator,
    outlooks: dicts with month and value). ``observations``: dicts with series (code),
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
        parts = [monthly_values(observed.get(str(s.get(k) or ""), [])) for k in ("numerator", "denominator")]
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
            if s.get("numerator") and s.get("denominator"):
                share = share_of_sums(parts[0], parts[1], m)
                stats.append(("ytd_level", f"{_label(date(m.year, 1, 1))}..{label}", share, unit))
            out.extend(
                base | {"statistic": stat, "period": per, "value": v, "unit": u}
                for stat, per, v, u in stats
                if v is not None
            )
        nxt = add_months(period, 1)
        for o in s.get("outlooks") or ():
            if o["month"] != nxt:
                continue
            mom_abs, mom_pct = change(float(o["value"]), monthly.get(period))
            fc = base | {"kind": "forecast", "status": "F", "period": _label(nxt)}
            out.extend(
                fc | {"statistic": stat, "value": v, "unit": u}
                for stat, v, u in (
                    ("level", float(o["value"]), unit),
                    ("mom_abs", mom_abs, unit),
                    ("mom_pct", mom_pct, "%"),
                )
                if v is not None
            )
    return out


def market_figures(period: date, products: Iterable[str]) -> pl.DataFrame:
    """The market series' figures of a release of ``period`` (``auxiliary_rows``: the months
    quoted and the analysts' outlooks) for ``products``, in the engine's FIGURES shape, to be
    kept in the vintage with the estimates: the API serves them, under embargo like any figure,
    as the series ``M.<PRODUCT>.ACT|FCST.AUXILIARY.SERIES=<CODE>.<STATISTIC>``."""
    series, observations = product_series()
    wanted = set(products)
    rows = [r for r in auxiliary_rows(series, observations, period) if r["product"] in wanted]
    if not rows:
        return pl.DataFrame(schema=FIGURES_SCHEMA)
    frame = pl.DataFrame(rows, schema={c: FIGURES_SCHEMA[c] for c in AUX_COLUMNS}, orient="row")
    return frame.with_columns(
        flags=pl.col("status").replace({"A": ""}),
        **{c: pl.lit(None, t) for c, t in FIGURES_SCHEMA.items() if c not in AUX_COLUMNS and c != "flags"},
    ).select(list(FIGURES_SCHEMA))


def figures_payload(release: Any, *, catalog: Catalog | None = None, user: Any = COMMAND_LINE) -> dict[str, Any]:
    """The export of one release (a ``releases.models.Release``) as ``user`` may see it:
    its figures and the auxiliary series of its month."""
    cat = catalog if catalog is not None else load_catalog()
    rows = release_figures(release, user=user).sort("product", "kind", "measure", "breakdown", "statistic", "period")
    figures = [figure_record(r, cat) for r in rows.iter_rows(named=True)]
    # A vintage keeps its market figures (market_figures); an older one without them gets
    # them from the stored observations.
    if not any(f["measure"] == "auxiliary" for f in rows.iter_rows(named=True)):
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
