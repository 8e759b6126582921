"""The formats every data answer comes in, chosen by the URL's suffix (``.csv``) so that
``pandas.read_csv(url)`` and Excel's Power Query need no content negotiation.

- JSON: one envelope (``ok``, what was asked, which vintage answered, ``rows``); numbers are
  numbers, a missing value is ``null`` beside its status.
- CSV: RFC 4180, a header that never changes, ``?bom=1`` for Excel.
- XLSX: typed cells, a metadata sheet with the request and the citation.
- SDMX-CSV (2.0): one row per observation with the key's dimensions, OBS_STATUS, CONF_STATUS.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.http import HttpResponse

from metalstat.releases.series import DIMENSIONS

FORMATS = ("json", "csv", "xlsx", "sdmx.csv", "sdmx.json")
SUFFIX_FORMAT = {"json": "json", "csv": "csv", "xlsx": "xlsx", "sdmx.csv": "sdmx-csv", "sdmx.json": "sdmx-json"}
# The columns of a long data answer, in every tabular format. Never renamed or reordered;
# new columns are only ever added at the end.
COLUMNS = (
    "series_id",
    "period",
    "value",
    "obs_status",
    "conf_status",
    "unit",
    "release",
    "realtime_start",
    "realtime_end",
)
CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sdmx-csv": "application/vnd.sdmx.data+csv; version=2.0.0; charset=utf-8",
    "sdmx-json": "application/vnd.sdmx.data+json; version=2.0.0",
}
DATAFLOW = "METALSTAT:METAL_PRODUCTION(1.0)"


def _text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def json_response(body: dict[str, Any], status: int = 200) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, default=_text, allow_nan=False),
        status=status,
        content_type=CONTENT_TYPES["json"],
    )


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[Any]], *, bom: bool) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else _text(v) for v in row])
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def sdmx_csv_rows(rows: Sequence[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    header = [
        "STRUCTURE",
        "STRUCTURE_ID",
        "ACTION",
        *DIMENSIONS[:5],
        "TIME_PERIOD",
        "OBS_VALUE",
        "OBS_STATUS",
        "CONF_STATUS",
        "UNIT_MEASURE",
    ]
    # DIMENSIONS[:5] is FREQ..BREAKDOWN: STATISTIC is the sixth, added below.
    header.insert(8, DIMENSIONS[5])
    body = []
    for r in rows:
        dims = str(r["series_id"]).split(".")
        body.append(
            ["dataflow", DATAFLOW, "I", *dims, r["period"], r["value"], r["obs_status"], r["conf_status"], r["unit"]]
        )
    return header, body


def sdmx_json(rows: Sequence[dict[str, Any]], *, prepared: str) -> dict[str, Any]:
    """An SDMX-JSON 2.0 data message: series keyed by the indices of their six dimensions'
    values, observations by the index of their period, each ``[value, OBS_STATUS index,
    CONF_STATUS index]`` (a suppressed value is null beside its status)."""
    series_ids = sorted({str(r["series_id"]) for r in rows})
    periods = sorted({str(r["period"]) for r in rows})
    dims: list[list[str]] = [sorted({sid.split(".")[i] for sid in series_ids}) for i in range(len(DIMENSIONS))]
    obs_status = sorted({str(r["obs_status"]) for r in rows})
    conf_status = sorted({str(r["conf_status"]) for r in rows})
    series: dict[str, dict[str, Any]] = {}
    for r in rows:
        codes = str(r["series_id"]).split(".")
        key = ":".join(str(dims[i].index(c)) for i, c in enumerate(codes))
        entry = series.setdefault(key, {"observations": {}})
        entry["observations"][str(periods.index(str(r["period"])))] = [
            r["value"],
            obs_status.index(str(r["obs_status"])),
            conf_status.index(str(r["conf_status"])),
        ]
    return {
        "meta": {"schema": "https://json.sdmx.org/2.0.0/sdmx-json-data-schema.json", "prepared": prepared,
                 "contentLanguages": ["en"]},
        "data": {
            "structures": [{
                "dimensions": {
                    "series": [{"id": d, "keyPosition": i, "values": [{"id": v} for v in dims[i]]}
                               for i, d in enumerate(DIMENSIONS)],
                    "observation": [{"id": "TIME_PERIOD", "values": [{"id": p} for p in periods]}],
                },
                "attributes": {"observation": [
                    {"id": "OBS_STATUS", "values": [{"id": s} for s in obs_status]},
                    {"id": "CONF_STATUS", "values": [{"id": s} for s in conf_status]},
                ]},
            }],
            "dataSets": [{"structure": 0, "action": "Information", "series": series}],
        },
    }  # fmt: skip


def xlsx_bytes(header: Sequence[str], rows: Sequence[Sequence[Any]], meta: Sequence[tuple[str, Any]]) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "data"
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for row in rows:
        ws.append([_xlsx_value(v) for v in row])
    about = wb.create_sheet("about")
    for name, value in meta:
        about.append([name, _xlsx_value(value)])
    about.column_dimensions["A"].width = 18
    about.column_dimensions["B"].width = 100
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, datetime):
        # Excel has no time zones: times are written in UTC (the about sheet says so).
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value
