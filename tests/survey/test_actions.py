from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from metalstat.core.changelog import history
from metalstat.core.models import AuditEntry
from metalstat.survey.actions import (
    ReturnValues,
    do_confirm_warning,
    do_record_auxiliary_observation,
    do_record_auxiliary_outlook,
    do_record_event,
    do_record_return,
    do_record_returns,
    do_upsert_auxiliary_series,
    do_withdraw_confirmation,
)
from metalstat.survey.models import (
    AuxiliaryObservation,
    AuxiliaryOutlook,
    AuxiliarySeries,
    MaintenanceEvent,
    SurveyReturn,
    ValidationConfirmation,
)
from tests.registry.factories import make_producer, product_with_return_dimension

pytestmark = pytest.mark.django_db
JUNE = date(2025, 6, 1)


def test_first_answer_is_created_with_an_audit_entry():
    make_producer("CU01")
    outcome = do_record_return(
        "CU01",
        "2025-06",
        output=1200.0,
        schedule=1300.0,
        actor="ana",
        source="phone",
        origin="call log",
    )
    assert outcome == "created"
    ret = SurveyReturn.objects.get()
    assert (ret.period, ret.revision, ret.output, ret.schedule) == (JUNE, 1, 1200.0, 1300.0)
    assert ret.source == "phone" and ret.collected_by == "ana"
    entry = AuditEntry.objects.get(model="survey.surveyreturn")
    assert entry.object_id == "CU01/2025-06" and entry.action == "create"
    assert entry.after["output"] == 1200.0 and entry.source == "call log"


def test_the_same_answer_again_writes_nothing():
    make_producer("CU01")
    do_record_return("CU01", JUNE, output=1200.0, reason="steady", actor="ana", source="phone")
    for _ in range(2):
        outcome = do_record_return("CU01", JUNE, output=1200.0, reason="steady", actor="bo", source="spreadsheet")
        assert outcome == "unchanged"
    assert SurveyReturn.objects.count() == 1
    assert AuditEntry.objects.filter(model="survey.surveyreturn").count() == 1


def test_a_changed_answer_is_a_new_revision_and_the_old_one_stays():
    producer = make_producer("CU01")
    do_record_return(producer, JUNE, output=1200.0, actor="ana", source="phone")
    outcome = do_record_return(producer, JUNE, output=1250.0, status="increased", actor="bo", source="spreadsheet")
    assert outcome == "revised"
    revisions = list(SurveyReturn.objects.order_by("revision").values_list("revision", "output"))
    assert revisions == [(1, 1200.0), (2, 1250.0)]
    current = SurveyReturn.objects.current().get()
    assert (current.revision, current.output, current.status) == (2, 1250.0, "increased")
    log = AuditEntry.objects.filter(model="survey.surveyreturn", object_id="CU01/2025-06")
    change = log.order_by("id").last()
    assert change.action == "update" and change.actor == "bo"
    assert (change.before["output"], change.after["output"]) == (1200.0, 1250.0)
    assert (change.before["revision"], change.after["revision"]) == (1, 2)
    # A third answer equal to the second changes nothing; equal to the first is a revision.
    assert (
        do_record_return(producer, JUNE, output=1250.0, status="increased", actor="bo", source="spreadsheet")
        == "unchanged"
    )
    assert do_record_return(producer, JUNE, output=1200.0, actor="ana", source="phone") == "revised"
    assert SurveyReturn.objects.current().get().revision == 3


def test_batch_reports_each_row_and_uses_few_queries(django_assert_max_num_queries):
    for i in range(30):
        make_producer(f"CU{i:02d}")
    do_record_return("CU00", JUNE, output=10.0, actor="ana", source="phone")
    do_record_return("CU01", JUNE, output=10.0, actor="ana", source="phone")
    rows = [ReturnValues(f"CU{i:02d}", "2025-06", output=10.0) for i in range(30)]
    rows[1] = ReturnValues("CU01", "2025-06", output=11.0)
    with django_assert_max_num_queries(8):
        outcomes = do_record_returns(rows, actor="ana", source="spreadsheet", origin="june.xlsx")
    assert outcomes[:3] == ["unchanged", "revised", "created"]
    assert outcomes.count("created") == 28
    assert SurveyReturn.objects.count() == 2 + 29


