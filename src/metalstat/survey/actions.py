"""The only ways survey data changes: returns, events, auxiliary observations, confirmations.

Every function is atomic, takes keyword-only ``actor`` and an optional ``origin`` (where the
change came from, e.g. an import file's name) and writes one AuditEntry per change with the
values before and after. A return is never overwritten: a changed answer is a new revision.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from metalstat.catalog import Product, load_catalog
from metalstat.catalog.vocabulary import (
    EVENT_REASONS,
    RETURN_BREAKDOWNS,
    RETURN_QUANTITIES,
    RETURN_SOURCES,
    RETURN_STATUSES,
)
from metalstat.core.changelog import (
    Actor,
    actor_name,
    audit_entry,
    model_label,
    record_change,
    save_audited,
    snapshot,
)
from metalstat.core.choices import AuditAction
from metalstat.core.concurrency import check_version, version_of
from metalstat.core.models import AuditEntry
from metalstat.core.outcomes import CREATED, REVISED, UNCHANGED, UPDATED
from metalstat.core.periods import as_date, as_period
from metalstat.core.roles import require
from metalstat.registry.actions import as_producer
from metalstat.registry.models import Producer
from metalstat.survey.models import (
    AuxiliaryObservation,
    AuxiliaryOutlook,
    AuxiliarySeries,
    FindingFollowUp,
    MaintenanceEvent,
    SurveyReturn,
    ValidationConfirmation,
)
from metalstat.survey.models.returns import RETURN_VALUE_FIELDS

_CHUNK = 500  # producers per lookup query, well under every backend's parameter limit


@dataclass(frozen=True)
class ReturnValues:
    """One producer's answer for one month, as handed to :func:`do_record_returns`."""

    producer: str  # producer code
    period: date | str  # first of the month, or "YYYY-MM"
    output: float | None = None
    output_metal: float | None = None
    schedule: float | None = None
    schedule_metal: float | None = None
    schedule_after_next: float | None = None
    operating_capacity: float | None = None
    schedule_operating_capacity: float | None = None
    status: str = "normal"
    breakdown: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    # The next month's schedule by breakdown: the same dimensions and values as breakdown.
    schedule_breakdown: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    reason: str = ""
    collected_at: datetime | None = None
    collected_by: str = ""
    # The revision the editor started from (0: no return yet); None: no check.
    expected_revision: int | None = None


def return_key(code: str, period: date) -> str:
    """The AuditEntry object id of a return: one history across all its revisions."""
    return f"{code}/{period:%Y-%m}"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


def _quantity(raw: Any, label: str, rule: str, problems: list[str]) -> float | None:
    """A finite number of 0 or more, or None with the problem noted."""
    try:
        number = float(raw)
    except (TypeError, ValueError):
        problems.append(f"{label}: {raw!r} is not a number")
        return None
    if not math.isfinite(number) or number < 0:
        problems.append(f"{label}: {raw!r} must be {rule}")
        return None
    return number


def clean_return_values(row: ReturnValues, product: Product) -> tuple[dict[str, Any], list[str]]:
    """The row's values normalised for storage, and what is wrong with them."""
    problems: list[str] = []
    values: dict[str, Any] = {}
    for name in RETURN_QUANTITIES:
        raw = getattr(row, name)
        if raw is None:
            values[name] = None
            continue
        number = _quantity(raw, name, "a number of 0 or more", problems)
        if number is not None:
            values[name] = number
    if row.status not in RETURN_STATUSES:
        problems.append(f"status: {row.status!r} is not one of {', '.join(RETURN_STATUSES)}")
    values["status"] = row.status
    values["reason"] = (row.reason or "").strip()
    for name in RETURN_BREAKDOWNS:
        values[name] = _clean_parts(name, getattr(row, name), product, problems)
    return values, problems


def _clean_parts(
    label: str, given: Mapping[str, Mapping[str, float]] | None, product: Product, problems: list[str]
) -> dict[str, dict[str, float]]:
    """Breakdown quantities (actual or planned) normalised: the product's return dimensions
    and values only, numbers of 0 or more, empty parts left out."""
    breakdown: dict[str, dict[str, float]] = {}
    return_dims = {d.name: d for d in product.dimensions if d.source == "return"}
    for dim, parts in (given or {}).items():
        dimension = return_dims.get(dim)
        if dimension is None:
            known = ", ".join(return_dims) or "none"
            problems.append(f"{label}: {product.code} has no reported dimension {dim!r} (it has: {known})")
            continue
        allowed = dimension.value_names()
        cleaned: dict[str, float] = {}
        for value, quantity in (parts or {}).items():
            if value not in allowed:
                problems.append(f"{label} {dim}: {value!r} is not one of {', '.join(allowed)}")
                continue
            if quantity is None:
                continue
            number = _quantity(quantity, f"{label} {dim}={value}", "0 or more", problems)
            if number is not None:
                cleaned[value] = number
        if cleaned:
            breakdown[dim] = cleaned
    return breakdown


