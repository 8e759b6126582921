"""Admin pages of the survey. Saves and deletes are logged; a return edited here becomes a
new revision, never an overwrite."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from typing_extensions import override

from metalstat.catalog import load_catalog
from metalstat.catalog.vocabulary import RETURN_BREAKDOWNS
from metalstat.core.admin import AuditedModelAdmin, ModelAdmin, TabularInline
from metalstat.core.changelog import actor_name
from metalstat.survey.actions import ReturnValues, clean_return_values, do_record_return
from metalstat.survey.models import (
    AuxiliaryObservation,
    AuxiliaryOutlook,
    AuxiliarySeries,
    MaintenanceEvent,
    SurveyReturn,
    ValidationConfirmation,
)
from metalstat.survey.models.returns import RETURN_VALUE_FIELDS

# django-stubs make ModelForm generic in its model; Django's class cannot be subscripted.
if TYPE_CHECKING:
    _SurveyReturnModelForm = forms.ModelForm[SurveyReturn]
else:
    _SurveyReturnModelForm = forms.ModelForm


class SurveyReturnForm(_SurveyReturnModelForm):
    """Checks an answer with the same rules as every other way of recording one."""

    class Meta:
        model = SurveyReturn
        fields = "__all__"

    @override
    def clean(self) -> dict[str, Any]:
        super().clean()  # a ModelForm's clean() returns its cleaned_data
        data = self.cleaned_data
        producer = data.get("producer")
        if producer is None or data.get("period") is None:
            return data
        values: dict[str, Any] = {name: data.get(name) for name in RETURN_VALUE_FIELDS if name not in RETURN_BREAKDOWNS}
        parts: dict[str, Any] = {name: data.get(name) or {} for name in RETURN_BREAKDOWNS}
        row = ReturnValues(producer=producer.code, period=data["period"], **values, **parts)
        _, problems = clean_return_values(row, load_catalog().get(producer.product))
        if problems:
            raise forms.ValidationError(problems)
        return data


@admin.register(SurveyReturn)
class SurveyReturnAdmin(ModelAdmin[SurveyReturn]):
    form = SurveyReturnForm
    list_display = (
        "producer",
        "period",
        "revision",
        "output",
        "schedule",
        "status",
        "source",
        "collected_at",
    )
    list_filter = ("status", "source", "producer__product", "period")
    search_fields = ("producer__code", "producer__name", "reason")
    list_select_related = ("producer",)
    autocomplete_fields = ("producer",)
    date_hierarchy = "period"
    readonly_fields = ("revision", "created_at")

    @override
    def has_delete_permission(self, request: HttpRequest, obj: SurveyReturn | None = None) -> bool:
        return False  # answers are kept; a correction is a new revision

    @override
    def save_model(self, request: HttpRequest, obj: SurveyReturn, form: Any, change: bool) -> None:
        do_record_return(
            obj.producer,
            obj.period,
            **{name: getattr(obj, name) for name in RETURN_VALUE_FIELDS},
            collected_at=obj.collected_at,
            collected_by=obj.collected_by,
            actor=request.user,
            source=obj.source,
            origin="admin",
        )
        latest = SurveyReturn.objects.filter(producer=obj.producer, period=obj.period).latest("revision")
        # Show the revision in force after the save (the edited one is kept as it was).
        obj.pk, obj.revision = latest.pk, latest.revision


@admin.register(MaintenanceEvent)
class MaintenanceEventAdmin(AuditedModelAdmin[MaintenanceEvent]):
    list_display = ("producer", "start", "end", "capacity_affected", "reason", "planned")
    list_filter = ("reason", "planned", "producer__product")
    search_fields = ("producer__code", "producer__name", "description")
    list_select_related = ("producer",)
    autocomplete_fields = ("producer",)
    date_hierarchy = "start"


class ObservationInline(TabularInline[AuxiliaryObservation, AuxiliarySeries]):
    model = AuxiliaryObservation
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("date", "value", "note")

    @override
    def has_add_permission(self, request: HttpRequest, obj: AuxiliarySeries | None = None) -> bool:
        return False

    @override
    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


@admin.register(AuxiliarySeries)
class AuxiliarySeriesAdmin(AuditedModelAdmin[AuxiliarySeries]):
    list_display = ("code", "name", "kind", "unit", "product", "highlighted")
    list_filter = ("kind", "highlighted", "product")
    raw_id_fields = ("numerator", "denominator")
    search_fields = ("code", "name", "name_zh", "description")
    inlines = (ObservationInline,)


@admin.register(AuxiliaryOutlook)
class AuxiliaryOutlookAdmin(AuditedModelAdmin[AuxiliaryOutlook]):
    list_display = ("series", "month", "value", "source", "entered_by")
    list_filter = ("source", "series")
    search_fields = ("series__code", "detail", "detail_zh")
    list_select_related = ("series",)
    readonly_fields = ("entered_by",)

    @override
    def save_model(self, request: HttpRequest, obj: AuxiliaryOutlook, form: Any, change: bool) -> None:
        obj.entered_by = actor_name(self._actor(request))
        super().save_model(request, obj, form, change)


@admin.register(AuxiliaryObservation)
class AuxiliaryObservationAdmin(AuditedModelAdmin[AuxiliaryObservation]):
    list_display = ("series", "date", "value", "note")
    list_filter = ("series",)
    search_fields = ("series__code", "note")
    list_select_related = ("series",)
    date_hierarchy = "date"


@admin.register(ValidationConfirmation)
class ValidationConfirmationAdmin(AuditedModelAdmin[ValidationConfirmation]):
    list_display = ("producer", "period", "rule", "confirmed_by", "confirmed_at")
    list_filter = ("rule", "period", "producer__product")
    search_fields = ("producer__code", "rule", "reason")
    list_select_related = ("producer",)
    autocomplete_fields = ("producer",)
    readonly_fields = ("confirmed_by", "confirmed_at")

    @override
    def save_model(self, request: HttpRequest, obj: ValidationConfirmation, form: Any, change: bool) -> None:
        obj.confirmed_by = request.user.get_username()
        super().save_model(request, obj, form, change)
