"""The routes of ``/api/v1/``: each checks its parameters, asks ``api.data`` and formats the
answer. Nothing here decides who sees what."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from datetime import datetime
from typing import Any, Literal

import polars as pl
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from metalstat.api import accesslog, data
from metalstat.api.auth import Caller, authenticate
from metalstat.api.formats import (
    COLUMNS,
    CONTENT_TYPES,
    csv_bytes,
    json_response,
    sdmx_csv_rows,
    sdmx_json,
    xlsx_bytes,
)
from metalstat.api.limits import check_rate
from metalstat.api.metadata import describe
from metalstat.api.problems import Problem, not_found, problem_response
from metalstat.catalog import load_catalog
from metalstat.releases.queries import (
    NotVisible,
    current_series_state,
    release_by_id,
    release_calendar,
    release_id,
)
from metalstat.subscriptions.entitlements import Entitlements, kept_entitlements, may_preview
from metalstat.subscriptions.models import AccessLog

api = NinjaAPI(
    title="metalstat data API",
    version="1",
    description=(
        "Monthly metal-production statistics by series, vintage and as-of date. Send your key "
        "as `Authorization: Bearer <key>`. Series IDs: "
        "`FREQ.PRODUCT.KIND.MEASURE.BREAKDOWN.STATISTIC`, e.g. "
        "`M.COPPER_CATHODE.ACT.PRODUCTION._T.LEVEL`; `+` and `*` select several."
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)

OBS_PARAMS = ("as_of", "view", "transform", "start", "end", "bom", "preview")


@api.exception_handler(Problem)
def _problem(request: HttpRequest, exc: Problem) -> HttpResponse:
    return problem_response(exc, request.path)


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    params = [{"name": ".".join(str(x) for x in e.get("loc", ())[1:]), "reason": e.get("msg")} for e in exc.errors]
    return problem_response(Problem(400, "invalid parameters", invalid_params=params), request.path)


@api.exception_handler(HttpError)
def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem_response(Problem(exc.status_code, str(exc)), request.path)


def json_body(properties: dict[str, Any], *, required: list[str]) -> dict[str, Any]:
    """A route's JSON request body for the OpenAPI document (``openapi_extra``)."""
    schema = {"type": "object", "required": required, "properties": properties}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


class Context:
    """One request: who calls, what they may read, whether it is an analyst's preview."""

    def __init__(self, request: HttpRequest, allowed: tuple[str, ...]) -> None:
        self.started = time.perf_counter()
        self.request = request
        data.strict(request.GET, allowed)
        self.caller: Caller = authenticate(request)
        check_rate(self.caller.key, self.caller.user)
        self.entitlements: Entitlements = kept_entitlements(self.caller.user)
        self.preview = request.GET.get("preview") in ("1", "true")
        if self.preview and not may_preview(self.caller.user):
            raise Problem(403, "previewing embargoed vintages needs the analysts' permission")

    def log(
        self, response: HttpResponse, *, series: str = "", vintage: str = "", rows: int = 0, fmt: str = "json"
    ) -> HttpResponse:
        entry = AccessLog(
            user=self.caller.user.get_username(),
            key=self.caller.key,
            path=self.request.path,
            series=series[:2000],
            vintage=vintage[:100],
            rows=rows,
            format=fmt,
            status=response.status_code,
            preview=self.preview,
            duration_ms=(time.perf_counter() - self.started) * 1000.0,
        )
        accesslog.record(entry, at_once=self.preview)  # every preview is written at once
        return response


def _cache_headers(response: HttpResponse, *, preview: bool, pinned: bool, upcoming: datetime | None) -> HttpResponse:
    """Subscriber data is private; a pinned vintage never changes; "latest" lives until the
    next scheduled release time (``upcoming``, read with the public releases: None when none
    is scheduled) at most; a preview is never stored."""
    response["Vary"] = "Authorization, Accept, Cookie"
    if preview:
        response["Cache-Control"] = "no-store"
        return response
    if pinned:
        response["Cache-Control"] = "private, max-age=31536000, immutable"
        return response
    now = timezone.now()
    max_age = 60
    if upcoming is not None:
        max_age = max(0, min(max_age, int((upcoming - now).total_seconds())))
    response["Cache-Control"] = f"private, max-age={max_age}"
    return response


