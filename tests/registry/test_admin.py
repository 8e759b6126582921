"""The admin pages load for every model, and edits made there are logged."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib import admin
from django.urls import reverse

from metalstat.core.models import AuditEntry
from metalstat.registry.actions import do_add_capacity_record
from metalstat.registry.models import CapacityRecord, Producer
from metalstat.releases.actions import do_create_release
from metalstat.survey.actions import do_record_return
from metalstat.survey.models import SurveyReturn
from tests.registry.factories import COPPER, figure_row, figures, make_producer

pytestmark = pytest.mark.django_db
OUR_APPS = {"core", "registry", "survey", "releases"}


@pytest.fixture
def data():
    producer = make_producer("CU01")
    do_add_capacity_record(producer, date(2024, 1, 1), 100_000.0, actor="ana")
    do_record_return(producer, "2025-06", output=900.0, actor="ana", source="phone")
    do_create_release("2025-06", figures([figure_row()]), actor="ana")
    return producer


def test_every_model_has_admin_pages_that_load(admin_client, data):
    models = [m for m in admin.site._registry if m._meta.app_label in OUR_APPS]
    assert sorted(f"{m._meta.app_label}.{m.__name__}" for m in models) == [
        "core.AuditEntry",
        "registry.CapacityRecord",
        "registry.PanelMembership",
        "registry.Producer",
        "releases.Commentary",
        "releases.Figure",
        "releases.Release",
        "survey.AuxiliaryObservation",
        "survey.AuxiliaryOutlook",
        "survey.AuxiliarySeries",
        "survey.MaintenanceEvent",
        "survey.SurveyReturn",
        "survey.ValidationConfirmation",
    ]
    for model in models:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert admin_client.get(url).status_code == 200, url
        assert admin_client.get(url, {"q": "CU01"}).status_code == 200, url
        obj = model._default_manager.first()
        if obj is not None:
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            assert admin_client.get(change).status_code == 200, change


def _producer_form(code: str, name: str) -> dict[str, object]:
    """The admin's producer form with ``code`` and ``name``, every other field empty."""
    return {
        "code": code,
        "name": name,
        "name_zh": "",
        "product": COPPER,
        "province": "",
        "region": "",
        "nature": "",
        "feedstock": "",
        "country": "China",
        "notes": "",
        **_empty_inlines(),
    }


def test_a_producer_edited_in_the_admin_is_logged(admin_client, admin_user, data):
    url = reverse("admin:registry_producer_change", args=[data.pk])
    response = admin_client.post(url, _producer_form("CU01", "Renamed plant"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Producer.objects.get().name == "Renamed plant"
    entry = AuditEntry.objects.filter(model="registry.producer").order_by("id").last()
    assert entry.actor == admin_user.username and entry.source == "admin"
    assert (entry.before["name"], entry.after["name"]) == ("Plant CU01", "Renamed plant")


def test_the_admin_refuses_a_code_differing_only_in_case(admin_client, data):
    response = admin_client.post(reverse("admin:registry_producer_add"), _producer_form("cu01", "Look-alike"))
    assert response.status_code == 200
    assert "only in letter case" in response.content.decode()
    assert Producer.objects.count() == 1


def test_a_return_edited_in_the_admin_becomes_a_new_revision(admin_client, data):
    first = SurveyReturn.objects.get()
    url = reverse("admin:survey_surveyreturn_change", args=[first.pk])
    form = {
        "producer": data.pk,
        "period": "2025-06-01",
        "output": "950",
        "status": "normal",
        "breakdown": "{}",
        "reason": "",
        "source": "phone",
        "collected_at_0": "2025-06-28",
        "collected_at_1": "10:00:00",
        "collected_by": "ana",
    }
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(SurveyReturn.objects.order_by("revision").values_list("revision", "output")) == [
        (1, 900.0),
        (2, 950.0),
    ]
    entry = AuditEntry.objects.filter(model="survey.surveyreturn").order_by("id").last()
    assert (entry.before["output"], entry.after["output"]) == (900.0, 950.0)


def test_capacity_history_and_figures_are_read_only_in_the_admin(admin_client, data):
    record = CapacityRecord.objects.get()
    url = reverse("admin:registry_capacityrecord_change", args=[record.pk])
    admin_client.post(url, {"note": "checked", "capacity": "5"})
    record.refresh_from_db()
    assert (record.capacity, record.note) == (100_000.0, "checked")
    assert admin_client.get(reverse("admin:releases_figure_add")).status_code == 403


def _empty_inlines() -> dict[str, str]:
    form: dict[str, str] = {}
    for prefix in ("capacity_records", "panel_memberships"):
        form.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return form


def test_the_admin_refuses_a_bad_answer_with_a_form_error(admin_client, data):
    response = admin_client.post(
        reverse("admin:survey_surveyreturn_add"),
        {
            "producer": data.pk,
            "period": "2025-07-01",
            "output": "10",
            "status": "normal",
            "breakdown": '{"colour": {"red": 1}}',
            "source": "phone",
            "collected_at_0": "2025-07-28",
            "collected_at_1": "10:00:00",
        },
    )
    assert response.status_code == 200
    assert "no reported dimension" in response.content.decode()
    assert not SurveyReturn.objects.filter(period=date(2025, 7, 1)).exists()
