"""Write a generated demo panel into an empty database, fast and all-or-nothing.

Rows go in with ``bulk_create`` inside one transaction; the change log gets one summarising
entry per table (actor "demo") rather than one per row, since nothing here is an analyst's
edit: it is the demo's starting register and survey.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from metalstat.demo.generator import DemoData
from metalstat.demo.reasons import ANALYST_NOTES

ACTOR = "demo"
ANALYST = "demo analyst"  # the analysts' notes are signed
BATCH = 2000


class NotEmpty(RuntimeError):
    """The database already holds producers: the demo loads only into an empty one."""


@dataclass(frozen=True)
class Loaded:
    producers: int
    capacity_records: int
    panel_memberships: int
    returns: int
    events: int
    auxiliary_series: int
    auxiliary_observations: int
    confirmations: int


def _blank(v: Any) -> Any:
    return "" if v is None else v


def _insert(model: Any, names: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert many rows of one model in one statement stream (COPY on PostgreSQL, one
    executemany elsewhere): tens of thousands of returns in a second or two, where
    ``bulk_create`` needs hundreds of statements on SQLite. Values are prepared by the model's
    own fields, so the stored rows are exactly what the ORM would store."""
    fields = [model._meta.get_field(n) for n in names]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)

    def prepared() -> Iterable[tuple[Any, ...]]:
        for row in rows:
            yield tuple(f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True))

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in prepared():
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            # Quoted names from the model's metadata; the values are parameters.
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
            # django-stubs ask for a Sequence; Django and sqlite3 take any iterable of rows.
            cursor.executemany(sql, prepared())  # type: ignore[arg-type]


