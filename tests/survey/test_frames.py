from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from metalstat.engine.inputs import SCHEMAS
from metalstat.registry.actions import do_add_capacity_record, do_set_panel_membership
from metalstat.releases.actions import (
    do_approve_release,
    do_create_release,
    do_publish_release,
    do_submit_for_review,
)
from metalstat.releases.cycle import load_cycle_inputs
from metalstat.survey.actions import do_confirm_warning, do_record_event, do_record_return
from metalstat.survey.models import SurveyReturn
from tests.registry.factories import COPPER, figure_row, figures, make_producer, other_product

pytestmark = pytest.mark.django_db
MAY, JUNE = date(2025, 5, 1), date(2025, 6, 1)


def _publish(period: str, rows, at: datetime) -> None:
    release = do_create_release(period, figures(rows), actor="ana")
    do_submit_for_review(release, actor="ana")
    do_approve_release(release, actor="bo")
    do_publish_release(release, actor="bo", release_at=at, backfill=True)


@pytest.fixture
def world():
    other = other_product()
    make_producer("CU01", province="Jiangxi")
    make_producer("CU02")
    make_producer("OT01", product=other)
    do_add_capacity_record("CU01", date(2020, 1, 1), 400_000.0, actor="a")
    do_add_capacity_record("CU01", date(2025, 3, 1), 500_000.0, event="expansion", actor="a")
    do_add_capacity_record("CU02", date(2021, 1, 1), 100_000.0, actor="a")
    do_add_capacity_record("OT01", date(2021, 1, 1), 9.0, actor="a")
    do_set_panel_membership("CU01", "2024-01", actor="a")
    do_set_panel_membership("CU02", "2024-01", "2025-04", actor="a")
    do_set_panel_membership("OT01", "2024-01", actor="a")
    do_record_return("CU01", MAY, output=100.0, schedule=115.0, actor="a", source="phone")
    do_record_return("CU01", MAY, output=110.0, schedule=115.0, actor="a", source="phone")
    do_record_return("CU02", MAY, output=50.0, status="cut", reason="power", actor="a", source="field")
    do_record_return("OT01", JUNE, output=7.0, actor="a", source="api")
    # Stored directly: the loader hands over whatever breakdown a return holds.
    cu01 = SurveyReturn.objects.filter(producer__code="CU01").first().producer
    SurveyReturn.objects.create(
        producer=cu01,
        period=JUNE,
        output=120.0,
        operating_capacity=450_000.0,
        schedule=130.0,
        schedule_after_next=135.0,
        breakdown={"grade": {"A": 70.0, "B": 50.0}},
        schedule_breakdown={"grade": {"A": 80.0, "B": 50.0}},
        source="phone",
    )
    do_record_event(
        "CU01",
        "2025-06-10",
        reason="maintenance",
        capacity_affected=50_000.0,
        planned=False,
        actor="a",
    )
    do_confirm_warning("CU01", JUNE, "mom_change", reason="line restarted", actor="a")
    t1 = datetime(2025, 5, 31, 10, tzinfo=UTC)
    t2 = datetime(2025, 6, 3, 10, tzinfo=UTC)
    _publish(
        "2025-05",
        [
            figure_row(period="2025-05", value=160.0),
            figure_row(period="2025-06", kind="forecast", value=170.0, status="F", flags="F"),
            figure_row(period="2025-05", breakdown="region=east China", value=80.0),
            figure_row(period="2025-05", statistic="mom_pct", value=2.0, unit="%"),
            figure_row(period="2025-01..2025-05", statistic="ytd_level", value=800.0),
            figure_row(product=other, period="2025-05", value=3.0),
        ],
        t1,
    )
    _publish(
        "2025-05",
        [
            figure_row(period="2025-05", value=165.0),
            figure_row(period="2025-06", kind="forecast", value=172.0, status="F", flags="F"),
            figure_row(product=other, period="2025-05", value=3.5),
        ],
        t2,
    )
    # A draft is not history.
    do_create_release("2025-06", figures([figure_row(period="2025-06", value=999.0)]), actor="a")
    return other


