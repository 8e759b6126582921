"""The admin's side of the change log: audited saves and deletes, and the read-only log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from typing_extensions import override

from metalstat.core.changelog import Actor, audit_entry, record_change, snapshot
from metalstat.core.choices import AuditAction
from metalstat.core.models import AuditEntry

_M = TypeVar("_M", bound=models.Model)
_P = TypeVar("_P", bound=models.Model)

# django-stubs declares the admin classes generic in their model (ModelAdmin[Producer]), but
# Django's own classes cannot be subscripted at run time. These are Django's classes for the
# type checker and thin generic subclasses at run time, so admin pages can name their model.
if TYPE_CHECKING:
    ModelAdmin = admin.ModelAdmin
    TabularInline = admin.TabularInline
else:

    class ModelAdmin(admin.ModelAdmin, Generic[_M]):
        """Django's ModelAdmin, subscriptable with its model."""

    class TabularInline(admin.TabularInline, Generic[_M, _P]):
        """Django's TabularInline, subscriptable with its model and its parent's model."""


class AuditedModelAdmin(ModelAdmin[_M]):
    """A ModelAdmin whose saves and deletes write AuditEntry rows with before and after."""

    def _actor(self, request: HttpRequest) -> Actor:
        return request.user if request.user.is_authenticated else "admin"

    @override
    def save_model(self, request: HttpRequest, obj: _M, form: Any, change: bool) -> None:
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

    @override
    def delete_model(self, request: HttpRequest, obj: _M) -> None:
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

    @override
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[_M]) -> None:
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
class AuditEntryAdmin(ModelAdmin[AuditEntry]):
    list_display = ("at", "actor", "action", "model", "object_repr", "source")
    list_filter = ("action", "model", "actor")
    search_fields = ("actor", "object_id", "object_repr", "source")
    date_hierarchy = "at"
    readonly_fields = tuple(f.name for f in AuditEntry._meta.fields)

    @override
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @override
    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    @override
    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False