@transaction.atomic
def load(data: DemoData, *, progress: Callable[[str, int], None] | None = None) -> Loaded:
    """Insert the panel; raises NotEmpty (and writes nothing) if producers already exist."""
    from metalstat.core.choices import AuditAction
    from metalstat.core.models import AuditEntry
    from metalstat.registry.models import CapacityRecord, PanelMembership, Producer
    from metalstat.releases.actions import do_set_commentary
    from metalstat.survey.actions import do_record_auxiliary_outlook, do_upsert_auxiliary_series
    from metalstat.survey.models import (
        AuxiliaryObservation,
        AuxiliarySeries,
        MaintenanceEvent,
        SurveyReturn,
        ValidationConfirmation,
    )

    if Producer.objects.exists():
        raise NotEmpty("the database already holds producers; the demo needs an empty one")

    def step(name: str, n: int) -> None:
        if progress is not None:
            progress(name, n)

    source = f"metalstat demo (seed {data.seed})"
    Producer.objects.bulk_create(
        [
            Producer(
                code=r["producer_id"],
                name=r["name"],
                name_zh=r["name_zh"],
                product=r["product"],
                province=_blank(r["province"]),
                region=_blank(r["region"]),
                nature=_blank(r["nature"]),
                feedstock=_blank(r["feedstock"]),
                country=r["country"],
                notes="Fictional producer of the metalstat demo.",
            )
            for r in data.producers.iter_rows(named=True)
        ],
        batch_size=BATCH,
    )
    step("producers", data.producers.height)
    ids = dict(Producer.objects.values_list("code", "pk"))
    CapacityRecord.objects.bulk_create(
        [
            CapacityRecord(
                producer_id=ids[r["producer_id"]],
                valid_from=r["valid_from"],
                capacity=r["capacity"],
                event=_blank(r["event"]),
                note=_blank(r["note"]),
            )
            for r in data.capacity.iter_rows(named=True)
        ],
        batch_size=BATCH,
    )
    step("capacity records", data.capacity.height)
    PanelMembership.objects.bulk_create(
        [
            PanelMembership(
                producer_id=ids[r["producer_id"]], first_period=r["first_period"], last_period=r["last_period"]
            )
            for r in data.panel.iter_rows(named=True)
        ],
        batch_size=BATCH,
    )
    step("panel memberships", data.panel.height)
    parts: dict[tuple[str, Any], dict[str, dict[str, float]]] = defaultdict(dict)
    for pid, period, dim, value, qty in data.return_parts.iter_rows():
        parts[(pid, period)].setdefault(dim, {})[value] = qty
    planned: dict[tuple[str, Any], dict[str, dict[str, float]]] = defaultdict(dict)
    for pid, period, dim, value, qty in data.schedule_parts.iter_rows():
        planned[(pid, period)].setdefault(dim, {})[value] = qty
    now = timezone.now()
    _insert(
        SurveyReturn,
        (
            "producer",
            "period",
            "revision",
            "output",
            "output_metal",
            "schedule",
            "schedule_metal",
            "schedule_after_next",
            "operating_capacity",
            "schedule_operating_capacity",
            "status",
            "breakdown",
            "schedule_breakdown",
            "reason",
            "source",
            "collected_at",
            "collected_by",
            "created_at",
        ),
        (
            (
                ids[r["producer_id"]],
                r["period"],
                1,
                r["output"],
                r["output_metal"],
                r["schedule"],
                r["schedule_metal"],
                r["schedule_after_next"],
                r["operating_capacity"],
                r["schedule_operating_capacity"],
                r["status"],
                parts.get((r["producer_id"], r["period"]), {}),
                planned.get((r["producer_id"], r["period"]), {}),
                _blank(r["reason"]),
                r["source"],
                r["collected_at"],
                r["collected_by"],
                now,
            )
            for r in data.returns.iter_rows(named=True)
        ),
    )
    step("returns", data.returns.height)
    MaintenanceEvent.objects.bulk_create(
        [
            MaintenanceEvent(
                producer_id=ids[r["producer_id"]],
                start=r["start"],
                end=r["end"],
                capacity_affected=r["capacity_affected"],
                reason=r["reason"],
                planned=r["planned"],
                description=_blank(r["description"]),
            )
            for r in data.events.iter_rows(named=True)
        ],
        batch_size=BATCH,
    )
    step("maintenance events", data.events.height)
    AuxiliarySeries.objects.bulk_create(
        [
            AuxiliarySeries(
                code=r["code"],
                name=r["name"],
                name_zh=_blank(r["name_zh"]),
                unit=r["unit"],
                kind=r["kind"],
                product=_blank(r["product"]),
                description=_blank(r["description"]),
                highlighted=r["highlighted"],
            )
            for r in data.auxiliary_series.iter_rows(named=True)
        ],
        batch_size=BATCH,
    )
    series_ids = dict(AuxiliarySeries.objects.values_list("code", "pk"))
    AuxiliaryObservation.objects.bulk_create(
        [
            AuxiliaryObservation(
                series_id=series_ids[r["series"]], date=r["date"], value=r["value"], note=_blank(r["note"])
            )
            for r in data.auxiliary_observations.iter_rows(named=True)
        ],
        batch_size=BATCH,
    )
    # A share names its numerator and denominator, and the analysts' outlooks are entered,
    # through the actions (checked and audited one by one).
    for r in data.auxiliary_series.iter_rows(named=True):
        if r.get("numerator"):
            do_upsert_auxiliary_series(
                r["code"], numerator=r["numerator"], denominator=r["denominator"], actor=ACTOR, origin=source
            )
    for r in data.auxiliary_outlooks.iter_rows(named=True):
        do_record_auxiliary_outlook(
            r["series"],
            r["month"],
            r["value"],
            source=r["source"],
            detail=r["detail"],
            detail_zh=r["detail_zh"],
            actor=ACTOR,
            origin=source,
        )
    for note in ANALYST_NOTES:
        for language in ("en", "zh"):
            do_set_commentary(
                note.month,
                note.product,
                note.slot,
                getattr(note, language),
                language=language,
                mode="before",
                actor=ANALYST,
                origin=source,
            )
    step("auxiliary series", data.auxiliary_series.height)
    ValidationConfirmation.objects.bulk_create(
        [
            ValidationConfirmation(
                producer_id=ids[r["producer_id"]],
                period=r["period"],
                rule=r["rule"],
                reason=r["reason"],
                confirmed_by=r["confirmed_by"],
            )
            for r in data.confirmations.iter_rows(named=True)
        ],
        batch_size=BATCH,
    )
    counts = Loaded(
        producers=data.producers.height,
        capacity_records=data.capacity.height,
        panel_memberships=data.panel.height,
        returns=data.returns.height,
        events=data.events.height,
        auxiliary_series=data.auxiliary_series.height,
        auxiliary_observations=data.auxiliary_observations.height,
        confirmations=data.confirmations.height,
    )
    for model, n in (
        (Producer, counts.producers),
        (CapacityRecord, counts.capacity_records),
        (PanelMembership, counts.panel_memberships),
        (SurveyReturn, counts.returns),
        (MaintenanceEvent, counts.events),
        (AuxiliarySeries, counts.auxiliary_series),
        (AuxiliaryObservation, counts.auxiliary_observations),
        (ValidationConfirmation, counts.confirmations),
    ):
        AuditEntry.objects.create(
            actor=ACTOR,
            action=AuditAction.CREATE,
            model=model._meta.label_lower,
            object_id="*",
            object_repr=f"{n} rows of the demo panel",
            before=None,
            after={"rows": n, "seed": data.seed},
            source=source,
        )
    return counts
