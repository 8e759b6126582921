"""The one shape of a published figure outside the database, used by every output: the
figures export, the report's JSON, and the data API.

``{"product" (the report's heading), "product_code", "scope", "period" ("YYYY-MM" or
"YYYY-MM..YYYY-MM"), "kind" (actual | forecast), "measure", "breakdown" ({dimension: value},
empty for the total), "statistic", "value" (unrounded; null when withheld or suppressed),
"unit", "status" (SDMX OBS_STATUS, with any further flags), "conf_status" (SDMX
CONF_STATUS: F free, C or D suppressed)}``.

A value under disclosure control (CONF_STATUS C or D) or withheld for low coverage (status
U) is null here whoever asks: it never leaves the analysts' own views of the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from metalstat.catalog import Catalog
from metalstat.engine.figures import parse_breakdown

FIELDS = (
    "product",
    "product_code",
    "scope",
    "period",
    "kind",
    "measure",
    "breakdown",
    "statistic",
    "value",
    "unit",
    "status",
    "conf_status",
)
FREE = "F"  # CONF_STATUS of a cell anyone may see
WITHHELD = "U"  # OBS_STATUS of an estimate not published for low coverage or response


def is_hidden(conf_status: str | None, status: str | None) -> bool:
    """Whether a figure's value must not be shown outside the analysts' view."""
    return (conf_status or FREE) != FREE or (status or "").split(",")[0] == WITHHELD


def figure_record(row: Mapping[str, Any], catalog: Catalog) -> dict[str, Any]:
    """One figure (a FIGURES row, a Figure's fields, or the same keys) in the one shape."""
    code = str(row["product"])
    name: str
    scope: str
    try:
        p = catalog.get(code)
        name, scope = p.name, p.scope
    except KeyError:
        name, scope = code, ""
    conf_status = str(row.get("conf_status") or FREE)
    status = str(row.get("status") or "")
    value = row.get("value")
    if is_hidden(conf_status, status):
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
        "status": status,
        "conf_status": conf_status,
    }
