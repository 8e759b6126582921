"""``run_month`` and ``metalstat run`` on the database: the engine's figures stored as a draft
vintage, and a month with an error return stored not at all."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from metalstat.engine.calendar import months_between
from metalstat.registry.actions import (
    do_add_capacity_record,
    do_set_panel_membership,
    do_upsert_producer,
)
from metalstat.releases.cycle import CycleBlocked, run_month
from metalstat.releases.models import Figure, Release
from metalstat.survey.actions import do_record_return

pytestmark = pytest.mark.django_db


def _panel() -> None:
    """Four copper smelters of 365,000 t/year, steady at 20,000 t a month since 2024."""
    for code in ("CU-A", "CU-B", "CU-C", "CU-D"):
        do_upsert_producer(
            code,
            actor="test",
            name=f"Smelter {code}",
            product="copper_cathode",
            province="Jiangxi",
            region="east China",
            nature="private",
            feedstock="copper concentrate",
        )
        do_add_capacity_record(code, date(2020, 1, 1), 365_000, event="commissioning", actor="test")
        do_set_panel_membership(code, date(2020, 1, 1), actor="test")
        for m in months_between(date(2024, 1, 1), date(2025, 5, 1)):
            do_record_return(code, m, output=20_000, schedule=20_000, status="normal", actor="test", source="phone")


def test_run_month_stores_a_draft_vintage_with_the_engines_figures() -> None:
    _panel()
    do_record_return("CU-A", "2025-06", output=21_000, status="normal", actor="t", source="phone")
    do_record_return("CU-B", "2025-06", output=19_000, status="normal", actor="t", source="phone")
    do_record_return("CU-D", "2025-06", output=20_000, status="normal", actor="t", source="phone")
    run = run_month("2025-06", actor="analyst", products=["copper_cathode"])
    assert run.release.vintage == 1 and run.release.status == "draft"
    level = Figure.objects.get(
        release=run.release,
        product="copper_cathode",
        kind="actual",
        measure="production",
        breakdown="",
        statistic="level",
        period="2025-06",
    )
    # CU-C imputed from its May schedule (20,000): 21,000 + 19,000 + 20,000 + 20,000.
    # Response 3 of 4 is above copper's minimum (70%), so the estimate is published.
    assert level.value == pytest.approx(80_000)
    assert level.status == "P" and level.flags == "P,E"
    assert Figure.objects.filter(release=run.release).count() == run.result.figures.height
    assert run.release.metadata["imputations"][0]["method"] == "schedule"
    again = run_month("2025-06", actor="analyst", products=["copper_cathode"])
    assert again.release.vintage == 2


def test_a_month_with_an_error_return_stores_nothing() -> None:
    _panel()
    do_record_return("CU-A", "2025-06", output=90_000, status="normal", actor="t", source="phone")
    with pytest.raises(CycleBlocked) as blocked:
        run_month("2025-06", actor="analyst", products=["copper_cathode"])
    assert blocked.value.findings.get_column("rule").to_list() == ["above_capacity"]
    assert not Release.objects.exists()


def test_run_command_prints_the_summary(settings) -> None:  # type: ignore[no-untyped-def]
    from metalstat.cli import cli

    _panel()
    result = CliRunner(env={"COLUMNS": "160"}).invoke(cli, ["run", "2025-05", "--product", "copper_cathode"])
    assert result.exit_code == 0, result.output
    assert "Copper Cathode" in result.output and "80,000" in result.output
    bad = CliRunner().invoke(cli, ["run", "2025-13"])
    assert bad.exit_code != 0 and "YYYY-MM" in bad.output


def test_a_month_without_any_publishable_estimate_is_not_stored() -> None:
    from metalstat.releases.cycle import HollowMonth

    _panel()  # returns up to May 2025 only: a month far later has none at all
    with pytest.raises(HollowMonth, match="2026-03: no product has a publishable estimate"):
        run_month("2026-03", actor="analyst", products=["copper_cathode"])
    assert not Release.objects.filter(period=date(2026, 3, 1)).exists()
    from metalstat.cli import cli

    result = CliRunner().invoke(cli, ["run", "2026-03"])
    assert result.exit_code == 1 and "nothing was stored" in result.output and "Traceback" not in result.output