def _etag(response: HttpResponse) -> HttpResponse:
    response["ETag"] = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
    return response


class ObservationQuery(Schema):
    """The parameters of every data answer."""

    as_of: str | None = Field(
        None, description="a timestamp, a date (its end) or a release ID (2025-06.v1); default now"
    )
    view: Literal["latest", "first", "all", "revisions"] = "latest"
    transform: Literal["mom", "mom_pct", "yoy", "yoy_pct", "ytd", "ytd_yoy_pct"] | None = Field(
        None, description="a change computed from the levels of one release (level series)"
    )
    start: str | None = Field(None, description="first month, YYYY-MM")
    end: str | None = Field(None, description="last month, YYYY-MM")
    bom: bool = Field(False, description="a byte-order mark on CSV, for Excel")
    preview: bool = Field(False, description="analysts with the permission: embargoed vintages")


class DataQuery(ObservationQuery):
    shape: Literal["long", "wide"] = "long"


# Rendered answers, per process. The key holds everything an answer depends on: the public
# releases behind it (so a release going live is a new key, at once), the series the caller
# may read with their history depth, the format and every parameter. Previews never enter.
_ANSWERS: OrderedDict[tuple[Any, ...], tuple[bytes, dict[str, str], int]] = OrderedDict()
_ANSWERS_LOCK = threading.Lock()
_ANSWERS_MAX = 512
_KEPT_HEADERS = ("Content-Type", "Content-Disposition", "X-Metalstat-As-Of", "X-Metalstat-Releases", "Last-Modified")


def _data_answer(ctx: Context, key: str, fmt: str, params: ObservationQuery, *, single: bool) -> HttpResponse:
    resolved = data.resolve(key, ctx.entitlements, preview=ctx.preview, fmt=fmt, single=single)
    answer_key: tuple[Any, ...] | None = None
    if resolved.signature is not None:
        index = resolved.index
        depths = tuple(
            (sid, ctx.entitlements.history_months(sid, product))
            for sid, product in zip(index["series_id"].to_list(), index["product"].to_list(), strict=True)
        )
        refused = tuple(sorted(r["series_id"] for r in resolved.not_entitled))
        answer_key = (resolved.signature, key, fmt, tuple(sorted(params.dict().items())), depths, refused)
        with _ANSWERS_LOCK:
            kept = _ANSWERS.get(answer_key)
            if kept is not None:
                _ANSWERS.move_to_end(answer_key)
        if kept is not None:
            body, headers, n = kept
            response = HttpResponse(body)
            for name, value in headers.items():
                response[name] = value
            pinned = bool(params.as_of and ".v" in params.as_of)
            _cache_headers(response, preview=False, pinned=pinned, upcoming=resolved.next_release_at)
            return ctx.log(_etag(response), series=key, vintage=headers.get("X-Metalstat-As-Of", ""), rows=n, fmt=fmt)
    response, n = _render_answer(ctx, key, fmt, params, resolved)
    if answer_key is not None:
        with _ANSWERS_LOCK:
            _ANSWERS[answer_key] = (
                bytes(response.content),
                {h: response[h] for h in _KEPT_HEADERS if response.has_header(h)},
                n,
            )
            while len(_ANSWERS) > _ANSWERS_MAX:
                _ANSWERS.popitem(last=False)
    return ctx.log(_etag(response), series=key, vintage=response["X-Metalstat-As-Of"], rows=n, fmt=fmt)


