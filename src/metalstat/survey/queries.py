"""Reads of the survey: returns in force, confirmations, market series, events, export rows.

Every read loads many producers in a fixed number of queries (ids and codes in chunks under
every backend's parameter limit), never one query per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import polars as pl
from django.db.models import Q

from metalstat.catalog import load_catalog
from metalstat.catalog.vocabulary import BREAKDOWN_PREFIXES
from metalstat.core.periods import month_text
from metalstat.core.tabular.columns import breakdown_header
from metalstat.core.tabular.runner import chunks
from metalstat.engine.calendar import add_months
from metalstat.survey.models import (
    AuxiliaryObservation,
    AuxiliarySeries,
    MaintenanceEvent,
    SurveyReturn,
    ValidationConfirmation,
)


def current_returns(producer_ids: Sequence[int], periods: Sequence[date]) -> dict[tuple[int, date], SurveyReturn]:
    """The return in force of each producer and month, by (producer id, period)."""
    found: dict[tuple[int, date], SurveyReturn] = {}
    for chunk in chunks(sorted(set(producer_ids))):
        for r in SurveyReturn.objects.current().filter(producer_id__in=chunk, period__in=periods):
            found[(r.producer_id, r.period)] = r
    return found


def confirmed(producer_id: int, period: date, rule: str) -> bool:
    """Whether an analyst has confirmed the rule's warning on the producer's month."""
    return ValidationConfirmation.objects.filter(producer_id=producer_id, period=period, rule=rule).exists()


def all_series_codes() -> list[str]:
    """Every stored series code: near-duplicates are looked for among them."""
    return list(AuxiliarySeries.objects.values_list("code", flat=True))


def known_series_units(codes: Iterable[str]) -> dict[str, str]:
    """The codes among ``codes`` that name a stored auxiliary (market) series, with their units."""
    known: dict[str, str] = {}
    for chunk in chunks(sorted(set(codes))):
        known |= dict(AuxiliarySeries.objects.filter(code__in=chunk).values_list("code", "unit"))
    return known


def maintenance_events(first: date, last: date) -> list[dict[str, Any]]:
    """Events overlapping the days from ``first`` to ``last``, reduced to what the report may
    say of them: product, region, province, reason, planned, start, end, capacity affected
    (nothing that names the producer)."""
    events = (
        MaintenanceEvent.objects.select_related("producer")
        .filter(start__lte=last)
        .filter(Q(end__isnull=True) | Q(end__gte=first))
        .order_by("start", "pk")
    )
    return [
        {
            "product": e.producer.product,
            "region": e.producer.region,
            "province": e.producer.province,
            "reason": e.reason,
            "planned": e.planned,
            "start": e.start,
            "end": e.end,
            "capacity_affected": e.capacity_affected,
        }
        for e in events
    ]


def _outlooks(series: AuxiliarySeries, first: date, last: date) -> list[dict[str, Any]]:
    return [
        {"month": o.month, "value": o.value, "source": o.source, "detail": o.detail, "detail_zh": o.detail_zh}
        for o in series.outlooks.filter(month__gte=first, month__lte=last).order_by("month")
    ]


def highlighted_series(first: date, last: date) -> list[dict[str, Any]]:
    """The market series quoted in the report, with their observations and outlooks between
    two dates; a share of two series (numerator, denominator) with theirs too."""
    out = []
    qs = AuxiliarySeries.objects.filter(highlighted=True).select_related("numerator", "denominator")
    for s in qs.order_by("code"):

        def points(series: AuxiliarySeries) -> list[tuple[date, float, str]]:
            obs = series.observations.filter(date__gte=first, date__lte=last).order_by("date")
            return [(o.date, o.value, o.note) for o in obs]

        parts = (points(s.numerator), points(s.denominator)) if s.numerator and s.denominator else None
        out.append(
            {
                "code": s.code,
                "name": s.name,
                "name_zh": s.name_zh or s.name,
                "unit": s.unit,
                "product": s.product,
                "kind": s.kind,
                "observations": points(s),
                "outlooks": _outlooks(s, first, last),
                "parts": parts,
            }
        )
    return out


def product_series() -> tuple[Sequence[Mapping[str, Any]], Sequence[Mapping[str, Any]]]:
    """The market series that belong to a product (code, product, unit, name, kind, the codes
    of a share's numerator and denominator, the outlooks) and all their observations (series
    code, date, value), for a release's figures."""
    series = []
    for s in AuxiliarySeries.objects.exclude(product="").select_related("numerator", "denominator"):
        series.append(
            {
                "code": s.code,
                "product": s.product,
                "unit": s.unit,
                "name": s.name,
                "kind": s.kind,
                "numerator": s.numerator.code if s.numerator else "",
                "denominator": s.denominator.code if s.denominator else "",
                "outlooks": _outlooks(s, date.min, date.max),
            }
        )
    observations = [
        {"series": o["series__code"], "date": o["date"], "value": o["value"]}
        for o in AuxiliaryObservation.objects.filter(series__product__gt="").values("series__code", "date", "value")
    ]
    return series, observations


