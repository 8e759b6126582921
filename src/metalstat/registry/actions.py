"""The only ways the registry changes: producers, capacity records, panel memberships.

Every function is atomic, takes the acting user (or tool name) as keyword-only ``actor`` and
an optional ``origin`` (where the change came from, e.g. an import file's name), writes one
AuditEntry per change with the object's fields before and after, and returns the object with
what happened: ``"created"``, ``"updated"`` or ``"unchanged"``. Bad values raise Django's
ValidationError naming the field and value.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from metalstat.core.changelog import Actor, model_label, record_change, save_audited, snapshot
from metalstat.core.choices import AuditAction
from metalstat.core.concurrency import check_version, version_of
from metalstat.core.outcomes import CREATED, UNCHANGED, UPDATED
from metalstat.core.periods import as_date, as_period
from metalstat.core.roles import require
from metalstat.core.validators import code_problem
from metalstat.registry.models import CapacityRecord, PanelMembership, Producer

# Producer fields an upsert may set; ``code`` is the key.
PRODUCER_FIELDS = (
    "name",
    "name_zh",
    "product",
    "province",
    "region",
    "nature",
    "feedstock",
    "country",
    "notes",
    "contact",
)


def as_producer(producer: Producer | str, *, for_update: bool = False) -> Producer:
    """A Producer from itself or its code."""
    if isinstance(producer, Producer):
        if not for_update:
            return producer
        code = producer.code
    else:
        code = producer
    qs = Producer.objects.select_for_update() if for_update else Producer.objects
    try:
        return qs.get(code=code)
    except Producer.DoesNotExist:
        raise ValidationError({"producer": f"no producer with code {code!r}"}, code="unknown_producer") from None


@transaction.atomic
def do_upsert_producer(
    code: str, *, actor: Actor, origin: str = "", expected_version: str | None = None, **fields: Any
) -> tuple[Producer, str]:
    """Create the producer ``code`` or change the given fields of it.

    Only the fields passed are set (``name`` and ``product`` are needed to create one). A
    producer's product never changes: a plant taking up another product is a new producer.
    ``expected_version``: the version (``core.concurrency.version_of``; "" for a new one) the
    editor started from; when someone saved the producer since, Conflict, nothing written.
    """
    require(actor, "edit_register")
    unknown = set(fields) - set(PRODUCER_FIELDS)
    if unknown:
        raise TypeError(f"unknown producer field(s): {', '.join(sorted(unknown))}")
    code = (code or "").strip()
    if not code:
        raise ValidationError({"code": "a producer needs a code"})
    problem = code_problem(code)
    if problem is not None:  # before any lookup: PostgreSQL refuses a NUL even in a query
        raise ValidationError({"code": ValidationError(problem[0], code=problem[1])})
    producer = Producer.objects.select_for_update().filter(code=code).first()
    check_version(
        f"producer {code}",
        version_of(producer),
        expected_version,
        model_label=model_label(Producer),
        object_id=str(producer.pk) if producer is not None else "",
    )
    if producer is None:
        missing = [f for f in ("name", "product") if not fields.get(f)]
        if missing:
            raise ValidationError({f: f"needed to register producer {code!r}" for f in missing})
        producer = Producer(code=code, **fields)
        save_audited(producer, None, actor=actor, origin=origin)
        return producer, CREATED
    if "product" in fields and fields["product"] != producer.product:
        raise ValidationError(
            {
                "product": f"producer {code!r} makes {producer.product}; a different product "
                f"({fields['product']}) is a new producer with its own code"
            }
        )
    before = snapshot(producer)
    for name, value in fields.items():
        setattr(producer, name, value)
    if snapshot(producer) == before:
        return producer, UNCHANGED
    save_audited(producer, before, actor=actor, origin=origin)
    return producer, UPDATED


@transaction.atomic
def do_add_capacity_record(
    producer: Producer | str,
    valid_from: date | str,
    capacity: float,
    *,
    event: str = "",
    note: str = "",
    actor: Actor,
    origin: str = "",
) -> tuple[CapacityRecord, str]:
    """Record the producer's capacity from a date on (commissioning, expansion, closure...).

    The same record again is ``"unchanged"`` (only a new note is ``"updated"``). A different
    capacity or event for a date that already has a record is refused: capacity history is
    added to, never rewritten; a correction is a new record from the date it takes effect.
    """
    require(actor, "edit_register")
    producer = as_producer(producer, for_update=True)
    valid_from = as_date(valid_from, "valid_from")
    if capacity is None or capacity < 0:
        raise ValidationError({"capacity": f"capacity must be 0 or more, got {capacity!r}"})
    existing = CapacityRecord.objects.filter(producer=producer, valid_from=valid_from).first()
    if existing is not None:
        if float(existing.capacity) != float(capacity) or existing.event != (event or ""):
            raise ValidationError(
                {
                    "capacity": ValidationError(
                        f"{producer.code} already has capacity {existing.capacity:g} "
                        f"({existing.event or 'as registered'}) from {valid_from}; capacity "
                        "records are never rewritten: record the change from the date it "
                        "takes effect",
                        code="capacity_rewrite",
                    )
                }
            )
        if note and note != existing.note:
            before = snapshot(existing)
            existing.note = note
            save_audited(existing, before, actor=actor, origin=origin, update_fields=["note"], clean=False)
            return existing, UPDATED
        return existing, UNCHANGED
    record = CapacityRecord(producer=producer, valid_from=valid_from, capacity=float(capacity), event=event, note=note)
    save_audited(record, None, actor=actor, origin=origin)
    return record, CREATED


@transaction.atomic
def do_set_panel_membership(
    producer: Producer | str,
    first_period: date | str,
    last_period: date | str | None = None,
    *,
    actor: Actor,
    origin: str = "",
) -> tuple[PanelMembership, str]:
    """Put a producer in the panel from ``first_period`` to ``last_period`` (None: open).

    A membership starting in the same month is updated (that is how a producer leaves the
    panel: its open membership gets a last period); any other overlap is refused.
    """
    require(actor, "edit_register")
    producer = as_producer(producer, for_update=True)
    first = as_period(first_period, "first_period")
    last = as_period(last_period, "last_period") if last_period is not None else None
    if last is not None and last < first:
        raise ValidationError({"last_period": f"the membership ends ({last:%Y-%m}) before it starts ({first:%Y-%m})"})
    memberships = list(PanelMembership.objects.filter(producer=producer))
    same_start = next((m for m in memberships if m.first_period == first), None)
    for other in memberships:
        if other is not same_start and other.overlaps(first, last):
            span = f"{first:%Y-%m}..{last:%Y-%m}" if last else f"{first:%Y-%m}.."
            raise ValidationError({"first_period": f"{producer.code}: {span} overlaps its panel membership {other}"})
    if same_start is not None:
        if same_start.last_period == last:
            return same_start, UNCHANGED
        before = snapshot(same_start)
        same_start.last_period = last
        save_audited(
            same_start,
            before,
            actor=actor,
            origin=origin,
            update_fields=["last_period"],
            clean=False,
        )
        return same_start, UPDATED
    membership = PanelMembership.objects.create(producer=producer, first_period=first, last_period=last)
    record_change(
        membership,
        AuditAction.CREATE,
        before=None,
        after=snapshot(membership),
        actor=actor,
        origin=origin,
    )
    return membership, CREATED