def _producers_by_code(codes: Sequence[str]) -> dict[str, Producer]:
    found: dict[str, Producer] = {}
    unique = sorted(set(codes))
    for i in range(0, len(unique), _CHUNK):
        for p in Producer.objects.filter(code__in=unique[i : i + _CHUNK]):
            found[p.code] = p
    return found


def _current_returns(producer_ids: Sequence[int], periods: Sequence[date]) -> dict[tuple[int, date], SurveyReturn]:
    found: dict[tuple[int, date], SurveyReturn] = {}
    ids = sorted(set(producer_ids))
    for i in range(0, len(ids), _CHUNK):
        qs = SurveyReturn.objects.current().filter(producer_id__in=ids[i : i + _CHUNK], period__in=sorted(set(periods)))
        for r in qs:
            found[(r.producer_id, r.period)] = r
    return found


@transaction.atomic
def do_record_returns(rows: Iterable[ReturnValues], *, actor: Actor, source: str, origin: str = "") -> list[str]:
    """Record many returns at once: what happened to each row, in order.

    For each row: ``"created"`` (first answer for that producer and month), ``"revised"``
    (the answer changed: a new revision is stored, the old one kept) or ``"unchanged"``
    (nothing is written). ``source`` is how the answers were collected (phone, field,
    spreadsheet, api). All rows are checked first; any problem raises one ValidationError
    listing every problem, and nothing is written. A handful of queries whatever the count.
    """
    require(actor, "record_returns")
    if source not in RETURN_SOURCES:
        raise ValidationError(
            {
                "source": f"{source!r} is not a collection channel ({', '.join(RETURN_SOURCES)}); "
                "pass a file name as origin="
            }
        )
    who = actor_name(actor)
    rows = list(rows)
    problems: list[str] = []
    periods: list[date] = []
    for row in rows:
        try:
            periods.append(as_period(row.period))
        except ValidationError as exc:
            problems.append(f"{row.producer} {row.period}: {'; '.join(exc.messages)}")
            periods.append(date.min)
    producers = _producers_by_code([r.producer for r in rows])
    catalog = load_catalog()
    seen: set[tuple[str, date]] = set()
    cleaned: list[dict[str, Any]] = []
    for row, period in zip(rows, periods, strict=True):
        where = f"{row.producer} {period:%Y-%m}" if period != date.min else row.producer
        if (row.producer, period) in seen:
            problems.append(f"{where}: given twice")
        seen.add((row.producer, period))
        producer = producers.get(row.producer)
        if producer is None:
            problems.append(f"{where}: no producer with code {row.producer!r}")
            cleaned.append({})
            continue
        values, row_problems = clean_return_values(row, catalog.get(producer.product))
        problems.extend(f"{where}: {p}" for p in row_problems)
        cleaned.append(values)
    if problems:
        raise ValidationError(problems)

    current = _current_returns([producers[r.producer].pk for r in rows], periods)
    now = timezone.now()
    outcomes: list[str] = []
    new_returns: list[SurveyReturn] = []
    entries: list[AuditEntry] = []
    for row, period in zip(rows, periods, strict=True):
        previous = current.get((producers[row.producer].pk, period))
        check_version(
            f"the return of {row.producer} for {period:%Y-%m}",
            str(previous.revision if previous is not None else 0),
            None if row.expected_revision is None else str(row.expected_revision),
            model_label=model_label(SurveyReturn),
            object_id=return_key(row.producer, period),
        )
    for row, period, values in zip(rows, periods, cleaned, strict=True):
        producer = producers[row.producer]
        previous = current.get((producer.pk, period))
        if previous is not None and all(_same(getattr(previous, f), values[f]) for f in RETURN_VALUE_FIELDS):
            outcomes.append(UNCHANGED)
            continue
        revision = SurveyReturn(
            producer=producer,
            period=period,
            revision=previous.revision + 1 if previous is not None else 1,
            source=source,
            collected_at=row.collected_at or now,
            collected_by=row.collected_by or who,
            **values,
        )
        new_returns.append(revision)
        entries.append(
            audit_entry(
                revision,
                AuditAction.UPDATE if previous is not None else AuditAction.CREATE,
                before=snapshot(previous) if previous is not None else None,
                after=snapshot(revision),
                actor=who,
                origin=origin,
                object_id=return_key(producer.code, period),
            )
        )
        outcomes.append(REVISED if previous is not None else CREATED)
    SurveyReturn.objects.bulk_create(new_returns, batch_size=1000)
    AuditEntry.objects.bulk_create(entries, batch_size=1000)
    return outcomes