# ---------------------------------------------------------------------------------------------
# Rows of the survey's kinds for export, in the columns their imports read


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


def return_rows(base: list[str], product: str | None, period: date | None) -> tuple[list[str], list[list[Any]]]:
    """The returns in force: the ``base`` columns, then one per breakdown value, then one
    per breakdown value of the next month's schedule."""
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
    header = base + [breakdown_header(prefix + d, v) for prefix in BREAKDOWN_PREFIXES.values() for d, v in parts]
    rows = []
    for r in returns:
        values = {
            "producer": r.producer.code,
            "product": r.producer.product,
            "period": month_text(r.period),
            "source": r.source,
        }
        for name in base:
            if name not in values:
                values[name] = getattr(r, name)
        row = [values[name] for name in base]
        for name in BREAKDOWN_PREFIXES:
            breakdown = getattr(r, name) or {}
            row += [breakdown.get(d, {}).get(v) for d, v in parts]
        rows.append(row)
    return header, rows


def event_rows(product: str | None, period: date | None) -> list[list[Any]]:
    qs = MaintenanceEvent.objects.select_related("producer").order_by("producer__code", "start", "reason")
    if product:
        qs = qs.filter(producer__product=product)
    if period:
        qs = qs.filter(start__lt=add_months(period, 1)).filter(Q(end__isnull=True) | Q(end__gte=period))
    return [[e.producer.code, e.start, e.end, e.capacity_affected, e.reason, e.planned, e.description] for e in qs]


def auxiliary_rows(product: str | None, period: date | None) -> list[list[Any]]:
    qs = AuxiliaryObservation.objects.select_related("series").order_by("series__code", "date")
    if product:
        qs = qs.filter(series__product=product)
    if period:
        qs = qs.filter(date__gte=period, date__lt=add_months(period, 1))
    rows = []
    for o in qs:
        s = o.series
        rows.append([s.code, o.date, o.value, o.note, s.name, s.name_zh, s.unit, s.kind, s.product, s.highlighted])
    return rows


def corrected_returns(first: date, last: date, producer_codes: Sequence[str] | None = None) -> pl.DataFrame:
    """Returns in force from ``first`` to ``last`` that are corrections (revision 2 or
    later): producer_id (the code), period, revision. One query."""
    qs = SurveyReturn.objects.current().filter(period__gte=first, period__lte=last, revision__gt=1)
    rows = list(qs.values_list("producer__code", "period", "revision"))
    frame = pl.DataFrame(rows, schema={"producer_id": pl.Utf8, "period": pl.Date, "revision": pl.Int64}, orient="row")
    if producer_codes is not None:
        frame = frame.filter(pl.col("producer_id").is_in(list(producer_codes)))
    return frame