def test_loader_builds_every_frame_from_the_database(world, django_assert_num_queries):
    # One query per frame (published history and prior forecasts: two each, the figures and
    # their releases), whatever the number of producers and months.
    with django_assert_num_queries(10):
        inputs = load_cycle_inputs([COPPER])
    inputs.checked()  # every frame matches the engine's schema
    for name in SCHEMAS:
        assert getattr(inputs, name).schema == pl.Schema(SCHEMAS[name]), name

    producers = inputs.producers.sort("producer_id")
    assert producers["producer_id"].to_list() == ["CU01", "CU02"]
    assert producers["province"].to_list() == ["Jiangxi", None]
    assert producers["feedstock"].to_list() == [None, None]

    cap = inputs.capacity.sort("producer_id", "valid_from")
    assert cap.rows() == [
        ("CU01", date(2020, 1, 1), 400_000.0, None),
        ("CU01", date(2025, 3, 1), 500_000.0, "expansion"),
        ("CU02", date(2021, 1, 1), 100_000.0, None),
    ]
    assert inputs.panel.sort("producer_id").rows() == [
        ("CU01", date(2024, 1, 1), None),
        ("CU02", date(2024, 1, 1), date(2025, 4, 1)),
    ]

    returns = inputs.returns.sort("producer_id", "period")
    # The latest revision only: CU01's May answer was revised from 100 to 110.
    assert returns.select("producer_id", "period", "output").rows() == [
        ("CU01", MAY, 110.0),
        ("CU01", JUNE, 120.0),
        ("CU02", MAY, 50.0),
    ]
    assert returns.filter(pl.col("producer_id") == "CU02").row(0, named=True)["status"] == "cut"
    assert inputs.return_parts.sort("value").rows() == [
        ("CU01", JUNE, "grade", "A", 70.0),
        ("CU01", JUNE, "grade", "B", 50.0),
    ]
    # The planned parts come apart the same way, in their own frame (period: the return's).
    assert inputs.schedule_parts.sort("value").rows() == [
        ("CU01", JUNE, "grade", "A", 80.0),
        ("CU01", JUNE, "grade", "B", 50.0),
    ]
    assert returns.filter(pl.col("period") == JUNE).row(0, named=True)["schedule_after_next"] == 135.0
    assert inputs.events.rows() == [("CU01", date(2025, 6, 10), None, 50_000.0, "maintenance", False)]
    assert inputs.confirmations.rows() == [("CU01", JUNE, "mom_change")]
    # The month's latest published vintage wins (165 replaced 160); drafts are not history.
    assert inputs.published_history.rows() == [(COPPER, MAY, 165.0)]
    assert inputs.prior_forecasts.rows() == [(COPPER, JUNE, 172.0)]


def test_loader_stops_survey_data_at_until(world):
    inputs = load_cycle_inputs([COPPER], until=date(2025, 5, 20))
    assert inputs.returns.select("producer_id", "period").sort("producer_id").rows() == [
        ("CU01", MAY),
        ("CU02", MAY),
    ]
    assert inputs.return_parts.height == 0
    assert inputs.confirmations.height == 0
    assert inputs.prior_forecasts.height == 0  # the June forecast is about a later month
    assert inputs.published_history.rows() == [(COPPER, MAY, 165.0)]
    assert inputs.events.height == 1  # the register is handed over whole


def test_loader_reads_all_products_by_default_and_history_as_of_a_time(world):
    other = world
    inputs = load_cycle_inputs(as_of=datetime(2025, 6, 1, tzinfo=UTC))
    assert sorted(inputs.producers["producer_id"].to_list()) == ["CU01", "CU02", "OT01"]
    # Before the second vintage went live, the first one's values were the history.
    assert sorted(inputs.published_history.rows()) == sorted([(COPPER, MAY, 160.0), (other, MAY, 3.0)])


def test_loader_on_an_empty_database():
    inputs = load_cycle_inputs()
    for name in SCHEMAS:
        frame = getattr(inputs, name)
        assert frame.height == 0 and frame.schema == pl.Schema(SCHEMAS[name])