def do_record_return(
    producer: Producer | str,
    period: date | str,
    *,
    output: float | None = None,
    output_metal: float | None = None,
    schedule: float | None = None,
    schedule_metal: float | None = None,
    schedule_after_next: float | None = None,
    operating_capacity: float | None = None,
    schedule_operating_capacity: float | None = None,
    status: str = "normal",
    breakdown: Mapping[str, Mapping[str, float]] | None = None,
    schedule_breakdown: Mapping[str, Mapping[str, float]] | None = None,
    reason: str = "",
    collected_at: datetime | None = None,
    collected_by: str = "",
    actor: Actor,
    source: str,
    origin: str = "",
    expected_revision: int | None = None,
) -> str:
    """Record one producer's answer for one month: ``"created"``, ``"revised"`` or
    ``"unchanged"`` (see :func:`do_record_returns`)."""
    code = producer.code if isinstance(producer, Producer) else producer
    row = ReturnValues(
        producer=code,
        period=period,
        output=output,
        output_metal=output_metal,
        schedule=schedule,
        schedule_metal=schedule_metal,
        schedule_after_next=schedule_after_next,
        operating_capacity=operating_capacity,
        schedule_operating_capacity=schedule_operating_capacity,
        status=status,
        breakdown=breakdown or {},
        schedule_breakdown=schedule_breakdown or {},
        reason=reason,
        collected_at=collected_at,
        collected_by=collected_by,
        expected_revision=expected_revision,
    )
    return do_record_returns([row], actor=actor, source=source, origin=origin)[0]


M = TypeVar("M", bound=models.Model)


def _locked_or_new(model: type[M], **key: Any) -> tuple[M, bool, dict[str, Any] | None]:
    """The row of ``model`` with ``key``, locked for this transaction, or a new unsaved one;
    whether it is new; and its snapshot before the action changes it (None when new)."""
    found = model._default_manager.select_for_update().filter(**key).first()
    if found is None:
        return model(**key), True, None
    return found, False, snapshot(found)


