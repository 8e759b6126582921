"""Admin pages of releases. Figures are read-only; release steps run through the actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from typing_extensions import override

from metalstat.core.admin import AuditedModelAdmin, ModelAdmin
from metalstat.releases.actions import (
    ReleaseError,
    do_approve_release,
    do_publish_release,
    do_submit_for_review,
)
from metalstat.releases.choices import ReleaseStatus
from metalstat.releases.models import Commentary, Figure, Release

_AdminAction = Callable[[ModelAdmin[Release], HttpRequest, QuerySet[Release]], None]


def _step(label: str, action: Callable[..., Release]) -> _AdminAction:
    """An admin action running ``action(release, actor=...)`` on each selected release."""

    def run(modeladmin: ModelAdmin[Release], request: HttpRequest, queryset: QuerySet[Release]) -> None:
        for release in queryset:
            try:
                action(release, actor=request.user)
            except (ReleaseError, PermissionDenied, ValidationError) as exc:
                modeladmin.message_user(request, f"{release.label}: {exc}", messages.ERROR)
            else:
                modeladmin.message_user(request, f"{release.label}: {label} done")

    run.short_description = label  # type: ignore[attr-defined]
    run.__name__ = label.replace(" ", "_")
    return run


@admin.register(Release)
class ReleaseAdmin(AuditedModelAdmin[Release]):
    list_display = (
        "period",
        "vintage",
        "status",
        "release_at",
        "created_by",
        "approved_by",
        "published_at",
    )
    list_filter = ("status", "period")
    date_hierarchy = "period"
    actions = (
        _step("submit for review", do_submit_for_review),
        _step("approve", do_approve_release),
        _step("publish now", do_publish_release),
    )

    @override
    def get_readonly_fields(self, request: HttpRequest, obj: Release | None = None) -> tuple[str, ...]:
        return tuple(f.name for f in Release._meta.fields if f.name != "note")

    @override
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # releases are made by a cycle run

    @override
    def has_delete_permission(self, request: HttpRequest, obj: Release | None = None) -> bool:
        return obj is None or obj.status == ReleaseStatus.DRAFT


@admin.register(Figure)
class FigureAdmin(ModelAdmin[Figure]):
    list_display = (
        "release",
        "product",
        "kind",
        "measure",
        "breakdown",
        "statistic",
        "period",
        "value",
        "unit",
        "status",
        "conf_status",
    )
    list_filter = ("release", "kind", "measure", "statistic", "status", "conf_status", "product")
    search_fields = ("product", "measure", "breakdown", "period")
    list_select_related = ("release",)
    show_full_result_count = False
    readonly_fields = tuple(f.name for f in Figure._meta.fields)

    @override
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @override
    def has_change_permission(self, request: HttpRequest, obj: Figure | None = None) -> bool:
        return False

    @override
    def has_delete_permission(self, request: HttpRequest, obj: Figure | None = None) -> bool:
        return False


@admin.register(Commentary)
class CommentaryAdmin(AuditedModelAdmin[Commentary]):
    list_display = ("period", "product", "language", "slot", "mode", "author", "updated_at")
    list_filter = ("language", "slot", "mode", "period", "product")
    search_fields = ("product", "slot", "text", "author")
    readonly_fields = ("author", "updated_at")

    @override
    def save_model(self, request: HttpRequest, obj: Commentary, form: Any, change: bool) -> None:
        obj.author = request.user.get_username()
        super().save_model(request, obj, form, change)
