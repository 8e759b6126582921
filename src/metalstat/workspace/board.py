"""The month's board, read in a fixed number of queries: per product the panel, the returns
received and missing, what the last vintage imputed, the open validation findings (the
engine's rules over the returns as they stand now), whether the month was run since the last
change, and the release's state; and what still blocks publication.

Counts come from the engine's own frames (``engine.cells.build_cells``,
``engine.validate.check_returns``) over ``survey.frames.load_survey_inputs``: no rule or
formula is written again here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import polars as pl
from django.db.models import Count, Max
from django.utils import timezone

from metalstat.catalog import Product, load_catalog
from metalstat.core.tabular.writers import neutralise
from metalstat.engine.calendar import add_months
from metalstat.engine.cells import build_cells
from metalstat.engine.validate import RULES_BY_ID, check_returns
from metalstat.registry.models import Producer
from metalstat.releases.models import CellStatus, Release
from metalstat.survey.frames import load_survey_inputs
from metalstat.survey.models import FindingFollowUp, SurveyReturn, ValidationConfirmation


@dataclass
class ProductRow:
    code: str
    name: str
    panel: int
    received: int
    missing: int
    received_capacity_share: float | None  # capacity of the producers that returned / panel capacity
    imputed: int | None  # output cells the month's last vintage imputed (None: not run yet)
    errors: int
    warnings: int
    last_change: datetime | None
    blockers: list[str] = field(default_factory=list)
    follow_ups: int = 0  # open findings marked for follow-up (a note: they block nothing)

    @property
    def received_capacity_pct(self) -> float | None:
        share = self.received_capacity_share
        return None if share is None else share * 100.0


@dataclass
class Board:
    period: date
    rows: list[ProductRow]
    release: Release | None  # the month's newest vintage
    fresh: bool  # the newest vintage was made after the last change to the month's returns
    blockers: list[str]

    @property
    def previous(self) -> str:
        return f"{add_months(self.period, -1):%Y-%m}"

    @property
    def next(self) -> str:
        return f"{add_months(self.period, 1):%Y-%m}"

    @property
    def totals(self) -> dict[str, int]:
        return {
            k: sum(getattr(r, k) for r in self.rows) for k in ("panel", "received", "missing", "errors", "warnings")
        }


def month_frames(period: date, products: Sequence[Product]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The month's cells (engine.cells) and its open findings (errors, unconfirmed warnings)."""
    codes = [p.code for p in products]
    inputs = load_survey_inputs(codes, until=period).checked()
    cells = build_cells(inputs, products, [period])
    findings = check_returns(period, inputs, products)
    open_ = findings.filter((pl.col("severity") == "error") | ~pl.col("confirmed"))
    return cells, open_


def _latest_release(period: date) -> Release | None:
    return Release.objects.filter(period=period).order_by("-vintage").first()


def _last_changes(period: date) -> dict[str, datetime]:
    """The time of the last return or confirmation of the month, by product."""
    out: dict[str, datetime] = {}
    for qs in (
        SurveyReturn.objects.filter(period=period).values("producer__product").annotate(at=Max("created_at")),
        ValidationConfirmation.objects.filter(period=period)
        .values("producer__product")
        .annotate(at=Max("confirmed_at")),
    ):
        for row in qs:
            product, at = row["producer__product"], row["at"]
            if product not in out or at > out[product]:
                out[product] = at
    return out


def _release_blockers(release: Release | None, fresh: bool, now: datetime) -> list[str]:
    if release is None:
        return ["the month has not been run: no vintage yet"]
    out = [] if fresh else [f"returns changed after {release.label} was made: run the month again"]
    state = {
        "draft": f"{release.label} is a draft: submit it for review",
        "in_review": f"{release.label} waits for an editor's approval",
        "approved": f"{release.label} is approved: schedule its release time",
    }
    if release.status in state:
        out.append(state[release.status])
    elif release.status == "published" and release.release_at and release.release_at > now:
        out.append(f"{release.label} is scheduled for {timezone.localtime(release.release_at):%Y-%m-%d %H:%M}")
    return out