def test_bad_rows_are_all_reported_and_nothing_is_written():
    make_producer("CU01")
    make_producer("CU02")
    rows = [
        ReturnValues("CU01", "2025-06", output=-5.0),
        ReturnValues("CU02", "2025-06", output=5.0, status="resting"),
        ReturnValues("NOPE", "2025-06", output=5.0),
        ReturnValues("CU02", "2025-13", output=5.0),
        ReturnValues("CU01", "2025-06", output=6.0),
    ]
    with pytest.raises(ValidationError) as err:
        do_record_returns(rows, actor="ana", source="spreadsheet")
    text = "\n".join(err.value.messages)
    assert "CU01 2025-06: output: -5.0 must be a number of 0 or more" in text
    assert "'resting' is not one of" in text
    assert "no producer with code 'NOPE'" in text
    assert "2025-13" in text
    assert "CU01 2025-06: given twice" in text
    assert not SurveyReturn.objects.exists() and not AuditEntry.objects.filter(model="survey.surveyreturn").exists()


def test_source_is_the_collection_channel():
    make_producer("CU01")
    with pytest.raises(ValidationError, match="collection channel"):
        do_record_return("CU01", JUNE, output=1.0, actor="ana", source="june.xlsx")


def test_breakdown_is_checked_against_the_catalog():
    product = product_with_return_dimension()
    dim = next(d for d in product.dimensions if d.source == "return")
    values = dim.value_names()
    make_producer("P1", product=product.code)
    parts = {dim.name: {values[0]: 600.0}}
    assert do_record_return("P1", JUNE, output=600.0, breakdown=parts, actor="a", source="field") == "created"
    assert SurveyReturn.objects.get().breakdown == parts
    assert (
        do_record_return(
            "P1",
            JUNE,
            output=600.0,
            breakdown={dim.name: {values[0]: 600}},
            actor="a",
            source="field",
        )
        == "unchanged"
    )
    with pytest.raises(ValidationError, match="not one of"):
        do_record_return(
            "P1",
            JUNE,
            output=1.0,
            breakdown={dim.name: {"nonsense": 1.0}},
            actor="a",
            source="field",
        )
    with pytest.raises(ValidationError, match="no reported dimension"):
        do_record_return("P1", JUNE, output=1.0, breakdown={"colour": {"red": 1.0}}, actor="a", source="field")


def test_planned_breakdown_is_checked_against_the_catalog_like_the_actual():
    product = product_with_return_dimension()
    dim = next(d for d in product.dimensions if d.source == "return")
    values = dim.value_names()
    make_producer("P1", product=product.code)
    planned = {dim.name: {values[0]: 650.0}}
    kw = {"output": 600.0, "schedule": 650.0, "actor": "a", "source": "field"}
    assert do_record_return("P1", JUNE, schedule_breakdown=planned, schedule_after_next=700.0, **kw) == "created"
    stored = SurveyReturn.objects.get()
    assert (stored.schedule_breakdown, stored.breakdown, stored.schedule_after_next) == (planned, {}, 700.0)
    # A changed plan is a new revision, like any changed value.
    assert do_record_return("P1", JUNE, schedule_breakdown={dim.name: {values[0]: 640.0}}, **kw) == "revised"
    with pytest.raises(ValidationError, match=r"schedule_breakdown .*: 'nonsense' is not one of"):
        do_record_return("P1", JUNE, schedule_breakdown={dim.name: {"nonsense": 1.0}}, **kw)
    with pytest.raises(ValidationError, match=r"schedule_breakdown: .* no reported dimension"):
        do_record_return("P1", JUNE, schedule_breakdown={"colour": {"red": 1.0}}, **kw)
    with pytest.raises(ValidationError, match=r"schedule_after_next: -1\.0 must be"):
        do_record_return("P1", JUNE, schedule_after_next=-1.0, **kw)


