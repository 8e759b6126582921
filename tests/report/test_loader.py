"""From the database to the report: a release made by the engine, the month's events,
auxiliary series and the analyst's commentary."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from metalstat.engine.calendar import months_between
from metalstat.registry.actions import (
    do_add_capacity_record,
    do_set_panel_membership,
    do_upsert_producer,
)
from metalstat.releases.actions import do_set_commentary
from metalstat.releases.cycle import run_month
from metalstat.report import draft_report
from metalstat.report.loader import ReportError, build_report_input, write_report
from metalstat.survey.actions import (
    do_record_auxiliary_observation,
    do_record_event,
    do_record_return,
    do_upsert_auxiliary_series,
)

pytestmark = pytest.mark.django_db

PRODUCERS = ("CU-A", "CU-B", "CU-C", "CU-D")


def _month() -> None:
    """Four copper smelters of 365,000 t/year making 20,000 t a month; June 2025: 81,000 t."""
    for code in PRODUCERS:
        do_upsert_producer(
            code,
            actor="test",
            name=f"Secret Smelter {code}",
            name_zh=f"保密冶炼厂{code}",
            product="copper_cathode",
            province="Jiangxi",
            region="east China",
            nature="private",
            feedstock="copper concentrate",
        )
        do_add_capacity_record(code, date(2020, 1, 1), 365_000, event="commissioning", actor="test")
        do_set_panel_membership(code, date(2020, 1, 1), actor="test")
        for m in months_between(date(2024, 6, 1), date(2025, 5, 1)):
            do_record_return(code, m, output=20_000, schedule=20_000, status="normal", actor="test", source="phone")
    for code, output in zip(PRODUCERS, (21_000, 20_000, 20_000, 20_000), strict=True):
        do_record_return(code, "2025-06", output=output, schedule=20_500, status="normal", actor="test", source="phone")
    do_record_event(
        "CU-B",
        date(2025, 6, 3),
        end=date(2025, 6, 12),
        reason="maintenance",
        capacity_affected=100_000,
        planned=True,
        actor="test",
    )
    do_upsert_auxiliary_series(
        "port_cu_conc",
        actor="test",
        name="Port concentrate stocks",
        name_zh="港口铜精矿库存",
        unit="mt",
        kind="stock",
        product="copper_cathode",
        highlighted=True,
    )
    do_record_auxiliary_observation("port_cu_conc", date(2025, 5, 30), 795_900, actor="test")
    do_record_auxiliary_observation("port_cu_conc", date(2025, 6, 27), 623_500, actor="test")
    run_month("2025-06", actor="analyst", products=["copper_cathode"])


def test_report_from_the_database_and_commentary_in_the_next_render(tmp_path):
    _month()
    inp = build_report_input("2025-06")
    assert inp.vintage == 1 and inp.status == "draft"
    assert [e.region for e in inp.events] == ["east China"]
    report = draft_report(inp, "en")
    (section,) = report.sections
    text = " ".join(p.text for p in section.paragraphs + section.annex)
    # 21,000 + 3 x 20,000 = 81,000 t against 80,000 in May and June 2024: +1.25 %
    assert "China's copper cathode production was 81,000 mt in June 2025" in text
    assert "up 1.25% (1,000 mt) MoM" in text
    # 30 days against 31: the daily average 2,700 against 80,000 / 31 = 2,580.6, +4.63 %
    assert "Over 30 days against 31 in May" in text
    assert "the daily average edged up by 4.63%" in text
    assert "maintenance in east China (1 producer, planned)" in text
    assert "623,500 mt on 27 June 2025" in text
    assert "Secret Smelter" not in text and "CU-B" not in text

    do_set_commentary(
        "2025-06", "copper_cathode", "drivers", "Acid prices kept margins up.", mode="after", actor="analyst"
    )
    do_set_commentary(
        "2025-06", "copper_cathode", "production", "铜产量小幅回升。", language="zh", mode="replace", actor="analyst"
    )
    paths = write_report("2025-06", langs=["en", "zh"], formats=["html", "json"], out_dir=tmp_path)
    assert sorted(p.name for p in paths) == [
        "report-2025-06.en.html",
        "report-2025-06.en.json",
        "report-2025-06.zh.html",
        "report-2025-06.zh.json",
    ]
    en_html = (tmp_path / "report-2025-06.en.html").read_text("utf-8")
    assert "Acid prices kept margins up." in en_html
    zh = json.loads((tmp_path / "report-2025-06.zh.json").read_text("utf-8"))
    production = [p for p in zh["products"][0]["paragraphs"] if p["slot"] == "production"]
    assert production == [{"slot": "production", "source": "analyst", "author": "analyst", "text": "铜产量小幅回升。"}]
    for path in tmp_path.iterdir():
        body = path.read_text("utf-8")
        assert "Secret Smelter" not in body and "保密冶炼厂" not in body


def test_missing_release_is_a_clear_error():
    with pytest.raises(ReportError, match="no release for 2025-06: run `metalstat run 2025-06`"):
        build_report_input("2025-06")
    with pytest.raises(ReportError, match="YYYY-MM"):
        build_report_input("June")


def test_report_command(tmp_path):
    from metalstat.cli import cli

    _month()
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["report", "2025-06", "--lang", "en", "--format", "md", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "report-2025-06.en.md").is_file()
    assert "81,000 mt" in (out / "report-2025-06.en.md").read_text("utf-8")
    bad = CliRunner().invoke(cli, ["report", "2025-13"])
    assert bad.exit_code != 0 and "YYYY-MM" in bad.output
    none = CliRunner().invoke(cli, ["report", "2025-06", "--vintage", "7", "--out", str(out)])
    assert none.exit_code != 0 and "no release for vintage 7 of 2025-06" in none.output


def test_an_embargoed_vintage_is_drafted_as_embargoed_not_published() -> None:
    from datetime import timedelta

    from django.utils import timezone

    from metalstat.releases.actions import do_approve_release, do_publish_release, do_submit_for_review

    _month()
    release = run_month("2025-06", actor="ana").release
    do_submit_for_review(release, actor="ana")
    do_approve_release(release, actor="bo")
    do_publish_release(release, actor="bo", release_at=timezone.now() + timedelta(days=365))
    inp = build_report_input("2025-06")
    assert inp.status == "embargoed"
    from metalstat.report import render_markdown

    markdown = render_markdown(draft_report(inp, "en"))
    assert "Status: embargoed until its release time" in markdown
    assert "Not released: this edition has not been published" in markdown


def test_the_vintage_keeps_market_figures_and_the_api_serves_the_outlook():
    """An analyst's outlook for July is kept in June's vintage as a forecast figure of the
    series, stated in the report with its source, and served by the API under its ID once
    the release is public."""
    from datetime import timedelta

    from django.core.cache import cache
    from django.test import Client
    from django.utils import timezone

    from metalstat.releases.actions import do_approve_release, do_publish_release, do_submit_for_review
    from metalstat.releases.models import Figure
    from metalstat.subscriptions.actions import (
        do_add_subscriber,
        do_create_api_key,
        do_create_organisation,
        do_grant_subscription,
    )
    from metalstat.survey.actions import do_record_auxiliary_outlook

    do_upsert_auxiliary_series(
        "sulphuric_acid_price", name="Sulphuric acid price", name_zh="硫酸价格", unit="yuan/mt", kind="price",
        product="copper_cathode", highlighted=True, actor="test",
    )  # fmt: skip
    do_record_auxiliary_observation("sulphuric_acid_price", date(2025, 5, 30), 680, actor="test")
    do_record_auxiliary_observation("sulphuric_acid_price", date(2025, 6, 27), 700, actor="test")
    do_record_auxiliary_outlook(
        "sulphuric_acid_price", "2025-07", 728, source="contracts", detail="July contracts", detail_zh="7月合同",
        actor="test",
    )  # fmt: skip
    _month()
    kept = {
        (f.kind, f.statistic, f.period): f.value
        for f in Figure.objects.filter(measure="auxiliary", breakdown="series=sulphuric_acid_price")
    }
    # June 700 against May 680: +20, +2.94 %; July's outlook 728 against June: +28, +4.00 %
    assert kept[("actual", "level", "2025-06")] == 700
    assert kept[("actual", "mom_abs", "2025-06")] == 20
    assert kept[("forecast", "level", "2025-07")] == 728
    assert kept[("forecast", "mom_pct", "2025-07")] == pytest.approx(4.0)
    section = draft_report(build_report_input("2025-06"), "en").sections[0]
    text = " ".join(p.text for p in section.paragraphs)  # on the product's page, in its outlook
    assert "Sulphuric acid price is expected at 728 yuan/mt in July, up 28 yuan/mt (4.00%) from June" in text

    release = Figure.objects.first().release
    do_submit_for_review(release, actor="ana")
    do_approve_release(release, actor="bo")
    do_publish_release(release, actor="bo", release_at=timezone.now() - timedelta(minutes=1), backfill=True)
    org = do_create_organisation("Desk One", actor="admin")
    do_grant_subscription(org, "Base metals", groups=["base_metals"], actor="admin")
    key = do_create_api_key(do_add_subscriber("trader", org, actor="admin").user, "notebook", actor="admin")[1]
    cache.clear()
    sid = "M.COPPER_CATHODE.FCST.AUXILIARY.SERIES=SULPHURIC_ACID_PRICE.MOM_PCT"
    r = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get(f"/api/v1/series/{sid}/observations")
    assert r.status_code == 200, r.content
    assert [(row["period"], round(row["value"], 2)) for row in r.json()["rows"]] == [("2025-07", 4.0)]