def month_board(period: date) -> Board:
    catalog = list(load_catalog())
    cells, findings = month_frames(period, catalog)
    panel = cells.filter(pl.col("in_panel"))
    counts = panel.group_by("product").agg(
        panel=pl.len(),
        received=pl.col("status").is_not_null().sum(),
        cap=pl.col("cap_avg").sum(),
        cap_received=pl.col("cap_avg").filter(pl.col("status").is_not_null()).sum(),
    )
    by_product = {r["product"]: r for r in counts.iter_rows(named=True)}
    sev = findings.group_by("product", "severity").len()
    found = {(r["product"], r["severity"]): r["len"] for r in sev.iter_rows(named=True)}
    release = _latest_release(period)
    imputed: dict[str, int] = {}
    if release is not None:
        imputed = {
            r["product"]: r["n"]
            for r in CellStatus.objects.filter(release=release, period=period, field="output", status="imputed")
            .values("product")
            .annotate(n=Count("id"))
        }
    open_keys = set(
        zip(findings.get_column("producer_id").to_list(), findings.get_column("rule").to_list(), strict=True)
    )
    followed: dict[str, int] = {}
    for code, rule, product in FindingFollowUp.objects.filter(period=period).values_list(
        "producer__code", "rule", "producer__product"
    ):
        if (code, rule) in open_keys:
            followed[product] = followed.get(product, 0) + 1
    changes = _last_changes(period)
    last = max(changes.values(), default=None)
    fresh = release is not None and (last is None or release.created_at >= last)
    rows: list[ProductRow] = []
    for p in catalog:
        c = by_product.get(p.code)
        if c is None:
            continue
        row = ProductRow(
            code=p.code,
            name=p.name,
            panel=c["panel"],
            received=c["received"],
            missing=c["panel"] - c["received"],
            received_capacity_share=c["cap_received"] / c["cap"] if c["cap"] else None,
            imputed=imputed.get(p.code, 0) if release is not None else None,
            errors=found.get((p.code, "error"), 0),
            warnings=found.get((p.code, "warning"), 0),
            last_change=changes.get(p.code),
            follow_ups=followed.get(p.code, 0),
        )
        if row.errors:
            row.blockers.append(f"{row.errors} error{'s' if row.errors != 1 else ''} to correct")
        if row.warnings:
            row.blockers.append(f"{row.warnings} warning{'s' if row.warnings != 1 else ''} to confirm or correct")
        if release is not None and row.last_change is not None and row.last_change > release.created_at:
            row.blockers.append("changed since the last run")
        rows.append(row)
    blockers = _release_blockers(release, fresh, timezone.now())
    errors = sum(r.errors for r in rows)
    if errors:
        blockers.insert(0, f"{errors} error{'s stop' if errors != 1 else ' stops'} the run until corrected")
    return Board(period=period, rows=rows, release=release, fresh=fresh, blockers=blockers)


def chasing_list(period: date, product: str | None = None) -> list[dict[str, Any]]:
    """Panel producers with no return for the month: code, name, product, contact, capacity,
    and last month's answer (output, status) if any."""
    catalog = load_catalog()
    products = [catalog.get(product)] if product else list(catalog)
    cells, _ = month_frames(period, products)
    silent = cells.filter(pl.col("in_panel") & pl.col("status").is_null()).sort("product", "producer_id")
    codes = silent.get_column("producer_id").to_list()
    producers = {p.code: p for p in Producer.objects.filter(code__in=codes)} if codes else {}
    previous = {
        (r["producer__code"]): r
        for r in SurveyReturn.objects.current()
        .filter(period=add_months(period, -1), producer__code__in=codes)
        .values("producer__code", "output", "status", "collected_by")
    }
    out = []
    for r in silent.iter_rows(named=True):
        p = producers.get(r["producer_id"])
        prev = previous.get(r["producer_id"])
        out.append(
            {
                "code": r["producer_id"],
                "name": p.name if p else "",
                "product": r["product"],
                "contact": p.contact if p else "",
                "capacity": r["cap_avg"],
                "last_output": prev["output"] if prev else None,
                "last_status": prev["status"] if prev else "",
            }
        )
    return out


