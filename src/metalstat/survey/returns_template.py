"""The returns workbook of one product and month, for analysts to fill in and import back.

One row per panel member of the month, with reference columns (name, province, capacity in
force, last month's output, what the producer scheduled for this month) shaded grey, and the
input columns the product needs: output, schedule (next month, and the month after where the
producer plans that far), status (a dropdown), reason, metal content and operating capacity
where the product reports them, one column per breakdown value, and one per breakdown value
of next month's schedule (``schedule:dimension=value``).
Answers already recorded for the month are filled in, so a re-issued workbook imports back
unchanged. A second sheet explains how to fill it in.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from metalstat.catalog import Product, load_catalog
from metalstat.catalog.vocabulary import BREAKDOWN_PREFIXES, PLANNED_PREFIX, RETURN_STATUSES, RETURN_VALUES
from metalstat.core.tabular.columns import breakdown_header
from metalstat.engine.calendar import add_months, days_in_month
from metalstat.survey.returns_import import RETURNS_KIND

REFERENCE = ("producer_name", "province", "capacity_in_force", "last_month_output", "scheduled_for_month")


def template_columns(product: Product) -> list[str]:
    """The columns of the product's returns workbook, in order."""
    columns = ["producer", *REFERENCE, "product", "period"]
    columns += [f.name for f in product.return_fields() if f.type != "breakdown"]
    for prefix in BREAKDOWN_PREFIXES.values():
        for d in product.dimensions:
            if d.source == "return":
                columns += [breakdown_header(prefix + d.name, v) for v in d.value_names()]
    return columns


def template_rows(product: Product, period: date) -> list[dict[str, Any]]:
    """One row per panel member of the month: reference values and any answer on record."""
    from django.db.models import Q

    from metalstat.registry.models import Producer
    from metalstat.survey.models import SurveyReturn

    producers = list(
        Producer.objects.filter(product=product.code)
        .filter(panel_memberships__first_period__lte=period)
        .filter(Q(panel_memberships__last_period__isnull=True) | Q(panel_memberships__last_period__gte=period))
        .prefetch_related("capacity_records")
        .distinct()
        .order_by("code")
    )
    previous_month = add_months(period, -1)
    returns = {
        (r.producer_id, r.period): r
        for r in SurveyReturn.objects.current().filter(producer__in=producers, period__in=[previous_month, period])
    }
    rows = []
    last_day = date(period.year, period.month, days_in_month(period))
    for p in producers:
        before = returns.get((p.pk, previous_month))
        now = returns.get((p.pk, period))
        row: dict[str, Any] = {
            "producer": p.code,
            "producer_name": p.name,
            "province": p.province,
            "capacity_in_force": p.capacity_at(last_day),
            "last_month_output": before.output if before else None,
            "scheduled_for_month": before.schedule if before else None,
            "product": product.code,
            "period": f"{period:%Y-%m}",
        }
        if now is not None:
            for name in RETURN_VALUES:
                if name not in BREAKDOWN_PREFIXES:
                    row[name] = getattr(now, name)
            for name, prefix in BREAKDOWN_PREFIXES.items():
                for dim, parts in (getattr(now, name) or {}).items():
                    for value, quantity in parts.items():
                        row[breakdown_header(prefix + dim, value)] = quantity
        rows.append(row)
    return rows


def write_template(product_code: str, period: date, path: str | Path) -> int:
    """Write the returns workbook; returns the number of producers listed."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    product = load_catalog().get(product_code)
    columns = template_columns(product)
    rows = template_rows(product, period)
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "returns"
    ws.append(columns)
    grey = PatternFill("solid", fgColor="E7E6E6")
    head = PatternFill("solid", fgColor="BDD7EE")
    for row in rows:
        ws.append([row.get(c) for c in columns])
    last_row = max(2, len(rows) + 1)
    schema = RETURNS_KIND
    for j, name in enumerate(columns, 1):
        letter = get_column_letter(j)
        cell = ws.cell(row=1, column=j)
        cell.font = Font(bold=True)
        cell.fill = grey if name in REFERENCE else head
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[letter].width = max(12, min(28, len(name) + 2))
        reference = name in REFERENCE or name in ("producer", "product", "period")
        for i in range(2, len(rows) + 2):
            c = ws.cell(row=i, column=j)
            if reference:
                c.fill = grey
            if name in ("producer", "product", "period", "producer_name", "province", "status", "reason"):
                c.number_format = "@"  # text, so Excel keeps 2025-06 and codes as typed
            elif name in ("capacity_in_force",):
                c.number_format = "#,##0"
            else:
                c.number_format = "#,##0.###"
    status_col = get_column_letter(columns.index("status") + 1)
    choices = DataValidation(
        type="list",
        formula1='"' + ",".join(RETURN_STATUSES) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="status",
        error="Choose one of: " + ", ".join(RETURN_STATUSES),
    )
    ws.add_data_validation(choices)
    choices.add(f"{status_col}2:{status_col}{last_row}")
    quantities = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="quantity",
        error="A quantity of 0 or more.",
    )
    ws.add_data_validation(quantities)
    for j, name in enumerate(columns, 1):
        if name in REFERENCE or name in ("producer", "product", "period", "status", "reason"):
            continue
        letter = get_column_letter(j)
        quantities.add(f"{letter}2:{letter}{last_row}")
    ws.freeze_panes = "B2"
    _instructions(wb.create_sheet("instructions"), product, period, columns, schema)
    wb.active = 0
    wb.save(path)
    return len(rows)


def _instructions(ws: Any, product: Product, period: date, columns: list[str], schema: Any) -> None:
    from openpyxl.styles import Font

    unit = product.unit
    lines: list[tuple[str, str]] = [
        (f"{product.name} ({product.name_zh}): survey returns for {period:%Y-%m}", "title"),
        ("", ""),
        (
            "Fill in one row per producer on the sheet 'returns'. Grey columns are for reference "
            "and are not imported; leave producer, product and period as they are.",
            "",
        ),
        (
            f"Quantities are in {unit} ({product.unit_zh}); schedules are the output planned for "
            f"{add_months(period, 1):%Y-%m}.",
            "",
        ),
        ("Leave a producer's row empty if it has not answered: an empty row is not imported.", ""),
        ("Type values only: cells with formulas and merged cells are refused on import.", ""),
        ("Import the filled sheet with: metalstat import returns FILE.xlsx", ""),
        (
            "Warnings (e.g. a value about 1,000 times the producer's usual output) stop the import "
            'until confirmed: metalstat import returns FILE.xlsx --confirm "reason".',
            "",
        ),
        ("", ""),
        ("Columns", "title"),
    ]
    for name in columns:
        try:
            text = schema.column(name).help
        except KeyError:
            dim, _, value = name.partition("=")
            planned = dim.startswith(PLANNED_PREFIX)
            d = product.dimension(dim.removeprefix(PLANNED_PREFIX))
            label = next((v.name_zh for v in d.values if v.name == value), "")
            text = f"{d.label} ({d.label_zh}): {value} {label}, {unit}"
            if planned:
                text = f"scheduled for {add_months(period, 1):%Y-%m}, {text}"
            if d.kind == "partition":
                text += f"; the {name.partition('=')[0]} columns add up to the " + ("schedule" if planned else "output")
        lines.append((f"{name}: {text}", ""))
    lines.append((f"status: one of {', '.join(RETURN_STATUSES)} (normal when empty)", ""))
    for text, style in lines:
        ws.append([text])
        if style == "title":
            ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    ws.column_dimensions["A"].width = 120
