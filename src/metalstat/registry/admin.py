"""Admin pages of the register. Every save and delete is logged (see AuditedModelAdmin)."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from typing_extensions import override

from metalstat.core.admin import AuditedModelAdmin, TabularInline
from metalstat.registry.models import CapacityRecord, PanelMembership, Producer


class _ReadOnlyInline(TabularInline[models.Model, Producer]):
    """History shown on the producer's page; it is changed on its own pages (and logged)."""

    extra = 0
    can_delete = False
    show_change_link = True

    @override
    def has_add_permission(self, request: HttpRequest, obj: Producer | None = None) -> bool:
        return False

    @override
    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


class CapacityInline(_ReadOnlyInline):
    model = CapacityRecord
    fields = ("valid_from", "capacity", "event", "note")


class PanelInline(_ReadOnlyInline):
    model = PanelMembership
    fields = ("first_period", "last_period")


@admin.register(Producer)
class ProducerAdmin(AuditedModelAdmin[Producer]):
    list_display = ("code", "name", "product", "province", "region", "nature", "feedstock")
    list_filter = ("product", "region", "nature", "country")
    search_fields = ("code", "name", "name_zh", "province")
    readonly_fields = ("created_at", "updated_at")
    inlines = (CapacityInline, PanelInline)


@admin.register(CapacityRecord)
class CapacityRecordAdmin(AuditedModelAdmin[CapacityRecord]):
    list_display = ("producer", "valid_from", "capacity", "event")
    list_filter = ("event", "producer__product")
    search_fields = ("producer__code", "producer__name", "note")
    list_select_related = ("producer",)
    autocomplete_fields = ("producer",)
    date_hierarchy = "valid_from"

    @override
    def get_readonly_fields(self, request: HttpRequest, obj: CapacityRecord | None = None) -> tuple[str, ...]:
        # A stored record is history: only its note can be amended; changes are new records.
        if obj is not None:
            return ("producer", "valid_from", "capacity", "event", "created_at")
        return ("created_at",)


@admin.register(PanelMembership)
class PanelMembershipAdmin(AuditedModelAdmin[PanelMembership]):
    list_display = ("producer", "first_period", "last_period")
    list_filter = ("producer__product", "first_period", "last_period")
    search_fields = ("producer__code", "producer__name")
    list_select_related = ("producer",)
    autocomplete_fields = ("producer",)