def open_findings(period: date, product: str | None = None, severity: str | None = None) -> list[dict[str, Any]]:
    """The month's open findings (errors, unconfirmed warnings) with the rule in words and the
    producer's output over the last six months and this one (one query)."""
    catalog = load_catalog()
    products = [catalog.get(product)] if product else list(catalog)
    _, findings = month_frames(period, products)
    if severity:
        findings = findings.filter(pl.col("severity") == severity)
    codes = sorted(set(findings.get_column("producer_id").to_list()))
    history: dict[str, list[tuple[date, float | None]]] = {}
    if codes:
        for code, month, output in (
            SurveyReturn.objects.current()
            .filter(producer__code__in=codes, period__gte=add_months(period, -6), period__lte=period)
            .order_by("period")
            .values_list("producer__code", "period", "output")
        ):
            history.setdefault(code, []).append((month, output))
    marks = {(m.producer.code, m.rule): m for m in follow_ups(period, product)}
    rows = []
    for f in findings.sort("severity", "product", "producer_id", "rule").iter_rows(named=True):
        rule = RULES_BY_ID.get(f["rule"])
        rows.append(
            f
            | {
                "label": rule.label if rule else f["rule"],
                "field": rule.field if rule else "",
                "history": history.get(f["producer_id"], []),
                "follow_up": marks.get((f["producer_id"], f["rule"])),
            }
        )
    return rows


def follow_ups(period: date, product: str | None = None) -> list[FindingFollowUp]:
    """The month's findings marked for follow-up (of one product), with their producer."""
    qs = FindingFollowUp.objects.filter(period=period).select_related("producer")
    if product:
        qs = qs.filter(producer__product=product)
    return list(qs.order_by("producer__product", "producer__code", "rule"))


def confirmations(period: date, product: str | None = None) -> list[dict[str, Any]]:
    """The month's confirmed warnings (of one product): producer, rule in words, the reason,
    who confirmed it (an analyst, or the producer through its channel) and when."""
    qs = ValidationConfirmation.objects.filter(period=period).select_related("producer")
    if product:
        qs = qs.filter(producer__product=product)
    out = []
    for c in qs.order_by("producer__product", "producer__code", "rule"):
        rule = RULES_BY_ID.get(c.rule)
        out.append(
            {
                "producer": c.producer.code,
                "product": c.producer.product,
                "rule": c.rule,
                "label": rule.label if rule else c.rule,
                "reason": c.reason,
                "by": c.confirmed_by,
                "at": c.confirmed_at,
            }
        )
    return out


def chasing_workbook(header: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str) -> bytes:
    """The chasing list as an Excel workbook (text cells neutralised against formulas)."""
    from io import BytesIO

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "chasing"
    ws.append([title])
    ws.append(list(header))
    for row in rows:
        ws.append([neutralise(v) if isinstance(v, str) else v for v in row])
    for letter, width in zip("ABCDEFG", (12, 30, 20, 36, 12, 16, 16), strict=True):
        ws.column_dimensions[letter].width = width
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def return_history(producer: Producer, period: date) -> list[dict[str, Any]]:
    """Every revision of a producer's return for a month, newest first: who, when, where it
    came from, and each changed value before and after (from the change log)."""
    from metalstat.core.models import AuditEntry
    from metalstat.survey.actions import return_key

    entries = AuditEntry.objects.filter(
        model="survey.surveyreturn", object_id=return_key(producer.code, period)
    ).order_by("-at", "-id")
    out = []
    for e in entries:
        before, after = e.before or {}, e.after or {}
        changed = [
            (k, before.get(k), after.get(k))
            for k in e.changed_fields()
            if k not in {"revision", "collected_at", "collected_by", "source", "producer_id", "period"}
        ]
        out.append(
            {
                "at": e.at,
                "actor": e.actor,
                "revision": after.get("revision"),
                "source": after.get("source", ""),
                "origin": e.source,
                "changes": changed,
            }
        )
    return out
