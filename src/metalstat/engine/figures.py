"""What the engine returns: figures in the long shape every consumer reads.

One row per (product, kind, measure, breakdown, statistic, period). ``breakdown`` is a
canonical string ``"dim=value;dim2=value2"`` (dimensions sorted, ``""`` for the total) so it
can be a key column; ``parse_breakdown`` turns it into a dict. Values are unrounded;
percentages are in % (not fractions), rate changes in percentage points.
"""

from __future__ import annotations

import polars as pl

FIGURES = {
    "product": pl.Utf8,
    "kind": pl.Utf8,  # actual | forecast
    "measure": pl.Utf8,
    "breakdown": pl.Utf8,
    "statistic": pl.Utf8,
    "period": pl.Utf8,  # "YYYY-MM", or "YYYY-MM..YYYY-MM" for a cumulative span
    "value": pl.Float64,  # null when withheld or suppressed
    "unit": pl.Utf8,  # product unit, "%", "pp", "count", "unit/year"
    "status": pl.Utf8,  # one SDMX OBS_STATUS code (see catalog.vocabulary)
    "flags": pl.Utf8,  # every OBS_STATUS that applies, comma-separated, precedence order
    "conf_status": pl.Utf8,  # SDMX CONF_STATUS: F free, C primary, D secondary suppression
    "coverage": pl.Float64,  # fraction of frame capacity covered by the panel
    "response_rate": pl.Float64,  # fraction of panel producers that returned
    "imputed_share": pl.Float64,  # fraction of the sample total that was imputed
    "n_producers": pl.Int64,  # producers behind the figure
}


def breakdown_key(parts: dict[str, str]) -> str:
    return ";".join(f"{k}={parts[k]}" for k in sorted(parts))


def parse_breakdown(key: str) -> dict[str, str]:
    if not key:
        return {}
    out: dict[str, str] = {}
    for item in key.split(";"):
        k, _, v = item.partition("=")
        out[k] = v
    return out
