"""Fill a ``ReportInput`` from the database, and write a month's report files.

This is the report's only module that touches Django; it reads one release's figures and
the month's context, reducing events and capacity changes to region, reason, dates and size
so that nothing identifying a producer reaches the drafting.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

import polars as pl

from metalstat.catalog import Catalog, load_catalog
from metalstat.engine.figures import FIGURES
from metalstat.engine.inputs import month_start, period_label
from metalstat.report.figureset import CHART_MONTHS, shift_month
from metalstat.report.inputs import (
    AuxiliaryObservation,
    AuxiliarySeries,
    CapacityChange,
    CommentaryEntry,
    MaintenanceItem,
    ReportInput,
)
from metalstat.report.output import write_documents
from metalstat.report.render import FORMATS

DEFAULT_LANGUAGES = ("en", "zh")


class ReportError(ValueError):
    """The report cannot be made: no such release, or bad arguments."""


def _periods_quoted(period: str) -> list[str]:
    """The figure periods a report quotes (so the rest of the vintage is never loaded)."""
    months = [shift_month(period, -k) for k in range(CHART_MONTHS + 1)]
    nxt = shift_month(period, 1)
    return [*months, nxt, f"{period[:4]}-01..{period}", f"{nxt[:4]}-01..{nxt}"]


def build_report_input(
    period: str,
    vintage: int | None = None,
    *,
    catalog: Catalog | None = None,
) -> ReportInput:
    """The report input for a month from the database.

    ``vintage`` None takes the month's newest release whatever its status; the document says
    on its cover when that release is not published.
    """
    from django.db.models import Q

    from metalstat.registry.models import CapacityRecord
    from metalstat.releases.models import Commentary, Figure, Release
    from metalstat.survey.models import AuxiliarySeries as AuxiliarySeriesModel
    from metalstat.survey.models import MaintenanceEvent

    catalog = catalog or load_catalog()
    try:
        month = month_start(period)
    except ValueError as exc:
        raise ReportError(f"period {period!r} is not of the form YYYY-MM") from exc
    period = period_label(month)
    releases = Release.objects.filter(period=month)
    release = (
        releases.filter(vintage=vintage).first()
        if vintage is not None
        else releases.order_by("-vintage").first()
    )
    if release is None:
        which = f"vintage {vintage} of {period}" if vintage is not None else period
        raise ReportError(f"no release for {which}: run `metalstat run {period}` to make one first")

    columns = list(FIGURES)
    rows = list(
        Figure.objects.filter(release=release, period__in=_periods_quoted(period))
        .order_by()
        .values_list(*columns)
    )
    figures = pl.DataFrame(rows, schema=FIGURES, orient="row")

    first = month
    last = month_start(shift_month(period, 2)) - timedelta(days=1)  # end of next month
    events = tuple(
        MaintenanceItem(
            product=e.producer.product,
            region=e.producer.region,
            province=e.producer.province,
            reason=e.reason,
            planned=e.planned,
            start=e.start,
            end=e.end,
            capacity_affected=e.capacity_affected,
        )
        for e in MaintenanceEvent.objects.select_related("producer")
        .filter(start__lte=last)
        .filter(Q(end__isnull=True) | Q(end__gte=first))
        .order_by("start", "pk")
    )

    changes = list(
        CapacityRecord.objects.select_related("producer")
        .filter(valid_from__gte=first, valid_from__lte=last)
        .exclude(event="")
        .order_by("valid_from", "pk")
    )
    earlier: dict[int, list[tuple[object, float]]] = defaultdict(list)
    for rec in CapacityRecord.objects.filter(
        producer_id__in={c.producer_id for c in changes}
    ).values_list("producer_id", "valid_from", "capacity"):
        earlier[rec[0]].append((rec[1], rec[2]))
    for hist in earlier.values():
        hist.sort()
    capacity_changes = []
    for c in changes:
        before = [cap for when, cap in earlier[c.producer_id] if when < c.valid_from]
        prior = before[-1] if before else 0.0
        capacity_changes.append(
            CapacityChange(
                product=c.producer.product,
                region=c.producer.region,
                province=c.producer.province,
                event=c.event,
                valid_from=c.valid_from,
                change=c.capacity - prior,
            )
        )
    # a year back for YoY; next month for values already set (a tender price for July)
    quoted_from = month_start(shift_month(period, -13))
    auxiliary = []
    for s in AuxiliarySeriesModel.objects.filter(highlighted=True).order_by("code"):
        obs = s.observations.filter(date__gte=quoted_from, date__lte=last).order_by("date")
        auxiliary.append(
            AuxiliarySeries(
                code=s.code,
                name=s.name,
                name_zh=s.name_zh or s.name,
                unit=s.unit,
                product=s.product,
                observations=tuple(AuxiliaryObservation(o.date, o.value, o.note) for o in obs),
            )
        )

    commentary = tuple(
        CommentaryEntry(
            product=c.product,
            language=c.language,
            slot=c.slot,
            mode=c.mode,
            text=c.text,
            author=c.author,
        )
        for c in Commentary.objects.filter(period=month).order_by("product", "slot", "mode")
    )
    return ReportInput(
        period=period,
        figures=figures,
        catalog=catalog,
        vintage=release.vintage,
        release_at=release.release_at,
        status=release.status,
        events=events,
        capacity_changes=tuple(capacity_changes),
        auxiliary=tuple(auxiliary),
        commentary=commentary,
    )


def write_report(
    period: str,
    vintage: int | None = None,
    langs: Iterable[str] = DEFAULT_LANGUAGES,
    formats: Iterable[str] = FORMATS,
    out_dir: str | Path = ".",
) -> list[Path]:
    """Draft and write ``report-YYYY-MM.<lang>.<html|pdf|md|json>`` for a month's release.

    Django must be set up (``metalstat.cli.setup_django``). Returns the written paths.
    """
    inp = build_report_input(period, vintage)
    return write_documents(inp, langs, formats, out_dir)