def _finite(value: Any, field: str = "value") -> float:
    """``value`` as a finite number, or a ValidationError naming ``field``."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError({field: f"{value!r} is not a number"}) from None
    if not math.isfinite(number):
        raise ValidationError({field: f"{value!r} is not a finite number"})
    return number


def _upsert(
    model_obj: Any,
    created: bool,
    before: dict[str, Any] | None,
    *,
    actor: Actor,
    origin: str,
) -> str:
    """Save an object built or changed by an action and log it; returns what happened."""
    if not created and snapshot(model_obj) == before:
        return UNCHANGED
    model_obj.full_clean()
    model_obj.save()
    record_change(
        model_obj,
        AuditAction.CREATE if created else AuditAction.UPDATE,
        before=before,
        after=snapshot(model_obj),
        actor=actor,
        origin=origin,
    )
    return CREATED if created else UPDATED


@transaction.atomic
def do_record_event(
    producer: Producer | str,
    start: date | str,
    *,
    reason: str,
    end: date | str | None = None,
    capacity_affected: float | None = None,
    planned: bool = True,
    description: str = "",
    actor: Actor,
    origin: str = "",
) -> tuple[MaintenanceEvent, str]:
    """Record a stop or cut; the same producer, start and reason again updates that event
    (e.g. its end date once known)."""
    require(actor, "record_returns")
    producer = as_producer(producer)
    start = as_date(start, "start")
    end = as_date(end, "end") if end is not None else None
    if reason not in EVENT_REASONS:
        raise ValidationError({"reason": f"{reason!r} is not one of {', '.join(EVENT_REASONS)}"})
    if end is not None and end < start:
        raise ValidationError({"end": f"the event ends ({end}) before it starts ({start})"})
    if capacity_affected is not None and capacity_affected < 0:
        raise ValidationError({"capacity_affected": f"{capacity_affected!r} must be 0 or more"})
    event, created, before = _locked_or_new(MaintenanceEvent, producer=producer, start=start, reason=reason)
    event.end = end
    event.capacity_affected = capacity_affected
    event.planned = planned
    event.description = description
    return event, _upsert(event, created, before, actor=actor, origin=origin)


_SERIES_FIELDS = ("name", "name_zh", "unit", "kind", "product", "description", "highlighted")
_SHARE_FIELDS = ("numerator", "denominator")  # codes of other series (a share of two flows)


def _series(code: AuxiliarySeries | str, field: str = "series") -> AuxiliarySeries:
    if isinstance(code, AuxiliarySeries):
        return code
    found = AuxiliarySeries.objects.filter(code=code).first()
    if found is None:
        raise ValidationError({field: f"no auxiliary series with code {code!r}"})
    return found


@transaction.atomic
def do_upsert_auxiliary_series(
    code: str, *, actor: Actor, origin: str = "", **fields: Any
) -> tuple[AuxiliarySeries, str]:
    """Create the auxiliary series ``code`` or change the given fields of it."""
    require(actor, "record_returns")
    unknown = set(fields) - set(_SERIES_FIELDS) - set(_SHARE_FIELDS)
    if unknown:
        raise TypeError(f"unknown auxiliary series field(s): {', '.join(sorted(unknown))}")
    series, created, before = _locked_or_new(AuxiliarySeries, code=code)
    for name, value in fields.items():
        if name in _SHARE_FIELDS:
            value = _series(value, name) if value else None
        setattr(series, name, value)
    return series, _upsert(series, created, before, actor=actor, origin=origin)


@transaction.atomic
def do_record_auxiliary_outlook(
    series: AuxiliarySeries | str,
    month: date | str,
    value: float,
    *,
    source: str,
    detail: str = "",
    detail_zh: str = "",
    actor: Actor,
    origin: str = "",
) -> tuple[AuxiliaryOutlook, str]:
    """An analyst's expected value of a market series for ``month`` (YYYY-MM), with its source
    (one of ``AuxiliaryOutlook.SOURCES``, and what it is in both languages); a second entry for
    the same month replaces the first, and both stay in the audit log."""
    require(actor, "write_commentary")
    found = _series(series)
    on = as_period(month, "month")
    number = _finite(value)
    outlook, created, before = _locked_or_new(AuxiliaryOutlook, series=found, month=on)
    outlook.value = number
    outlook.source, outlook.detail, outlook.detail_zh = source, detail.strip(), detail_zh.strip()
    if created or snapshot(outlook) != before:
        outlook.entered_by = actor_name(actor)
    return outlook, _upsert(outlook, created, before, actor=actor, origin=origin)


@transaction.atomic
def do_record_auxiliary_observation(
    series: AuxiliarySeries | str,
    on: date | str,
    value: float,
    *,
    note: str = "",
    actor: Actor,
    origin: str = "",
) -> tuple[AuxiliaryObservation, str]:
    """Record a series' value on a date; a different value for the same date updates it."""
    require(actor, "record_returns")
    series = _series(series)
    on = as_date(on, "date")
    number = _finite(value)
    obs, created, before = _locked_or_new(AuxiliaryObservation, series=series, date=on)
    obs.value = number
    obs.note = note
    return obs, _upsert(obs, created, before, actor=actor, origin=origin)


@transaction.atomic
def do_confirm_warning(
    producer: Producer | str,
    period: date | str,
    rule: str,
    *,
    reason: str,
    actor: Actor,
    origin: str = "",
) -> tuple[ValidationConfirmation, str]:
    """An analyst confirms a validation warning with a reason, so it no longer holds the cycle."""
    require(actor, "confirm_findings")
    producer = as_producer(producer)
    period = as_period(period)
    if not (reason or "").strip():
        raise ValidationError({"reason": "a confirmation needs the reason the value stands"})
    if not (rule or "").strip():
        raise ValidationError({"rule": "name the validation rule being confirmed"})
    confirmation = (
        ValidationConfirmation.objects.select_for_update().filter(producer=producer, period=period, rule=rule).first()
    )
    created = confirmation is None
    if confirmation is None:
        confirmation = ValidationConfirmation(producer=producer, period=period, rule=rule)
        before = None
    else:
        before = snapshot(confirmation, exclude=("confirmed_at",))
        if confirmation.reason == reason.strip():
            return confirmation, UNCHANGED
    confirmation.reason = reason.strip()
    confirmation.confirmed_by = actor_name(actor)
    confirmation.confirmed_at = timezone.now()
    save_audited(confirmation, before, actor=actor, origin=origin)
    return confirmation, CREATED if created else UPDATED


