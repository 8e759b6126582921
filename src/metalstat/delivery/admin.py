"""Admin pages of the delivery: read-only (alerts and endpoints change through the actions,
deliveries only through the task queue), so analysts can see who was told what, when."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from typing_extensions import override

from metalstat.core.admin import ModelAdmin
from metalstat.delivery.models import AlertPreference, Delivery, DeliveryAttempt, ReleaseSchedule, Webhook


class _ReadOnly(ModelAdmin[Any]):
    @override
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @override
    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    @override
    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


class AttemptInline(admin.TabularInline):  # type: ignore[type-arg]
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("number", "started_at", "at", "outcome", "detail", "worker")

    @override
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(_ReadOnly):
    list_display = ("key", "channel", "status", "attempts", "release_at", "sent_at")
    list_filter = ("channel", "status", "release")
    search_fields = ("key",)
    inlines = (AttemptInline,)


@admin.register(Webhook)
class WebhookAdmin(_ReadOnly):
    list_display = ("url", "subscriber", "active", "consecutive_failures", "disabled_at")
    list_filter = ("active",)
    exclude = ("secret",)


@admin.register(AlertPreference)
class AlertPreferenceAdmin(_ReadOnly):
    list_display = ("subscriber", "language", "email", "products")
    exclude = ("feed_digest",)


@admin.register(ReleaseSchedule)
class ReleaseScheduleAdmin(_ReadOnly):
    list_display = ("release", "release_at", "sequence", "cancelled", "backfill", "fanned_out_at")
