"""The admin's side of the change log: audited saves and deletes, and the read-only log."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from metalstat.core.changelog import Actor, audit_entry, record_change, snapshot
from metalstat.core.choices import AuditAction
from metalstat.core.models import AuditEntry


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes write AuditEntry rows with before and after."""

    def _actor(self, request: HttpRequest) -> Actor:
        return request.user if request.user.is_authenticated else "admin"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = None
        if change and obj.pk is not None:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = snapshot(stored) if stored is not None else None
        super().save_model(request, obj, form, change)
        after = snapshot(obj)
        if before == after:
            return
        record_change(
            obj,
            AuditAction.UPDATE if change else AuditAction.CREATE,
            before=before,
            after=after,
            actor=self._actor(request),
            origin="admin",
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        entry = audit_entry(
            obj,
            AuditAction.DELETE,
            before=snapshot(obj),
            after=None,
            actor=self._actor(request),
            origin="admin",
        )
        super().delete_model(request, obj)
        entry.save()

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        entries = [
            audit_entry(
                obj,
                AuditAction.DELETE,
                before=snapshot(obj),
                after=None,
                actor=self._actor(request),
                origin="admin",
            )
            for obj in queryset
        ]
        super().delete_queryset(request, queryset)
        AuditEntry.objects.bulk_create(entries)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "model", "object_repr", "source")
    list_filter = ("action", "model", "actor")
    search_fields = ("actor", "object_id", "object_repr", "source")
    date_hierarchy = "at"
    readonly_fields = tuple(f.name for f in AuditEntry._meta.fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