def _render_answer(
    ctx: Context, key: str, fmt: str, params: ObservationQuery, resolved: data.Resolved
) -> tuple[HttpResponse, int]:
    shape = getattr(params, "shape", "long")
    q = {k: v for k, v in params.dict().items() if v not in (None, False)}
    as_of = data.parse_as_of(params.as_of, preview=ctx.preview)
    frame = data.observations(
        resolved,
        ctx.entitlements,
        as_of=as_of,
        view=params.view,
        transform_name=params.transform,
        start=params.start,
        end=params.end,
        preview=ctx.preview,
    )
    rows = data.output_rows(frame)
    answering = data.releases_answering(frame)
    catalog = load_catalog()
    meta = [describe(r, catalog) for r in resolved.index.iter_rows(named=True)]
    if fmt == "json":
        body: dict[str, Any] = {
            "ok": True,
            "request": {"key": key, **{k: v for k, v in q.items() if k in data.OBS_DEFAULTS}},
            "as_of": as_of.label,
            "view": params.view,
            "transform": params.transform,
            "releases": answering,
            "series": meta,
            "not_entitled": resolved.not_entitled,
            "rows": rows if shape == "long" else _wide(rows),
        }
        response = json_response(body)
    elif fmt == "sdmx-json":
        response = HttpResponse(
            json.dumps(sdmx_json(rows, prepared=timezone.now().isoformat()), allow_nan=False),
            content_type=CONTENT_TYPES[fmt],
        )
    elif fmt in ("csv", "sdmx-csv"):
        if fmt == "csv":
            header: list[str] = list(COLUMNS)
            table = [[r[c] for c in COLUMNS] for r in rows]
            if shape == "wide":
                header, table = _wide_table(rows)
        else:
            header, table = sdmx_csv_rows(rows)
        response = HttpResponse(
            csv_bytes(header, table, bom=params.bom),
            content_type=CONTENT_TYPES[fmt],
        )
    else:
        header, table = (list(COLUMNS), [[r[c] for c in COLUMNS] for r in rows])
        if shape == "wide":
            header, table = _wide_table(rows)
        citation = (
            f"metalstat, {', '.join(m['title'] for m in meta[:3])}"
            f"{' …' if len(meta) > 3 else ''}, as of {as_of.label}, "
            f"releases {', '.join(answering)}, retrieved {timezone.now():%Y-%m-%d}."
        )
        about = [
            ("request", ctx.request.path),
            ("as_of", as_of.label),
            ("view", params.view),
            ("releases", ", ".join(answering)),
            ("times", "UTC"),
            ("citation", citation),
            *((m["id"], f"{m['title']} [{m['unit']}]") for m in meta),
        ]
        response = HttpResponse(xlsx_bytes(header, table, about), content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{_filename(key)}.xlsx"'
    response["X-Metalstat-As-Of"] = as_of.label
    response["X-Metalstat-Releases"] = ",".join(answering)
    last = frame["realtime_start"].max() if not frame.is_empty() else None
    if isinstance(last, datetime):
        response["Last-Modified"] = last.strftime("%a, %d %b %Y %H:%M:%S GMT")
    _cache_headers(response, preview=ctx.preview, pinned=as_of.pinned, upcoming=resolved.next_release_at)
    return response, len(rows)


def _filename(key: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in key)[:120]


def _wide(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    header, table = _wide_table(rows)
    return [dict(zip(header, r, strict=True)) for r in table]


def _wide_table(rows: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    if not rows:
        return ["period"], []
    frame = pl.DataFrame(rows).select("period", "series_id", "value")
    wide = frame.pivot(on="series_id", index="period", values="value", aggregate_function="last")
    wide = wide.sort("period")
    return wide.columns, [list(r) for r in wide.iter_rows()]


# ---------------------------------------------------------------------------------------------


@api.get("/series", summary="Search series", tags=["series"])
def list_series(
    request: HttpRequest,
    q: str = "",
    product: str = "",
    measure: str = "",
    kind: str = "",
    statistic: str = "",
    breakdown: str = "",
    entitled: str = "",
    limit: int = 100,
    offset: int = 0,
) -> HttpResponse:
    """Series by product, measure, kind, statistic, breakdown dimension or text; each says
    whether the caller is entitled to it."""
    ctx = Context(
        request, ("q", "product", "measure", "kind", "statistic", "breakdown", "entitled", "limit", "offset", "preview")
    )
    if not 1 <= limit <= 1000 or offset < 0:
        raise Problem(400, "limit is 1 to 1000 and offset 0 or more")
    state = current_series_state(preview=ctx.preview)
    idx = state.index
    for column, value in (("product", product), ("measure", measure), ("kind", kind), ("statistic", statistic)):
        if value:
            idx = idx.filter(pl.col(column) == value.lower())
    if breakdown:
        idx = idx.filter(pl.col("breakdown").str.contains(breakdown.lower(), literal=True))
    catalog = load_catalog()
    items = []
    for row in idx.iter_rows(named=True):
        meta = describe(row, catalog)
        text = f"{meta['id']} {meta['title']} {meta['title_zh']}".lower()
        if q and not all(word in text for word in q.lower().split()):
            continue
        meta["entitled"] = ctx.entitlements.covers(row["series_id"], row["product"])
        if entitled in ("1", "true") and not meta["entitled"]:
            continue
        items.append(meta)
    page = items[offset : offset + limit]
    body = {
        "ok": True,
        "count": len(items),
        "offset": offset,
        "limit": limit,
        "series": page,
        "next": offset + limit if offset + limit < len(items) else None,
    }
    response = _cache_headers(json_response(body), preview=ctx.preview, pinned=False, upcoming=state.next_release_at)
    return ctx.log(_etag(response), series=q or product, rows=len(page))


@api.get("/series/{series_id}", summary="Series metadata", tags=["series"])
def series_metadata(request: HttpRequest, series_id: str) -> HttpResponse:
    ctx = Context(request, ("preview",))
    resolved = data.resolve(series_id, ctx.entitlements, preview=ctx.preview, single=True)
    row = next(resolved.index.iter_rows(named=True))
    meta = describe(row, load_catalog())
    meta["entitled"] = True
    meta["history_months"] = ctx.entitlements.history_months(row["series_id"], row["product"])
    meta["next_release_at"] = resolved.next_release_at
    response = _cache_headers(
        json_response({"ok": True, "series": meta}),
        preview=ctx.preview,
        pinned=False,
        upcoming=resolved.next_release_at,
    )
    return ctx.log(_etag(response), series=series_id, rows=1)


@api.get("/series/{series_id}/observations", summary="Observations of one series", tags=["data"])
def series_observations_json(request: HttpRequest, series_id: str, params: Query[ObservationQuery]) -> HttpResponse:
    """One series as known at ``as_of`` (a timestamp, a date or a release ID; default now).
    ``view``: latest | first | all | revisions. ``transform``: mom, mom_pct, yoy, yoy_pct,
    ytd, ytd_yoy_pct (level series). ``start``/``end``: months. Formats by suffix: .json,
    .csv, .xlsx, .sdmx.csv."""
    ctx = Context(request, OBS_PARAMS)
    return _data_answer(ctx, series_id, "json", params, single=True)


@api.get(
    "/series/{series_id}/observations.{suffix}",
    summary="Observations of one series as a file (.csv, .xlsx, .sdmx.csv, .sdmx.json, .json)",
    tags=["data"],
)
def series_observations_file(
    request: HttpRequest, series_id: str, suffix: str, params: Query[ObservationQuery]
) -> HttpResponse:
    """The same answer as ``/series/{series_id}/observations`` in the format the suffix names,
    so that a URL alone is enough for ``pandas.read_csv`` or Excel's Power Query. An unknown
    suffix is a 406 naming the known ones."""
    ctx = Context(request, OBS_PARAMS)
    return _data_answer(ctx, series_id, data.parse_format(suffix), params, single=True)


@api.get("/data/{key}", summary="Several series by key pattern", tags=["data"])
def data_by_key(request: HttpRequest, key: str, params: Query[DataQuery]) -> HttpResponse:
    """Series by pattern: ``+`` between alternatives, ``*`` for any
    (``M.COPPER_CATHODE+ALUMINIUM.ACT.PRODUCTION._T.LEVEL``). ``shape``: long | wide. Add a
    suffix for a file: ``/data/KEY/file.csv`` (or .xlsx, .sdmx.csv, .json)."""
    ctx = Context(request, (*OBS_PARAMS, "shape"))
    return _data_answer(ctx, key, "json", params, single=False)


@api.get(
    "/data/{key}/file.{suffix}",
    summary="Several series by key pattern as a file (.csv, .xlsx, .sdmx.csv, .sdmx.json, .json)",
    tags=["data"],
)
def data_by_key_file(request: HttpRequest, key: str, suffix: str, params: Query[DataQuery]) -> HttpResponse:
    """The same answer as ``/data/{key}`` in the format the suffix names (an unknown suffix is
    a 406 naming the known ones)."""
    ctx = Context(request, (*OBS_PARAMS, "shape"))
    return _data_answer(ctx, key, data.parse_format(suffix), params, single=False)


@api.get("/series/{series_id}/vintages", summary="Releases that changed a series", tags=["vintages"])
def series_vintages(request: HttpRequest, series_id: str) -> HttpResponse:
    ctx = Context(request, ("preview",))
    resolved = data.resolve(series_id, ctx.entitlements, preview=ctx.preview, single=True)
    frame = data.observations(
        resolved,
        ctx.entitlements,
        as_of=data.AsOf(None, "latest"),
        view="revisions",
        transform_name=None,
        start=None,
        end=None,
        preview=ctx.preview,
    )
    by_release: dict[str, dict[str, Any]] = {}
    for r in frame.iter_rows(named=True):
        rid = f"{r['release_period']}.v{r['vintage']}"
        entry = by_release.setdefault(rid, {"release": rid, "released_at": r["realtime_start"], "periods_changed": []})
        entry["periods_changed"].append(r["month"])
    vintages = sorted(by_release.values(), key=lambda v: (v["released_at"], v["release"]))
    response = _cache_headers(
        json_response({"ok": True, "series_id": series_id, "vintages": vintages}),
        preview=ctx.preview,
        pinned=False,
        upcoming=resolved.next_release_at,
    )
    return ctx.log(_etag(response), series=series_id, rows=len(vintages))


@api.get("/series/{series_id}/revisions", summary="Revisions of a period, or the triangle", tags=["vintages"])
def series_revisions(request: HttpRequest, series_id: str, period: str = "") -> HttpResponse:
    """With ``period``: its first release, each revision and the latest, with the change
    from the first. Without: the revision triangle (one row per period, one column per
    release that published it)."""
    ctx = Context(request, ("period", "preview"))
    resolved = data.resolve(series_id, ctx.entitlements, preview=ctx.preview, single=True)
    frame = data.observations(
        resolved,
        ctx.entitlements,
        as_of=data.AsOf(None, "latest"),
        view="all",
        transform_name=None,
        start=period or None,
        end=period or None,
        preview=ctx.preview,
    )
    rows = data.output_rows(frame)
    if period:
        first = rows[0]["value"] if rows else None
        path = [
            {**r, "change_from_first": (None if r["value"] is None or first is None else r["value"] - first)}
            for r in rows
        ]
        body: dict[str, Any] = {"ok": True, "series_id": series_id, "period": period, "path": path}
    else:
        releases = sorted({r["release"] for r in rows})
        triangle: dict[str, dict[str, Any]] = {}
        for r in rows:
            triangle.setdefault(r["period"], {"period": r["period"]})[r["release"]] = r["value"]
        body = {
            "ok": True,
            "series_id": series_id,
            "releases": releases,
            "triangle": [triangle[p] for p in sorted(triangle)],
        }
    response = _cache_headers(json_response(body), preview=ctx.preview, pinned=False, upcoming=resolved.next_release_at)
    return ctx.log(_etag(response), series=series_id, rows=len(rows))


@api.get("/releases", summary="The release calendar", tags=["releases"])
def releases(request: HttpRequest) -> HttpResponse:
    """Past and scheduled releases with their times (ISO 8601 with the zone). A scheduled
    release says when, never what."""
    ctx = Context(request, ("preview",))
    calendar = release_calendar(preview=ctx.preview)
    upcoming = min((r["release_at"] for r in calendar if r["status"] == "scheduled"), default=None)
    response = _cache_headers(
        json_response({"ok": True, "releases": calendar}), preview=ctx.preview, pinned=False, upcoming=upcoming
    )
    return ctx.log(_etag(response), rows=len(calendar))


@api.get("/releases/{release}", summary="One release and its figures", tags=["releases"])
def release_detail(request: HttpRequest, release: str) -> HttpResponse:
    """A release's notes and the series it published that the caller may read, as they stood
    in it (use ``/data/{key}?as_of={release}`` for the values)."""
    ctx = Context(request, ("preview",))
    try:
        found = release_by_id(release, preview=ctx.preview)
    except NotVisible:
        raise not_found(f"release {release}") from None
    body = {
        "ok": True,
        "release": {
            "id": release_id(found),
            "period": f"{found.period:%Y-%m}",
            "vintage": found.vintage,
            "release_at": found.release_at,
            "superseded": found.status == "superseded",
            "note": found.note,
        },
    }
    response = _cache_headers(json_response(body), preview=ctx.preview, pinned=True, upcoming=None)
    return ctx.log(_etag(response), vintage=release)


@api.get("/releases/{release}/bulk.{suffix}", summary="Everything you may read in one vintage", tags=["releases"])
def release_bulk(request: HttpRequest, release: str, suffix: str) -> HttpResponse:
    """Every figure of the release the caller may read, one row per series and period, as
    CSV (``bulk.csv``) or JSON (``bulk.json``)."""
    ctx = Context(request, ("preview", "bom"))
    fmt = data.parse_format(suffix)
    if fmt not in ("csv", "json"):
        raise Problem(406, "the bulk download is bulk.csv or bulk.json")
    found, frame = data.bulk(release, ctx.entitlements, preview=ctx.preview)
    rows = data.output_rows(frame)
    if fmt == "json":
        response = json_response({"ok": True, "release": release_id(found), "rows": rows})
    else:
        table = [[r[c] for c in COLUMNS] for r in rows]
        response = HttpResponse(
            csv_bytes(COLUMNS, table, bom=request.GET.get("bom") in ("1", "true")),
            content_type=CONTENT_TYPES["csv"],
        )
        response["Content-Disposition"] = f'attachment; filename="metalstat-{release_id(found)}.csv"'
    _cache_headers(response, preview=ctx.preview, pinned=True, upcoming=None)
    return ctx.log(_etag(response), vintage=release, rows=len(rows), fmt=fmt)


@api.get("/me", summary="Your entitlements and usage", tags=["account"])
def me(request: HttpRequest) -> HttpResponse:
    ctx = Context(request, ())
    key = ctx.caller.key
    today = timezone.localdate()
    accesslog.flush()  # the rows still waiting count too
    used = AccessLog.objects.filter(at__date=today)
    used_today = (used.filter(key=key) if key is not None else used.filter(user=ctx.caller.user.get_username())).count()
    body = {
        "ok": True,
        "user": ctx.caller.user.get_username(),
        "organisation": ctx.entitlements.organisation,
        "analyst": ctx.entitlements.analyst,
        "key": None
        if key is None
        else {
            "name": key.name,
            "prefix": key.prefix,
            "created_at": key.created_at,
            "expires_at": key.expires_at,
            "last_used_at": key.last_used_at,
        },
        "subscriptions": ctx.entitlements.describe(),
        "usage": {"requests_today": used_today},
    }
    response = json_response(body)
    response["Cache-Control"] = "private, no-cache"
    return ctx.log(response)
