"""The change log: who changed which object, when, from what to what."""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from metalstat.core.choices import AuditAction
from metalstat.core.roles import PERMISSIONS


class AuditEntry(models.Model):
    """One change to one stored object, as an analyst or an import made it.

    ``before`` and ``after`` hold the object's fields as they were and became (``None`` for
    the side that did not exist), so a value's history is a query over this table. Entries are
    written by the ``do_*`` actions and by the admin; they are never edited.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.CharField(max_length=150, help_text="user name, or the tool that acted")
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    model = models.CharField(max_length=100, help_text="app_label.model_name")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    source = models.CharField(max_length=255, blank=True, help_text="where the change came from, e.g. an import file")

    class Meta:
        ordering = ("-at", "-id")
        verbose_name_plural = "audit entries"
        indexes = (models.Index(fields=["model", "object_id"], name="audit_object_idx"),)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.model} {self.object_repr}"

    def changed_fields(self) -> list[str]:
        """Fields whose value differs between before and after."""
        before = self.before or {}
        after = self.after or {}
        return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


class Role(models.Model):
    """Not a table: the holder of the office's permissions (``core.roles``), which the
    analysts, editors and administrators groups are given."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = tuple((code, text[0].upper() + text[1:]) for code, text in PERMISSIONS.items())