def test_events_are_upserted_by_producer_start_and_reason():
    make_producer("CU01")
    event, outcome = do_record_event("CU01", "2025-06-10", reason="maintenance", capacity_affected=50_000, actor="ana")
    assert outcome == "created" and event.end is None and event.planned
    event, outcome = do_record_event(
        "CU01",
        date(2025, 6, 10),
        reason="maintenance",
        end="2025-07-05",
        capacity_affected=50_000,
        actor="ana",
    )
    assert outcome == "updated" and event.end == date(2025, 7, 5)
    assert history(event).last().before["end"] is None
    _, outcome = do_record_event(
        "CU01",
        "2025-06-10",
        reason="maintenance",
        end="2025-07-05",
        capacity_affected=50_000,
        actor="ana",
    )
    assert outcome == "unchanged"
    with pytest.raises(ValidationError):
        do_record_event("CU01", "2025-06-10", reason="holiday", actor="ana")
    with pytest.raises(ValidationError, match="before it starts"):
        do_record_event("CU01", "2025-06-10", reason="power", end="2025-06-01", actor="ana")
    assert MaintenanceEvent.objects.count() == 1


def test_auxiliary_series_and_observations():
    series, outcome = do_upsert_auxiliary_series(
        "cu_tc_spot",
        name="Copper concentrate TC",
        unit="USD/dmt",
        kind="price",
        product="copper_cathode",
        highlighted=True,
        actor="ana",
    )
    assert outcome == "created"
    _, outcome = do_record_auxiliary_observation("cu_tc_spot", "2025-06-27", -43.5, actor="ana")
    assert outcome == "created"
    _, outcome = do_record_auxiliary_observation(series, date(2025, 6, 27), -43.5, actor="ana")
    assert outcome == "unchanged"
    _, outcome = do_record_auxiliary_observation(series, "2025-06-27", -44.0, actor="ana")
    assert outcome == "updated" and AuxiliaryObservation.objects.get().value == -44.0
    with pytest.raises(ValidationError):
        do_record_auxiliary_observation("no_such_series", "2025-06-27", 1.0, actor="ana")
    with pytest.raises(ValidationError):
        do_upsert_auxiliary_series("bad", name="x", unit="t", kind="flow", product="unobtainium", actor="a")


@pytest.mark.parametrize(
    ("code", "unit", "kind", "says"),
    [
        ("cu_tc", "USD/dmt", "", "This field cannot be blank"),
        ("cu_tc", "USD/dmt", "average", "not a valid choice"),
        ("port_stocks", "yuan/mt", "stock", "a stock is a quantity at the month's end"),
        ("days_cover", "days", "stock", "a stock is a quantity at the month's end"),
        ("cu_tc", "USD/dmt", "range", "ends in _low or _high"),
        ("cu_tc_high", "mt", "range", "a range is quoted per a quantity"),
        ("imports", "%", "flow", "a flow is a quantity over the month"),
        ("share", "mt", "ratio", "a ratio is in % or days"),
        ("price", "mt", "price", "a price is quoted per a quantity"),
    ],
)
def test_a_series_kind_its_unit_or_code_contradicts_is_refused(code, unit, kind, says):
    with pytest.raises(ValidationError) as err:
        do_upsert_auxiliary_series(code, name="x", unit=unit, kind=kind, actor="ana")
    assert says in str(err.value.message_dict["kind"])
    assert not AuxiliarySeries.objects.exists()


def test_a_series_kind_that_fits_is_kept():
    for code, unit, kind in [
        ("cu_tc_high", "USD/dmt", "range"),
        ("port_stocks", "mt", "stock"),
        ("days_cover", "days", "ratio"),
        ("quota", "mt WO3", "fact"),
        ("imports", "mt", "flow"),
    ]:
        series, outcome = do_upsert_auxiliary_series(code, name="x", unit=unit, kind=kind, actor="ana")
        assert outcome == "created" and series.kind == kind


def test_confirming_a_warning():
    make_producer("CU01")
    conf, outcome = do_confirm_warning("CU01", "2025-06", "mom_change", reason="new line started", actor="ana")
    assert outcome == "created" and conf.confirmed_by == "ana"
    _, outcome = do_confirm_warning("CU01", JUNE, "mom_change", reason="new line started", actor="bo")
    assert outcome == "unchanged"
    conf, outcome = do_confirm_warning("CU01", JUNE, "mom_change", reason="confirmed on site", actor="bo")
    assert outcome == "updated" and conf.confirmed_by == "bo"
    with pytest.raises(ValidationError, match="reason"):
        do_confirm_warning("CU01", JUNE, "capacity", reason="  ", actor="ana")
    assert do_withdraw_confirmation("CU01", JUNE, "mom_change", actor="ana") is True
    assert not ValidationConfirmation.objects.exists()
    assert AuditEntry.objects.filter(model="survey.validationconfirmation").count() == 3


