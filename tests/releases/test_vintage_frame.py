"""_vintage_frame (behind every figure query) gives the frame the row-by-row version gave."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import polars as pl
import pytest
from django.utils import timezone as dj_timezone
from polars.testing import assert_frame_equal

from metalstat.engine.figures import FIGURES
from metalstat.releases.actions import (
    do_approve_release,
    do_create_release,
    do_publish_release,
    do_submit_for_review,
)
from metalstat.releases.models import Figure
from metalstat.releases.queries import (
    VINTAGE_COLUMNS,
    _vintage_frame,
    figure_vintages,
    figures_as_of,
    visible_figure_frame,
)
from tests.registry.factories import COPPER, figure_row, figures, other_product

pytestmark = pytest.mark.django_db


def reference_vintage_frame(qs):  # type: ignore[no-untyped-def]
    """_vintage_frame as it was: rows from values_list, release_period formatted per row."""
    columns = [*FIGURES, "release__period", "release__vintage", "release__release_at"]
    schema = {**FIGURES, **VINTAGE_COLUMNS}
    rows = list(qs.values_list(*columns))
    frame = pl.DataFrame(rows, schema=list(schema), orient="row", infer_schema_length=None)
    return frame.with_columns(
        pl.col("release_period").map_elements(lambda d: f"{d.year:04d}-{d.month:02d}", return_dtype=pl.Utf8),
        *(pl.col(c).cast(t) for c, t in schema.items() if c != "release_period"),
    )


def _publish(period, rows, release_at):  # type: ignore[no-untyped-def]
    release = do_create_release(period, figures(rows), actor="ana")
    do_submit_for_review(release, actor="ana")
    do_approve_release(release, actor="bo")
    return do_publish_release(release, actor="bo", release_at=release_at, backfill=True)


def _rows(period: str, k: int) -> list[dict[str, object]]:
    other = other_product()
    return [
        figure_row(period=period, value=100.0 + k),
        figure_row(period=period, value=None, conf_status="C", breakdown="region=north China"),
        figure_row(period=period, breakdown="region=东部", value=-0.0, n_producers=None),
        figure_row(
            period=period,
            statistic="mom_pct",
            unit="%",
            value=1e-300,
            coverage=None,
            response_rate=None,
            imputed_share=None,
        ),
        figure_row(period=f"2025-01..{period}", statistic="ytd", value=1e12 + k),
        figure_row(product=other, period=period, value=7.25, kind="forecast", status="F"),
    ]


@pytest.fixture
def vintages() -> None:
    now = dj_timezone.now()
    _publish("2025-04", _rows("2025-04", 0), now - timedelta(days=60))
    _publish("2025-05", _rows("2025-05", 1), now - timedelta(days=30))
    _publish("2025-05", _rows("2025-05", 2), (now - timedelta(days=20)).astimezone(
        timezone(timedelta(hours=8))))  # fmt: skip
    _publish("2025-06", _rows("2025-06", 3), now + timedelta(days=1))  # embargoed
    _publish("0999-12", [figure_row(period="0999-12")], datetime(2000, 1, 1, tzinfo=UTC))


def test_vintage_frame_matches_the_row_by_row_version(vintages: None) -> None:
    for qs in (
        Figure.objects.all(),
        Figure.objects.filter(product=COPPER, statistic="level"),
        Figure.objects.filter(release__period__year=999),
        Figure.objects.none(),
    ):
        got = _vintage_frame(qs)
        expected = reference_vintage_frame(qs)
        assert got.schema == expected.schema == pl.Schema({**FIGURES, **VINTAGE_COLUMNS})
        assert_frame_equal(got, expected, check_exact=True)
    assert "0999-12" in _vintage_frame(Figure.objects.all())["release_period"].to_list()


def test_figure_queries_keep_their_shape(vintages: None) -> None:
    frame = figure_vintages()
    assert frame.columns == [*FIGURES, *VINTAGE_COLUMNS, "realtime_end"]
    assert frame.height == 4 * 6 + 1 - 6  # not the embargoed June release
    assert set(frame["release_period"]) == {"0999-12", "2025-04", "2025-05"}
    assert figures_as_of().schema == visible_figure_frame().schema
