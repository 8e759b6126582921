"""Reads of the register: producers by code, panel spans, capacity changes, export rows.

Every read loads many producers in a fixed number of queries (codes and ids in chunks under
every backend's parameter limit), never one query per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Q

from metalstat.core.periods import month_text
from metalstat.core.tabular.runner import chunks
from metalstat.registry.models import CapacityRecord, PanelMembership, Producer


def producers_by_code(codes: Iterable[str]) -> dict[str, Producer]:
    """The registered producers among ``codes``, by code (unknown codes are left out)."""
    found: dict[str, Producer] = {}
    for chunk in chunks(sorted(set(codes))):
        for p in Producer.objects.filter(code__in=chunk):
            found[p.code] = p
    return found


def all_producer_codes() -> list[str]:
    """Every registered code (a few thousand at most): near-duplicates are looked for among them."""
    return list(Producer.objects.values_list("code", flat=True))


def capacity_histories(producer_ids: Iterable[int]) -> dict[int, list[tuple[date, float]]]:
    """Each producer's capacity records as (valid from, capacity), oldest first."""
    out: dict[int, list[tuple[date, float]]] = defaultdict(list)
    for chunk in chunks(sorted(set(producer_ids))):
        for pid, valid_from, capacity in (
            CapacityRecord.objects.filter(producer_id__in=chunk)
            .order_by("valid_from")
            .values_list("producer_id", "valid_from", "capacity")
        ):
            out[pid].append((valid_from, capacity))
    return dict(out)


def panel_spans(producer_ids: Iterable[int]) -> dict[int, list[tuple[date, date | None, str]]]:
    """Each producer's panel memberships as (first period, last period or None, label)."""
    spans: dict[int, list[tuple[date, date | None, str]]] = defaultdict(list)
    for chunk in chunks(sorted(set(producer_ids))):
        for m in PanelMembership.objects.filter(producer_id__in=chunk):
            spans[m.producer_id].append((m.first_period, m.last_period, str(m)))
    return dict(spans)


def capacity_changes(first: date, last: date) -> list[dict[str, Any]]:
    """Capacity events (commissioning, expansion, closure ...) taking effect between two
    dates, with the change against the record before: product, region, province, event,
    valid_from, change. Nothing that names a producer."""
    changes = list(
        CapacityRecord.objects.select_related("producer")
        .filter(valid_from__gte=first, valid_from__lte=last)
        .exclude(event="")
        .order_by("valid_from", "pk")
    )
    earlier: dict[int, list[tuple[date, float]]] = defaultdict(list)
    for producer_id, valid_from, capacity in CapacityRecord.objects.filter(
        producer_id__in={c.producer_id for c in changes}
    ).values_list("producer_id", "valid_from", "capacity"):
        earlier[producer_id].append((valid_from, capacity))
    for hist in earlier.values():
        hist.sort()
    out = []
    for c in changes:
        before = [cap for when, cap in earlier[c.producer_id] if when < c.valid_from]
        prior = before[-1] if before else 0.0
        out.append(
            {
                "product": c.producer.product,
                "region": c.producer.region,
                "province": c.producer.province,
                "event": c.event,
                "valid_from": c.valid_from,
                "change": c.capacity - prior,
            }
        )
    return out


def producer_rows(columns: list[str], product: str | None) -> list[list[Any]]:
    qs = Producer.objects.order_by("product", "code")
    if product:
        qs = qs.filter(product=product)
    return [[getattr(p, c) for c in columns] for p in qs]


def capacity_rows(product: str | None) -> list[list[Any]]:
    qs = CapacityRecord.objects.select_related("producer").order_by("producer__code", "valid_from")
    if product:
        qs = qs.filter(producer__product=product)
    return [[r.producer.code, r.valid_from, r.capacity, r.event, r.note] for r in qs]


def panel_rows(product: str | None, period: date | None) -> list[list[Any]]:
    qs = PanelMembership.objects.select_related("producer").order_by("producer__code", "first_period")
    if product:
        qs = qs.filter(producer__product=product)
    if period:
        qs = qs.filter(first_period__lte=period).filter(Q(last_period__isnull=True) | Q(last_period__gte=period))
    return [[m.producer.code, month_text(m.first_period), month_text(m.last_period)] for m in qs]
