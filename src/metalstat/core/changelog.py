"""Writing the change log: snapshots of objects and one AuditEntry per change.

The ``do_*`` actions call :func:`record_change` themselves; edits made in the Django admin go
through ``core.admin.AuditedModelAdmin``, a ModelAdmin mixin that snapshots the object before
and after the save (a mixin rather than model save hooks, so bulk work done by actions is
logged once, by the action, with its real actor and source).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models

from metalstat.core.choices import AuditAction
from metalstat.core.models import AuditEntry

# Who acted: a user, or a name for tools acting on their own (e.g. "import", "demo").
Actor = AbstractBaseUser | AnonymousUser | str

# Bookkeeping columns left out of snapshots: they change on every save and say nothing.
_SKIPPED = {"created_at", "updated_at"}


def actor_name(actor: Actor) -> str:
    if isinstance(actor, str):
        if not actor.strip():
            raise ValueError("an action needs a named actor")
        return actor.strip()
    if isinstance(actor, AnonymousUser) or not actor.is_authenticated:
        raise ValueError("an anonymous user cannot change data")
    return actor.get_username()


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def snapshot(obj: models.Model, *, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """The object's stored fields as JSON values (foreign keys as their ids)."""
    skip = _SKIPPED | set(exclude)
    return {
        f.attname: _jsonable(getattr(obj, f.attname))
        for f in obj._meta.concrete_fields
        if f.attname not in skip and not f.primary_key
    }


def model_label(obj: models.Model | type[models.Model]) -> str:
    return obj._meta.label_lower


def audit_entry(
    obj: models.Model,
    action: str,
    *,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    actor: Actor,
    origin: str = "",
    object_id: str | None = None,
) -> AuditEntry:
    """An unsaved AuditEntry (for bulk_create); :func:`record_change` saves one."""
    return AuditEntry(
        actor=actor_name(actor),
        action=AuditAction(action).value,
        model=model_label(obj),
        object_id=object_id if object_id is not None else str(obj.pk),
        object_repr=str(obj)[:200],
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None,
        source=origin[:255],
    )


def record_change(
    obj: models.Model,
    action: str,
    *,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    actor: Actor,
    origin: str = "",
    object_id: str | None = None,
) -> AuditEntry:
    entry = audit_entry(obj, action, before=before, after=after, actor=actor, origin=origin, object_id=object_id)
    entry.save()
    return entry


def save_audited(
    obj: models.Model,
    before: Mapping[str, Any] | None,
    *,
    actor: Actor,
    origin: str = "",
    update_fields: Iterable[str] | None = None,
    clean: bool = True,
    object_id: str | None = None,
) -> None:
    """Save ``obj`` and log the change: a create when ``before`` is None, else an update from
    ``before`` (a snapshot taken before the fields were set). ``object_id``: the history it
    belongs to, when not the object's key."""
    if clean:
        obj.full_clean()
    obj.save(update_fields=update_fields)
    record_change(
        obj,
        AuditAction.CREATE if before is None else AuditAction.UPDATE,
        before=before,
        after=snapshot(obj),
        actor=actor,
        origin=origin,
        object_id=object_id,
    )


def history(obj: models.Model, object_id: str | None = None) -> models.QuerySet[AuditEntry]:
    """The change log of one object, oldest first."""
    return AuditEntry.objects.filter(
        model=model_label(obj), object_id=object_id if object_id is not None else str(obj.pk)
    ).order_by("at", "id")
