"""A stored vintage keeps its findings, the status of every completed cell and its weighted
sample, written with its figures; a figure traces back to its returns. Hand-computed."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import F, Sum

from metalstat.releases.cycle import run_month
from metalstat.releases.models import CellStatus, Figure, Finding, Release, SampleUnit
from metalstat.survey.actions import do_record_return
from tests.releases.test_run_month import _panel

pytestmark = pytest.mark.django_db
JUNE = date(2025, 6, 1)


def _june() -> Release:
    """May: four smelters at 20,000, each scheduling 20,000. June: A 21,000 (first said
    22,000, then corrected), B 19,000, C silent, D 12,000 with no reason (a swing and far
    from its schedule: two warnings)."""
    _panel()
    do_record_return("CU-A", "2025-06", output=22_000, operating_capacity=365_000, actor="t", source="phone")
    do_record_return("CU-A", "2025-06", output=21_000, operating_capacity=365_000, actor="t", source="phone")
    do_record_return("CU-B", "2025-06", output=19_000, operating_capacity=365_000, actor="t", source="phone")
    do_record_return("CU-D", "2025-06", output=12_000, operating_capacity=365_000, actor="t", source="phone")
    return run_month("2025-06", actor="analyst", products=["copper_cathode"]).release


def test_findings_are_stored_one_row_each_with_field_and_value() -> None:
    release = _june()
    found = {f.rule: f for f in Finding.objects.filter(release=release, producer="CU-D", period=JUNE)}
    assert set(found) == {"unexplained_swing", "far_from_schedule"}
    swing, gap = found["unexplained_swing"], found["far_from_schedule"]
    # Daily output 12,000/30 = 400 against May's 20,000/31 = 645.16: -38.0%.
    assert swing.value == pytest.approx((400 / (20_000 / 31) - 1) * 100)
    # 12,000 against the 20,000 scheduled: -40%.
    assert gap.value == pytest.approx(-40.0)
    assert (gap.field, gap.severity, gap.product, gap.confirmed) == ("output", "warning", "copper_cathode", False)


def test_every_cell_has_its_status_reported_edited_or_imputed() -> None:
    release = _june()
    june = {(c.producer, c.field): c for c in CellStatus.objects.filter(release=release, period=JUNE)}
    assert (june["CU-A", "output"].status, june["CU-A", "output"].method) == ("edited", "revision 2")
    assert june["CU-A", "output"].value == pytest.approx(21_000)
    assert june["CU-B", "output"].status == "reported"
    c = june["CU-C", "output"]
    assert (c.status, c.method, c.value) == ("imputed", "schedule", pytest.approx(20_000))
    # C's operating capacity: its 365,000 × the share running among A, B, D (all at full).
    opcap = june["CU-C", "operating_capacity"]
    assert (opcap.status, opcap.method, opcap.value) == ("imputed", "running_share", pytest.approx(365_000))
    # May is in the window too: every producer reported there.
    may = CellStatus.objects.filter(release=release, period=date(2025, 5, 1), field="output")
    assert sorted(may.values_list("status", flat=True)) == ["reported"] * 4


def test_the_weighted_sample_adds_up_to_the_published_level() -> None:
    release = _june()
    sample = SampleUnit.objects.filter(release=release, product="copper_cathode", period=JUNE)
    # One stratum fully in the sample: every weight is C/c = 1.
    assert sorted(sample.values_list("weight", flat=True)) == [pytest.approx(1.0)] * 4
    assert sample.get(producer="CU-C").method == "schedule"
    total = sample.aggregate(t=Sum(F("weight") * F("value")))["t"]
    level = Figure.objects.get(
        release=release,
        product="copper_cathode",
        kind="actual",
        measure="production",
        breakdown="",
        statistic="level",
        period="2025-06",
    )
    # 21,000 + 19,000 + 20,000 (C, imputed) + 12,000 = 72,000.
    assert total == pytest.approx(72_000) == level.value


def test_nothing_of_the_lineage_is_kept_when_the_run_is_blocked() -> None:
    from metalstat.releases.cycle import CycleBlocked

    _panel()
    do_record_return("CU-A", "2025-06", output=90_000, actor="t", source="phone")
    with pytest.raises(CycleBlocked):
        run_month("2025-06", actor="analyst", products=["copper_cathode"])
    assert not Finding.objects.exists() and not CellStatus.objects.exists() and not SampleUnit.objects.exists()