@transaction.atomic
def do_confirm_warnings(
    producers: Sequence[Producer | str],
    period: date | str,
    rule: str,
    *,
    reason: str,
    actor: Actor,
    origin: str = "",
) -> int:
    """Confirm the same rule's warning on many producers' returns of a month with one reason
    (all or none); returns how many confirmations were created or changed."""
    require(actor, "confirm_findings")
    changed = 0
    for producer in producers:
        _, outcome = do_confirm_warning(producer, period, rule, reason=reason, actor=actor, origin=origin)
        changed += outcome != UNCHANGED
    return changed


@transaction.atomic
def do_withdraw_confirmation(
    producer: Producer | str, period: date | str, rule: str, *, actor: Actor, origin: str = ""
) -> bool:
    """Take back a confirmation (the warning holds the cycle again); False if there was none."""
    require(actor, "confirm_findings")
    producer = as_producer(producer)
    period = as_period(period)
    confirmation = ValidationConfirmation.objects.filter(producer=producer, period=period, rule=rule).first()
    if confirmation is None:
        return False
    record_change(
        confirmation,
        AuditAction.DELETE,
        before=snapshot(confirmation),
        after=None,
        actor=actor,
        origin=origin,
    )
    confirmation.delete()
    return True


def follow_up_key(code: str, period: date, rule: str) -> str:
    """The AuditEntry object id of a finding's follow-up: one history across marks and clears."""
    return f"{code}/{period:%Y-%m}/{rule}"


def _locked_follow_up(
    producer: Producer, period: date, rule: str, expected_version: str | None
) -> FindingFollowUp | None:
    found = FindingFollowUp.objects.select_for_update().filter(producer=producer, period=period, rule=rule).first()
    check_version(
        f"the follow-up of {rule} on {producer.code} for {period:%Y-%m}",
        version_of(found),
        expected_version,
        model_label=model_label(FindingFollowUp),
        object_id=follow_up_key(producer.code, period, rule),
    )
    return found


@transaction.atomic
def do_mark_follow_up(
    producer: Producer | str,
    period: date | str,
    rule: str,
    *,
    note: str,
    actor: Actor,
    origin: str = "",
    expected_version: str | None = None,
) -> tuple[FindingFollowUp, str]:
    """Mark a validation finding of a return for follow-up, with a note (the same finding
    again: the note is replaced). A mark confirms nothing: an error still stops the run and a
    warning still waits for its reason. ``expected_version``: the mark's version the analyst
    saw ("" for none; ``core.concurrency.version_of``); someone's save since: Conflict."""
    require(actor, "confirm_findings")
    producer = as_producer(producer)
    period = as_period(period)
    if not (rule or "").strip():
        raise ValidationError({"rule": "name the validation rule whose finding is followed up"})
    if not (note or "").strip():
        raise ValidationError({"note": "a follow-up needs a note: what is being checked, by whom"})
    mark = _locked_follow_up(producer, period, rule, expected_version)
    if mark is not None and mark.note == note.strip():
        return mark, UNCHANGED
    before = None if mark is None else snapshot(mark)
    mark = mark or FindingFollowUp(producer=producer, period=period, rule=rule)
    mark.note = note.strip()
    mark.marked_by = actor_name(actor)
    mark.updated_at = timezone.now()
    save_audited(mark, before, actor=actor, origin=origin, object_id=follow_up_key(producer.code, period, rule))
    return mark, CREATED if before is None else UPDATED


@transaction.atomic
def do_clear_follow_up(
    producer: Producer | str,
    period: date | str,
    rule: str,
    *,
    actor: Actor,
    origin: str = "",
    expected_version: str | None = None,
) -> bool:
    """Clear a finding's follow-up mark (False if there was none); version-checked as a mark."""
    require(actor, "confirm_findings")
    producer = as_producer(producer)
    period = as_period(period)
    mark = _locked_follow_up(producer, period, rule, expected_version)
    if mark is None:
        return False
    record_change(
        mark,
        AuditAction.DELETE,
        before=snapshot(mark),
        after=None,
        actor=actor,
        origin=origin,
        object_id=follow_up_key(producer.code, period, rule),
    )
    mark.delete()
    return True
