"""Writing any importable kind back out, in the columns its import reads.

Import, export and import again changes nothing: numbers are written so they read back as the
same value (shortest exact form), months as ``YYYY-MM`` text (so Excel does not turn them into
dates), dates as dates, yes/no as words. Returns are the revision in force.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from metalstat.catalog import load_catalog
from metalstat.engine.calendar import add_months
from metalstat.spreadsheets.schemas import SCHEMAS, breakdown_header

EXPORT_SUFFIXES = (".csv", ".xlsx")


class ExportError(ValueError):
    """The export cannot be made as asked (unknown product, filter not used by the kind)."""


def export_rows(
    kind: str, *, product: str | None = None, period: date | None = None
) -> tuple[list[str], list[list[Any]]]:
    """The header and rows of ``kind`` as stored, filtered by product and month."""
    if product is not None and product not in load_catalog().codes():
        raise ExportError(f"{product!r} is not a product code of the catalog")
    if period is not None and kind in ("producers", "capacity"):
        raise ExportError(f"--period does not apply to {kind}; it selects returns, panel "
                          "members, events and auxiliary observations of one month")  # fmt: skip
    return _EXPORTERS[kind](product, period)


def _columns(kind: str) -> list[str]:
    return [c.name for c in SCHEMAS[kind].input_columns()]


def _producers(product: str | None, period: date | None) -> tuple[list[str], list[list[Any]]]:
    from metalstat.registry.models import Producer

    header = _columns("producers")
    qs = Producer.objects.order_by("product", "code")
    if product:
        qs = qs.filter(product=product)
    return header, [[getattr(p, c) for c in header] for p in qs]


def _capacity(product: str | None, period: date | None) -> tuple[list[str], list[list[Any]]]:
    from metalstat.registry.models import CapacityRecord

    qs = CapacityRecord.objects.select_related("producer").order_by("producer__code", "valid_from")
    if product:
        qs = qs.filter(producer__product=product)
    rows = [[r.producer.code, r.valid_from, r.capacity, r.event, r.note] for r in qs]
    return _columns("capacity"), rows


def _panel(product: str | None, period: date | None) -> tuple[list[str], list[list[Any]]]:
    from django.db.models import Q

    from metalstat.registry.models import PanelMembership

    qs = PanelMembership.objects.select_related("producer").order_by(
        "producer__code", "first_period"
    )
    if product:
        qs = qs.filter(producer__product=product)
    if period:
        qs = qs.filter(first_period__lte=period).filter(
            Q(last_period__isnull=True) | Q(last_period__gte=period)
        )
    rows = [[m.producer.code, _month(m.first_period), _month(m.last_period)] for m in qs]
    return _columns("panel"), rows


def return_breakdown_columns(products: Sequence[str]) -> list[tuple[str, str]]:
    """(dimension, value) of every return breakdown of the products, in catalog order."""
    out: list[tuple[str, str]] = []
    for p in load_catalog():
        if p.code not in products:
            continue
        for d in p.dimensions:
            if d.source == "return":
                for v in d.value_names():
                    if (d.name, v) not in out:
                        out.append((d.name, v))
    return out


def _returns(product: str | None, period: date | None) -> tuple[list[str], list[list[Any]]]:
    from metalstat.survey.models import SurveyReturn

    qs = (
        SurveyReturn.objects.current()
        .select_related("producer")
        .order_by("producer__product", "period", "producer__code")
    )
    if product:
        qs = qs.filter(producer__product=product)
    if period:
        qs = qs.filter(period=period)
    returns = list(qs)
    products = sorted({r.producer.product for r in returns} | ({product} if product else set()))
    parts = return_breakdown_columns(products)
    base = _columns("returns")
    header = base + [breakdown_header(d, v) for d, v in parts]
    rows = []
    for r in returns:
        values = {
            "producer": r.producer.code,
            "product": r.producer.product,
            "period": _month(r.period),
            "source": r.source,
        }
        for name in base:
            if name not in values:
                values[name] = getattr(r, name)
        row = [values[name] for name in base]
        breakdown = r.breakdown or {}
        row += [breakdown.get(d, {}).get(v) for d, v in parts]
        rows.append(row)
    return header, rows


def _events(product: str | None, period: date | None) -> tuple[list[str], list[list[Any]]]:
    from django.db.models import Q

    from metalstat.survey.models import MaintenanceEvent

    qs = MaintenanceEvent.objects.select_related("producer").order_by(
        "producer__code", "start", "reason"
    )
    if product:
        qs = qs.filter(producer__product=product)
    if period:
        qs = qs.filter(start__lt=add_months(period, 1)).filter(
            Q(end__isnull=True) | Q(end__gte=period)
        )
    rows = [
        [e.producer.code, e.start, e.end, e.capacity_affected, e.reason, e.planned, e.description]
        for e in qs
    ]
    return _columns("events"), rows


def _auxiliary(product: str | None, period: date | None) -> tuple[list[str], list[list[Any]]]:
    from metalstat.survey.models import AuxiliaryObservation

    qs = AuxiliaryObservation.objects.select_related("series").order_by("series__code", "date")
    if product:
        qs = qs.filter(series__product=product)
    if period:
        qs = qs.filter(date__gte=period, date__lt=add_months(period, 1))
    rows = []
    for o in qs:
        s = o.series
        rows.append([s.code, o.date, o.value, o.note, s.name, s.name_zh, s.unit, s.product,
                     s.highlighted])  # fmt: skip
    return _columns("auxiliary"), rows


_EXPORTERS = {
    "producers": _producers,
    "capacity": _capacity,
    "panel": _panel,
    "returns": _returns,
    "events": _events,
    "auxiliary": _auxiliary,
}


def _month(value: date | None) -> str | None:
    return None if value is None else f"{value:%Y-%m}"


def text_of(value: Any) -> str:
    """A cell as CSV text that reads back as the same value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    # A BOM so Excel opens the UTF-8 (Chinese names) correctly; the importer accepts it.
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow([text_of(v) for v in row])


def write_xlsx(path: Path, kind: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = kind
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    text_columns = {i for i, h in enumerate(header) if _is_text_column(kind, h)}
    for row in rows:
        values = []
        for i, v in enumerate(row):
            if isinstance(v, bool):
                values.append("yes" if v else "no")
            elif i in text_columns and v is not None:
                values.append(str(v))
            else:
                values.append(v)
        ws.append(values)
    for i in text_columns:
        for (cell,) in ws.iter_rows(min_row=2, min_col=i + 1, max_col=i + 1):
            cell.number_format = "@"
            if isinstance(cell.value, str) and cell.value.startswith("="):
                # A text that Excel would take for a formula: store it as a plain string.
                cell.data_type = "s"
    for i, name in enumerate(header):
        ws.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width = max(
            10, min(40, len(name) + 2)
        )
    wb.save(path)


def _is_text_column(kind: str, name: str) -> bool:
    try:
        column = SCHEMAS[kind].column(name)
    except KeyError:
        return False
    return column.type in ("text", "period", "choice")


def export_file(
    kind: str, path: str | Path, *, product: str | None = None, period: date | None = None
) -> int:
    """Write ``kind`` to ``path`` (.csv or .xlsx); returns the number of rows written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise ExportError(f"write .csv or .xlsx, not {suffix or 'a file without a suffix'}")
    header, rows = export_rows(kind, product=product, period=period)
    if suffix == ".csv":
        write_csv(path, header, rows)
    else:
        write_xlsx(path, kind, header, rows)
    return len(rows)
