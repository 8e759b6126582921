"""Fill a ``ReportInput`` from the database, and write a month's report files.

This is the report's only module that reads the database, and it does so only through the
apps' query modules: one release's figures through ``releases.queries`` (which decides who
sees what), the month's events and capacity changes reduced to region, reason, dates and
size so that nothing identifying a producer reaches the drafting.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from metalstat.catalog import Catalog, load_catalog
from metalstat.engine.figures import FIGURES
from metalstat.engine.inputs import month_start, period_label
from metalstat.registry.queries import capacity_changes
from metalstat.releases.queries import (
    COMMAND_LINE,
    NotVisible,
    commentary_entries,
    figures_as_of,
    find_release,
    release_figures,
    release_state,
)
from metalstat.report.figureset import CHART_MONTHS, shift_month
from metalstat.report.inputs import (
    AuxiliaryObservation,
    AuxiliaryOutlook,
    AuxiliarySeries,
    CapacityChange,
    CommentaryEntry,
    MaintenanceItem,
    ReportInput,
)
from metalstat.report.output import write_documents
from metalstat.report.render import FORMATS
from metalstat.survey.queries import highlighted_series, maintenance_events

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
    user: Any = COMMAND_LINE,
    commentary_user: Any = None,
    products: Sequence[str] | None = None,
) -> ReportInput:
    """The report input for a month from the database, as ``user`` may see it.

    ``vintage`` None takes the month's newest release the user may see (for analysts and the
    command line, whatever its status: the document says on its cover when that release is
    not published). Every read goes through the apps' query modules, and the figures through
    ``releases.queries``, which decides who sees what. ``commentary_user`` reads the analysts'
    commentary (default ``user``): a reader of a released vintage may be given COMMAND_LINE
    here, since commentary drafted into a released report is published with it. ``products``
    (catalog codes) reports those only and loads only their figures: a product's section reads
    no other product's figures, so it is drafted as in the whole report (the portal drafts one
    product's page this way; tests/portal/test_drafted_section.py holds the two equal).
    """
    catalog = catalog or load_catalog()
    try:
        month = month_start(period)
    except ValueError as exc:
        raise ReportError(f"period {period!r} is not of the form YYYY-MM") from exc
    period = period_label(month)
    try:
        release = find_release(month, vintage, user=user)
    except NotVisible:
        which = f"vintage {vintage} of {period}" if vintage is not None else period
        raise ReportError(f"no release for {which}: run `metalstat run {period}` to make one first") from None
    chosen = None if products is None else {"product": sorted(set(products))}
    figures = release_figures(release, user=user, periods=_periods_quoted(period), selection=chosen)
    # last month's forecast of this month, from the releases live when this vintage was made:
    # the forecast the engine's forecast_error compares with this estimate
    prior_forecasts = figures_as_of(
        {"kind": "forecast", "measure": "production", "statistic": "level", "period": period, **(chosen or {})},
        release.created_at,
        user=user,
    ).select(list(FIGURES))

    first = month
    last = month_start(shift_month(period, 2)) - timedelta(days=1)  # end of next month
    events = tuple(MaintenanceItem(**e) for e in maintenance_events(first, last))
    changes = tuple(CapacityChange(**c) for c in capacity_changes(first, last))
    # a year back for YoY; next month for values already set (a tender price for July)
    quoted_from = month_start(shift_month(period, -13))
    auxiliary = tuple(
        AuxiliarySeries(
            code=s["code"],
            name=s["name"],
            name_zh=s["name_zh"],
            unit=s["unit"],
            product=s["product"],
            kind=s["kind"],
            observations=tuple(AuxiliaryObservation(*o) for o in s["observations"]),
            outlooks=tuple(AuxiliaryOutlook(**o) for o in s["outlooks"]),
            parts=(
                (
                    tuple(AuxiliaryObservation(*o) for o in s["parts"][0]),
                    tuple(AuxiliaryObservation(*o) for o in s["parts"][1]),
                )
                if s["parts"]
                else None
            ),
        )
        for s in highlighted_series(quoted_from, last)
    )
    commentary = tuple(CommentaryEntry(**c) for c in commentary_entries(month, user=commentary_user or user))
    return ReportInput(
        period=period,
        figures=figures,
        catalog=catalog,
        prior_forecasts=prior_forecasts,
        vintage=release.vintage,
        release_at=release.release_at,
        # A published vintage whose time has not come is under embargo, and its documents say so.
        status=release_state(release),
        events=events,
        capacity_changes=changes,
        auxiliary=auxiliary,
        commentary=commentary,
        products=None if products is None else tuple(products),
    )


def write_report(
    period: str,
    vintage: int | None = None,
    langs: Iterable[str] = DEFAULT_LANGUAGES,
    formats: Iterable[str] = FORMATS,
    out_dir: str | Path = ".",
) -> list[Path]:
    """Draft and write ``report-YYYY-MM.<lang>.<html|pdf|md|json>`` for a month's release.

    Django must be set up (``metalstat.core.startup.setup_django``). Returns the written
    paths.
    """
    inp = build_report_input(period, vintage)
    return write_documents(inp, langs, formats, out_dir)
