"""``export_file``: any importable kind back out, in the columns its import reads.

Import, export and import again changes nothing (see ``core.tabular.writers``). Returns are
the revision in force.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from metalstat.catalog import load_catalog
from metalstat.core.tabular.writers import SUFFIXES, write_table
from metalstat.spreadsheets.kinds import handler

EXPORT_SUFFIXES = SUFFIXES


class ExportError(ValueError):
    """The export cannot be made as asked (unknown product, filter not used by the kind)."""


def export_rows(
    kind: str, *, product: str | None = None, period: date | None = None
) -> tuple[list[str], list[list[Any]]]:
    """The header and rows of ``kind`` as stored, filtered by product and month."""
    if product is not None and product not in load_catalog().codes():
        raise ExportError(f"{product!r} is not a product code of the catalog")
    kind_handler = handler(kind)
    if period is not None and not kind_handler.by_period:
        raise ExportError(
            f"--period does not apply to {kind}; it selects returns, panel "
            "members, events and auxiliary observations of one month"
        )
    return kind_handler.export(product=product, period=period)


def export_file(kind: str, path: str | Path, *, product: str | None = None, period: date | None = None) -> int:
    """Write ``kind`` to ``path`` (.csv or .xlsx); returns the number of rows written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise ExportError(f"write .csv or .xlsx, not {suffix or 'a file without a suffix'}")
    header, rows = export_rows(kind, product=product, period=period)
    write_table(path, handler(kind).schema, header, rows)
    return len(rows)
