"""Imports against the database: the corpus, all-or-nothing, revisions, confirmations."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from metalstat.core.models import AuditEntry
from metalstat.core.tabular.errors import ImportRejected
from metalstat.registry.actions import (
    do_add_capacity_record,
    do_set_panel_membership,
    do_upsert_producer,
)
from metalstat.registry.models import CapacityRecord, PanelMembership, Producer
from metalstat.spreadsheets.importing import ImportResult, import_file
from metalstat.survey.models import (
    AuxiliaryObservation,
    AuxiliarySeries,
    MaintenanceEvent,
    SurveyReturn,
    ValidationConfirmation,
)

from .conftest import CORPUS, XlsxMaker

pytestmark = pytest.mark.django_db

JUNE = date(2025, 6, 1)


def run(kind: str, path: Path, **kw: Any) -> ImportResult:
    kw.setdefault("actor", "tester")
    return import_file(kind, path, display_name=path.name, **kw)


def refused(kind: str, path: Path, **kw: Any) -> ImportRejected:
    with pytest.raises(ImportRejected) as info:
        run(kind, path, **kw)
    return info.value


def counts(result: ImportResult) -> tuple[int, int, int]:
    changed = result.counts["revised"] + result.counts["updated"]
    return result.counts["created"], changed, result.counts["unchanged"]


def db_state() -> dict[str, Any]:
    """Everything an import may write, as comparable text."""

    def rows(qs: Any, *fields: str) -> list[str]:
        return sorted(str(t) for t in qs.values_list(*fields))

    return {
        "producers": rows(
            Producer.objects,
            "code",
            "name",
            "name_zh",
            "product",
            "province",
            "region",
            "nature",
            "feedstock",
            "country",
        ),
        "capacity": rows(CapacityRecord.objects, "producer__code", "valid_from", "capacity", "event", "note"),
        "panel": rows(PanelMembership.objects, "producer__code", "first_period", "last_period"),
        "returns": rows(
            SurveyReturn.objects,
            "producer__code",
            "period",
            "revision",
            "output",
            "output_metal",
            "schedule",
            "schedule_metal",
            "operating_capacity",
            "status",
            "reason",
            "breakdown",
            "source",
        ),
        "events": rows(
            MaintenanceEvent.objects,
            "producer__code",
            "start",
            "end",
            "capacity_affected",
            "reason",
            "planned",
            "description",
        ),
        "series": rows(AuxiliarySeries.objects, "code", "name", "name_zh", "unit", "kind", "product", "highlighted"),
        "observations": rows(AuxiliaryObservation.objects, "series__code", "date", "value", "note"),
        "confirmations": rows(ValidationConfirmation.objects, "producer__code", "period", "rule", "reason"),
        "audit": AuditEntry.objects.count(),
    }


@pytest.fixture
def world() -> None:
    """Three copper producers with capacity, panel and returns for January to May 2025."""
    for kind, name in (
        ("producers", "producers.csv"),
        ("capacity", "capacity.csv"),
        ("panel", "panel.csv"),
        ("returns", "returns_history.csv"),
    ):
        run(kind, CORPUS / name)


# -- valid files --------------------------------------------------------------------------


def test_valid_files_write_what_they_say(world: None) -> None:
    cu001 = Producer.objects.get(code="CU001")
    assert (
        cu001.name,
        cu001.name_zh,
        cu001.product,
        cu001.province,
        cu001.region,
        cu001.nature,
        cu001.feedstock,
        cu001.country,
    ) == (
        "Eastern Copper Smelter",
        "东方铜冶炼厂",
        "copper_cathode",
        "Jiangxi",
        "east China",
        "state_owned",
        "copper concentrate",
        "China",
    )
    assert list(
        CapacityRecord.objects.filter(producer__code="CU003").values_list("valid_from", "capacity", "event", "note")
    ) == [(date(2020, 1, 1), 36500.0, "", ""), (date(2025, 7, 1), 73000.0, "expansion", "second line")]
    assert PanelMembership.objects.get(producer__code="CU003").last_period == date(2025, 12, 1)
    assert SurveyReturn.objects.count() == 15
    march = SurveyReturn.objects.get(producer__code="CU002", period=date(2025, 3, 1))
    assert (march.output, march.schedule, march.status, march.revision, march.source) == (
        9000.0,
        9000.0,
        "normal",
        1,
        "spreadsheet",
    )
    assert march.collected_by == "tester"

    events = run("events", CORPUS / "events.csv")
    assert counts(events) == (2, 0, 0)
    stop = MaintenanceEvent.objects.get(producer__code="CU002")
    assert (stop.start, stop.end, stop.capacity_affected, stop.reason, stop.planned) == (
        date(2025, 6, 10),
        date(2025, 6, 25),
        40000.0,
        "maintenance",
        True,
    )
    late = MaintenanceEvent.objects.get(producer__code="CU003")
    assert (late.end, late.planned, late.reason) == (None, False, "raw_material_shortage")

    aux = run("auxiliary", CORPUS / "auxiliary.csv")
    assert counts(aux) == (2, 0, 0)
    series = AuxiliarySeries.objects.get(code="copper_tc_spot")
    assert (series.name, series.unit, series.kind, series.product, series.highlighted) == (
        "Copper concentrate spot TC",
        "USD/dmt",
        "price",
        "copper_cathode",
        True,
    )
    assert list(series.observations.order_by("date").values_list("value", "note")) == [
        (-44.1, ""),
        (-43.5, "weekly"),
    ]


def test_reimporting_the_same_file_changes_nothing(world: None) -> None:
    first = run("returns", CORPUS / "returns_2025_06.csv")
    assert counts(first) == (3, 0, 0)
    before = db_state()
    again = run("returns", CORPUS / "returns_2025_06.csv")
    assert again.summary() == ("returns_2025_06.csv: 3 returns rows: 0 created, 0 revised, 3 unchanged")
    assert db_state() == before
    for kind, name in (("producers", "producers.csv"), ("capacity", "capacity.csv"), ("panel", "panel.csv")):
        result = run(kind, CORPUS / name)
        assert result.counts["created"] == 0 and result.counts["updated"] == 0
    assert db_state() == before


def test_a_changed_value_is_a_new_revision_with_an_audit_entry(world: None, tmp_path: Path) -> None:
    run("returns", CORPUS / "returns_2025_06.csv")
    changed = tmp_path / "june_corrected.csv"
    changed.write_text((CORPUS / "returns_2025_06.csv").read_text("utf-8").replace("28500", "28600"), "utf-8")
    result = run("returns", changed)
    assert counts(result) == (0, 1, 2)
    revisions = SurveyReturn.objects.filter(producer__code="CU001", period=JUNE)
    assert list(revisions.order_by("revision").values_list("revision", "output")) == [
        (1, 28500.0),
        (2, 28600.0),
    ]
    entry = AuditEntry.objects.filter(object_id="CU001/2025-06").order_by("-id").first()
    assert entry is not None
    assert (entry.action, entry.actor, entry.source) == ("update", "tester", "june_corrected.csv")
    assert (entry.before["output"], entry.after["output"]) == (28500.0, 28600.0)


def test_columns_a_file_lacks_keep_the_values_in_force(world: None, tmp_path: Path) -> None:
    run("returns", CORPUS / "returns_2025_06.csv")
    path = tmp_path / "outputs_only.csv"
    path.write_text("producer,period,output\nCU002,2025-06,8850\n", "utf-8")
    assert counts(run("returns", path)) == (0, 1, 0)
    current = SurveyReturn.objects.current().get(producer__code="CU002", period=JUNE)
    assert (current.revision, current.output, current.schedule) == (2, 8850.0, 9000.0)


def test_dry_run_writes_nothing(world: None) -> None:
    before = db_state()
    result = run("returns", CORPUS / "returns_2025_06.csv", dry_run=True)
    assert counts(result) == (3, 0, 0)
    assert result.summary().endswith("(dry run: nothing written)")
    assert db_state() == before


def test_chinese_headers_in_utf8_with_bom(world: None) -> None:
    result = run("returns", CORPUS / "returns_bom_chinese.csv")
    assert counts(result) == (1, 0, 0)
    ret = SurveyReturn.objects.get(producer__code="CU001", period=JUNE)
    assert (ret.output, ret.schedule, ret.reason) == (28500.0, 29000.0, "检修结束")


# -- the malformed corpus -------------------------------------------------------------------

# file -> (kind, [(row, column letter, code)]) exactly as reported.
CORPUS_ERRORS: dict[str, tuple[str, list[tuple[int | None, str | None, str]]]] = {
    "returns_missing_column.csv": ("returns", [(1, None, "missing_column")]),
    "returns_extra_column.csv": ("returns", [(1, "D", "extra_column")]),
    "returns_text_in_number.csv": ("returns", [(3, "C", "not_a_number")]),
    "returns_negative_output.csv": ("returns", [(3, "C", "negative")]),
    "returns_unknown_producer.csv": ("returns", [(3, "A", "unknown_producer")]),
    "returns_unknown_product.csv": ("returns", [(2, "B", "unknown_product")]),
    "producers_unknown_product.csv": ("producers", [(2, "C", "unknown_product")]),
    "returns_duplicate_row.csv": ("returns", [(4, "A", "duplicate")]),
    "returns_bad_period.csv": ("returns", [(2, "B", "bad_period"), (3, "B", "bad_period")]),
    "returns_above_capacity.csv": ("returns", [(2, "C", "above_capacity")]),
    "returns_empty.csv": ("returns", [(None, None, "empty")]),
    "returns_header_only.csv": ("returns", [(None, None, "no_rows")]),
    "returns_gbk.csv": ("returns", [(1, None, "not_utf8")]),
}


@pytest.mark.parametrize("name", sorted(CORPUS_ERRORS))
def test_malformed_file_is_refused_with_its_errors_and_nothing_written(world: None, name: str) -> None:
    kind, expected = CORPUS_ERRORS[name]
    before = db_state()
    err = refused(kind, CORPUS / name)
    assert [(i.row, i.letter, i.code) for i in err.issues] == expected
    assert all(i.file == name and i.severity == "error" for i in err.issues)
    assert err.summary().startswith(f"{name}: rejected, {len(expected)} error")
    assert err.summary().endswith("nothing was imported")
    assert db_state() == before


def test_error_messages_name_value_and_reason(world: None) -> None:
    lines = refused("returns", CORPUS / "returns_above_capacity.csv").lines()
    # CU003: 36,500 mt/year x 30/365 = 3,000 mt in June, +10 % = 3,300; 5,000 is above.
    assert lines[0].startswith(
        'returns_above_capacity.csv, row 2, column "output" (C), value "5000": error: '
        "output 5,000.0 is above what capacity 36,500/year allows in 30 days (3,000.0)"
    )
    lines = refused("returns", CORPUS / "returns_unknown_producer.csv").lines()
    assert lines == [
        'returns_unknown_producer.csv, row 3, column "producer" (A), value "CU999": error: '
        "no producer with code 'CU999' in the register; import it first "
        "(metalstat import producers)"
    ]
    lines = refused("returns", CORPUS / "returns_missing_column.csv").lines()
    assert lines == [
        "returns_missing_column.csv, row 1, column \"period\": error: missing column 'period' "
        "(month of the output (YYYY-MM)); add it to row 1"
    ]


def test_xlsx_with_formulas_and_merged_cells_is_refused(world: None, make_xlsx: XlsxMaker) -> None:
    before = db_state()
    path = make_xlsx(
        "june.xlsx",
        [
            ["producer", "period", "output", "schedule"],
            ["CU001", "2025-06", "=28000+500", 29000],
            ["CU002", "2025-06", 8800, 9000],
            ["CU003", None, 2750, 2800],
        ],
        merge=["B3:B4"],
    )
    err = refused("returns", path)
    assert [(i.sheet, i.row, i.letter, i.code) for i in err.issues] == [
        ("returns", 2, "C", "formula"),
        ("returns", 3, "B", "merged_cells"),
    ]
    assert db_state() == before


def test_unit_mixup_needs_confirmation_then_is_stored_with_it(world: None) -> None:
    path = CORPUS / "returns_unit_mixup.csv"
    before = db_state()
    err = refused("returns", path)
    assert err.needs_confirmation
    assert [(i.row, i.letter, i.code, i.severity) for i in err.issues] == [(2, "C", "unit_mixup", "warning")]
    # 2.8 against a usual 2,800: a factor of 1,000.
    assert "1,000x the producer's usual 2,800.0" in err.issues[0].reason
    assert '--confirm "reason"' in err.summary()
    assert db_state() == before

    result = run("returns", path, confirm="the plant confirmed on the phone")
    assert counts(result) == (1, 0, 0)
    assert len(result.confirmed) == 1
    ret = SurveyReturn.objects.get(producer__code="CU003", period=JUNE)
    assert ret.output == 2.8
    conf = ValidationConfirmation.objects.get()
    assert (conf.producer.code, conf.period, conf.rule, conf.reason, conf.confirmed_by) == (
        "CU003",
        JUNE,
        "unit_mixup",
        "the plant confirmed on the phone",
        "tester",
    )
    # Confirmed once, the same file imports without asking again.
    assert counts(run("returns", path)) == (0, 0, 1)


def test_a_return_outside_the_panel_is_a_warning(world: None, tmp_path: Path) -> None:
    path = tmp_path / "jan26.csv"
    path.write_text("producer,period,output,schedule\nCU003,2026-01,2700,2700\n", "utf-8")
    err = refused("returns", path)
    assert [(i.row, i.letter, i.code, i.severity) for i in err.issues] == [(2, "A", "not_in_panel", "warning")]


def test_a_plant_starting_next_month_may_send_a_nil_return_with_its_plan(world: None, tmp_path: Path) -> None:
    for kind, text in (
        (
            "producers",
            "code,name,product,region,feedstock\nCU005,New Copper,copper_cathode,east China,copper concentrate\n",
        ),
        ("capacity", "producer,valid_from,capacity,event\nCU005,2025-07-01,200000,commissioning\n"),
        ("panel", "producer,first_period,last_period\nCU005,2025-06,\n"),
    ):
        (tmp_path / f"{kind}.csv").write_text(text, "utf-8")
        run(kind, tmp_path / f"{kind}.csv")
    path = tmp_path / "new.csv"
    # Output in June, before its capacity starts, is refused ...
    path.write_text("producer,period,output,schedule,status\nCU005,2025-06,100,3000,commissioning\n", "utf-8")
    assert [(i.row, i.code) for i in refused("returns", path).issues] == [(2, "no_capacity")]
    # ... a nil June return planning July is stored.
    path.write_text("producer,period,output,schedule,status\nCU005,2025-06,0,3000,commissioning\n", "utf-8")
    assert counts(run("returns", path)) == (1, 0, 0)
    stored = SurveyReturn.objects.get(producer__code="CU005", period=JUNE)
    assert (stored.output, stored.schedule) == (0, 3000)


def test_all_or_nothing_when_a_write_fails_midway(world: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from metalstat.survey import actions

    real = actions.do_record_returns
    calls: list[str] = []

    def flaky(rows: Any, **kw: Any) -> list[str]:
        calls.append(kw["source"])
        if len(calls) == 2:
            raise ValidationError("the database went away")
        return real(rows, **kw)

    monkeypatch.setattr(actions, "do_record_returns", flaky)
    path = tmp_path / "two_sources.csv"
    path.write_text(
        "producer,period,output,schedule,source\nCU001,2025-06,28500,29000,phone\nCU002,2025-06,8800,9000,field\n",
        "utf-8",
    )
    before = db_state()
    with pytest.raises(ValidationError):
        run("returns", path)
    assert calls == ["phone", "field"]  # the first group was written, then undone
    assert db_state() == before


def test_every_problem_of_a_file_is_reported_at_once(world: None, tmp_path: Path) -> None:
    path = tmp_path / "messy.csv"
    path.write_text(
        "producer,period,output,schedule,status\n"
        "CU001,2025-06,28 500x,29000,normal\n"  # text in a number
        "CU999,2025-06,100,100,normal\n"  # unknown producer
        "CU002,2025-6,-1,9000,normal\n"  # negative
        "CU003,2025-06,5000,2800,asleep\n",  # unknown status
        "utf-8",
    )
    err = refused("returns", path)
    assert [(i.row, i.letter, i.code) for i in err.issues] == [
        (2, "C", "not_a_number"),
        (3, "A", "unknown_producer"),
        (4, "C", "negative"),
        (5, "E", "not_a_choice"),
    ]


def test_printout_is_capped(world: None, tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_text(
        "producer,period,output\n" + "".join(f"CU001,2025-{i:02d}x,1\n" for i in range(250)),
        "utf-8",
    )
    err = refused("returns", path)
    assert len(err.issues) == 250
    lines = err.lines()
    assert len(lines) == 201 and lines[-1] == "... and 50 more not shown"


# -- register checks ------------------------------------------------------------------------


def test_producer_values_are_checked_and_canonicalised(world: None, tmp_path: Path) -> None:
    path = tmp_path / "producers.csv"
    path.write_text(
        "code,name,product,region,feedstock\n"
        "CU005,Lakeside Copper,copper_cathode,East China,Copper Concentrate\n"
        "CU006,Hill Copper,copper_cathode,moon,copper concentrate\n"
        "CU001,Eastern Copper Smelter,aluminium,east China,\n",
        "utf-8",
    )
    err = refused("producers", path)
    assert [(i.row, i.letter, i.code) for i in err.issues] == [
        (3, "D", "not_a_choice"),
        (4, "C", "product_change"),
    ]
    path.write_text(
        "code,name,product,region,feedstock\nCU005,Lakeside Copper,copper_cathode,East China,Copper Concentrate\n",
        "utf-8",
    )
    assert counts(run("producers", path)) == (1, 0, 0)
    p = Producer.objects.get(code="CU005")
    assert (p.region, p.feedstock, p.country) == ("east China", "copper concentrate", "China")


def test_capacity_history_is_not_rewritten(world: None, tmp_path: Path) -> None:
    path = tmp_path / "capacity.csv"
    path.write_text("producer,valid_from,capacity\nCU001,2020-01-01,400000\n", "utf-8")
    before = db_state()
    err = refused("capacity", path)
    assert [(i.row, i.letter, i.code) for i in err.issues] == [(2, "C", "capacity_rewrite")]
    assert db_state() == before


def test_overlapping_panel_membership_is_refused(world: None, tmp_path: Path) -> None:
    path = tmp_path / "panel.csv"
    path.write_text("producer,first_period,last_period\nCU003,2025-06,\nCU001,2024-01,2025-12\n", "utf-8")
    err = refused("panel", path)
    # CU003 is in from 2024-01 to 2025-12; CU001's own membership may get an end.
    assert [(i.row, i.letter, i.code) for i in err.issues] == [(2, "B", "panel_overlap")]
    path.write_text("producer,first_period,last_period\nCU001,2024-01,2025-12\n", "utf-8")
    assert counts(run("panel", path)) == (0, 1, 0)


def test_auxiliary_needs_name_unit_and_kind_for_a_new_series(world: None, tmp_path: Path) -> None:
    path = tmp_path / "aux.csv"
    path.write_text("series,date,value\nlme_copper,2025-06-30,9800\n", "utf-8")
    err = refused("auxiliary", path)
    assert [(i.row, i.letter, i.code) for i in err.issues] == [(2, "A", "unknown_series")]
    assert "give its name and unit and kind" in err.issues[0].reason


def test_auxiliary_kind_that_contradicts_the_unit_is_refused(world: None, tmp_path: Path) -> None:
    path = tmp_path / "aux.csv"
    path.write_text("series,date,value,name,unit,kind\nport_stocks,2025-06-30,9800,Port stocks,%,stock\n", "utf-8")
    err = refused("auxiliary", path)
    assert [(i.row, i.letter, i.code) for i in err.issues] == [(2, "F", "bad_kind")]
    assert "a stock is a quantity at the month's end (e.g. mt), not in '%'" in err.issues[0].reason
    assert not AuxiliarySeries.objects.exists()


def test_event_ending_before_it_starts(world: None, tmp_path: Path) -> None:
    path = tmp_path / "ev.csv"
    path.write_text(
        "producer,start,end,capacity_affected,reason\nCU001,2025-06-10,2025-06-01,1,power\n",
        "utf-8",
    )
    err = refused("events", path)
    assert [(i.row, i.letter, i.code) for i in err.issues] == [(2, "C", "ends_before_start")]


# -- breakdowns and metal content -------------------------------------------------------------


@pytest.fixture
def npi_producer(world: None) -> None:
    """An NPI producer (metal content and a grade breakdown) in the panel."""
    do_upsert_producer("NI001", name="Coastal NPI", product="npi", actor="tester")
    do_add_capacity_record("NI001", date(2020, 1, 1), 120000.0, actor="tester")
    do_set_panel_membership("NI001", "2024-01", actor="tester")


def test_breakdown_columns_are_read_and_checked(npi_producer: None, tmp_path: Path) -> None:
    path = tmp_path / "npi.csv"
    # 6,000 + 3,000 = 9,000 = output; metal 900 of 9,000 physical.
    path.write_text(
        "producer,period,output,output_metal,schedule,grade=high-grade,Grade = Low-Grade\n"
        "NI001,2025-06,9000,900,9100,6000,3000\n",
        "utf-8",
    )
    assert counts(run("returns", path)) == (1, 0, 0)
    ret = SurveyReturn.objects.get(producer__code="NI001")
    assert (ret.output, ret.output_metal) == (9000.0, 900.0)
    assert ret.breakdown == {"grade": {"high-grade": 6000.0, "low-grade": 3000.0}}

    bad = tmp_path / "npi_bad.csv"
    bad.write_text(
        "producer,period,output,output_metal,grade=high-grade,grade=low-grade\nNI001,2025-06,9000,9500,6000,2000\n",
        "utf-8",
    )
    err = refused("returns", bad)
    # metal above physical, and a grade split adding up to 8,000 against 9,000.
    assert [(i.row, i.letter, i.code) for i in err.issues] == [
        (2, None, "breakdown_sum"),
        (2, "D", "metal_above_physical"),
    ]


def test_planned_breakdown_columns_are_read_and_checked(npi_producer: None, tmp_path: Path) -> None:
    path = tmp_path / "npi.csv"
    # Next month's schedule 9,100 = 6,100 high-grade + 3,000 low-grade (the Chinese header
    # too); August planned at 9,200.
    path.write_text(
        "producer,period,output,output_metal,schedule,schedule_after_next,grade=high-grade,grade=low-grade,"
        "schedule:grade=high-grade,排产:品位=低镍生铁\n"
        "NI001,2025-06,9000,900,9100,9200,6000,3000,6100,3000\n",
        "utf-8",
    )
    assert counts(run("returns", path)) == (1, 0, 0)
    ret = SurveyReturn.objects.get(producer__code="NI001")
    assert ret.schedule_after_next == 9200.0
    assert ret.breakdown == {"grade": {"high-grade": 6000.0, "low-grade": 3000.0}}
    assert ret.schedule_breakdown == {"grade": {"high-grade": 6100.0, "low-grade": 3000.0}}

    # A file of planned parts only keeps the actual parts in force, and its parts must add
    # up to the schedule: 6,100 + 2,000 = 8,100 against 9,100.
    bad = tmp_path / "npi_bad.csv"
    bad.write_text(
        "producer,period,output,schedule,schedule:grade=high-grade,schedule:grade=low-grade\n"
        "NI001,2025-06,9000,9100,6100,2000\n",
        "utf-8",
    )
    err = refused("returns", bad)
    assert [(i.row, i.code) for i in err.issues] == [(2, "planned_breakdown_sum")]
    assert "8,100.0" in err.issues[0].reason and "9,100.0" in err.issues[0].reason
    fixed = tmp_path / "npi_fixed.csv"
    fixed.write_text(
        "producer,period,output,schedule,schedule:grade=high-grade,schedule:grade=low-grade\n"
        "NI001,2025-06,9000,9100,7100,2000\n",
        "utf-8",
    )
    assert counts(run("returns", fixed)) == (0, 1, 0)
    ret = SurveyReturn.objects.current().get(producer__code="NI001")
    assert ret.breakdown == {"grade": {"high-grade": 6000.0, "low-grade": 3000.0}}
    assert ret.schedule_breakdown == {"grade": {"high-grade": 7100.0, "low-grade": 2000.0}}


def test_breakdown_and_metal_the_product_does_not_report(world: None, tmp_path: Path) -> None:
    path = tmp_path / "copper.csv"
    path.write_text(
        "producer,period,output,output_metal,grade=high-grade\nCU001,2025-06,28500,100,5\n",
        "utf-8",
    )
    err = refused("returns", path)
    assert [(i.row, i.letter, i.code) for i in err.issues] == [
        (2, "D", "no_metal_content"),
        (2, "E", "not_a_breakdown"),
    ]


# -- progress ---------------------------------------------------------------------------------


class RecordingProgress:
    def __init__(self) -> None:
        self.stages: list[tuple[str, int | None]] = []
        self.advanced = 0

    def stage(self, name: str, total: int | None) -> None:
        self.stages.append((name, total))

    def advance(self, n: int = 1) -> None:
        self.advanced += n


def test_progress_is_reported_by_stage(world: None) -> None:
    sink = RecordingProgress()
    run("returns", CORPUS / "returns_2025_06.csv", progress=sink)
    assert sink.stages == [
        ("reading returns_2025_06.csv", None),
        ("checking", 3),
        ("checking against the register", None),
        ("writing", 3),
    ]
    assert sink.advanced == 3


def test_rich_progress_only_for_large_files() -> None:
    from metalstat.spreadsheets.commands import RichProgress

    small = RichProgress(min_rows=2000)
    small.stage("checking", 1500)
    assert small.progress is None
    large = RichProgress(min_rows=2000)
    large.stage("checking", 2500)
    large.advance(2500)
    assert large.progress is not None
    assert large.progress.tasks[0].completed == 2500
    large.close()


def test_units_in_headers_must_be_the_products(world: None, tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text("producer,period,Output (kt),Schedule (mt)\nCU001,2025-06,28.5,29000\n", "utf-8")
    err = refused("returns", path)
    assert [(i.row, i.letter, i.code) for i in err.issues] == [(1, "C", "wrong_unit")]
    assert "the header gives the unit 'kt' but copper_cathode is reported in mt" in (err.issues[0].reason)
    path.write_text("企业代码,月份,产量（吨）,排产 (mt)\nCU001,2025-06,28500,29000\n", "utf-8")
    assert counts(run("returns", path)) == (1, 0, 0)
    cap = tmp_path / "cap.csv"
    cap.write_text("producer,valid_from,Capacity (mt/year)\nCU001,2025-09-01,400000\n", "utf-8")
    assert counts(run("capacity", cap)) == (1, 0, 0)


def test_one_confirmation_per_warning(world: None, tmp_path: Path) -> None:
    path = tmp_path / "drop.csv"
    # CU001 scheduled 28,000 for June; 20,000 is 28.6 % below (alert at 25 %), and its daily
    # rate falls from 28,000/31 = 903.2 to 20,000/30 = 666.7, -26.2 % (alert at 15 %).
    path.write_text("producer,period,output,schedule\nCU001,2025-06,20000,28000\n", "utf-8")
    err = refused("returns", path)
    assert sorted(i.code for i in err.issues) == ["far_from_schedule", "unexplained_swing"]
    assert all(i.severity == "warning" for i in err.issues)
    result = run("returns", path, confirm="smelter overhaul, confirmed by phone")
    assert counts(result) == (1, 0, 0)
    assert sorted(ValidationConfirmation.objects.values_list("rule", flat=True)) == [
        "far_from_schedule",
        "unexplained_swing",
    ]


def test_breakdown_value_of_another_product(npi_producer: None, tmp_path: Path) -> None:
    path = tmp_path / "npi.csv"
    # "battery grade" is a grade of Mn3O4, not of NPI.
    path.write_text(
        "producer,period,output,grade=high-grade,grade=battery grade\nNI001,2025-06,9000,6000,3000\n",
        "utf-8",
    )
    err = refused("returns", path)
    assert [(i.row, i.letter, i.value, i.code) for i in err.issues] == [(2, "E", "3000", "not_a_breakdown")]
    assert err.issues[0].reason == "'battery grade' is not a grade of npi: high-grade, low-grade"
