"""No lost updates: an edit names the version it started from, and an action refuses it when
someone else saved the object since, saying who changed what.

A version is a short text the form carries along: a return's revision number, a producer's or
a commentary's last save time (:func:`version_of`); ``""`` stands for "did not exist yet".
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from metalstat.core.models import AuditEntry


def version_of(obj: models.Model | None) -> str:
    """The version of an object with an ``updated_at`` field ("" for none)."""
    if obj is None:
        return ""
    stamp = getattr(obj, "updated_at", None)
    return stamp.isoformat() if stamp is not None else ""


def _show(value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


class Conflict(ValidationError):
    """Someone else saved the object after the editor opened it: nothing was written. Carries
    that change (``entry``: the last AuditEntry of the object, if any)."""

    def __init__(self, what: str, entry: AuditEntry | None) -> None:
        self.entry = entry
        if entry is None:
            text = f"{what} was changed by someone else since you opened it"
        else:
            before, after = entry.before or {}, entry.after or {}
            changed = [
                f"{k}: {_show(before.get(k))} → {_show(after.get(k))}"
                for k in entry.changed_fields()
                if k not in {"revision", "collected_at", "collected_by", "author"}
            ]
            text = f"{what} was changed by {entry.actor} at {entry.at:%Y-%m-%d %H:%M %Z} since you opened it"
            if changed:
                text += " (" + "; ".join(changed) + ")"
        super().__init__(text + ". Nothing was saved: reload to see their change, then apply yours again.")


def last_change(model_label: str, object_id: str) -> AuditEntry | None:
    return AuditEntry.objects.filter(model=model_label, object_id=object_id).order_by("-at", "-id").first()


def check_version(what: str, current: str, expected: str | None, *, model_label: str, object_id: str) -> None:
    """Raise Conflict when ``expected`` is given and is not the ``current`` version."""
    if expected is None or str(expected) == current:
        return
    raise Conflict(what, last_change(model_label, object_id))