def test_an_outlook_is_entered_audited_and_replaced():
    do_upsert_auxiliary_series("acid", name="Acid price", unit="yuan/mt", kind="price", actor="ana")
    outlook, outcome = do_record_auxiliary_outlook(
        "acid", "2025-07", 720.0, source="analyst", detail="smelters' contracts", detail_zh="冶炼厂合同", actor="ana"
    )
    assert outcome == "created" and (outlook.month, outlook.entered_by) == (date(2025, 7, 1), "ana")
    _, outcome = do_record_auxiliary_outlook(
        "acid", "2025-07", 720.0, source="analyst", detail="smelters' contracts", detail_zh="冶炼厂合同", actor="bo"
    )
    assert outcome == "unchanged" and AuxiliaryOutlook.objects.get().entered_by == "ana"
    _, outcome = do_record_auxiliary_outlook("acid", "2025-07", 735.0, source="futures", actor="bo")
    assert outcome == "updated" and AuxiliaryOutlook.objects.get().entered_by == "bo"
    assert [e.action for e in AuditEntry.objects.filter(model="survey.auxiliaryoutlook").order_by("id")] == [
        "create",
        "update",
    ]


@pytest.mark.parametrize(
    ("kwargs", "field", "says"),
    [
        ({"month": "2025-07-15"}, "month", "is not of the form YYYY-MM"),
        ({"month": date(2025, 7, 15)}, "month", "not the first day of a month"),
        ({"value": "lots"}, "value", "is not a number"),
        ({"value": float("nan")}, "value", "not a finite number"),
        ({"source": "rumour"}, "source", "not a valid choice"),
        ({"detail": "contracts"}, "detail_zh", "both languages"),
        ({"series": "nope"}, "series", "no auxiliary series"),
    ],
)
def test_a_bad_outlook_is_refused_with_nothing_written(kwargs, field, says):
    do_upsert_auxiliary_series("acid", name="Acid price", unit="yuan/mt", kind="price", actor="ana")
    args = {"series": "acid", "month": "2025-07", "value": 720.0, "source": "analyst"} | kwargs
    with pytest.raises(ValidationError) as err:
        do_record_auxiliary_outlook(**args, actor="ana")
    assert says in str(err.value.message_dict[field])
    assert not AuxiliaryOutlook.objects.exists()


def test_a_share_names_two_flows_in_one_unit():
    do_upsert_auxiliary_series("imports", name="Imports", unit="mt", kind="flow", actor="ana")
    do_upsert_auxiliary_series("imports_mm", name="Imports from Myanmar", unit="mt", kind="flow", actor="ana")
    do_upsert_auxiliary_series("price", name="Price", unit="yuan/mt", kind="price", actor="ana")
    share, outcome = do_upsert_auxiliary_series(
        "mm_share",
        name="Myanmar share",
        unit="%",
        kind="ratio",
        numerator="imports_mm",
        denominator="imports",
        actor="ana",
    )
    assert outcome == "created" and (share.numerator.code, share.denominator.code) == ("imports_mm", "imports")
    for fields, says in [
        ({"numerator": "imports_mm"}, "both its numerator and its denominator"),
        ({"numerator": "price", "denominator": "imports"}, "are flows"),
        ({"numerator": "imports", "denominator": "imports"}, "two other series"),
        ({"numerator": "imports_mm", "denominator": "imports", "unit": "mt", "kind": "flow"}, "a ratio in %"),
        ({"numerator": "ghost", "denominator": "imports"}, "no auxiliary series"),
    ]:
        with pytest.raises(ValidationError, match=says):
            do_upsert_auxiliary_series(
                "other_share", actor="ana", **({"name": "x", "unit": "%", "kind": "ratio"} | fields)
            )
    assert not AuxiliarySeries.objects.filter(code="other_share").exists()
