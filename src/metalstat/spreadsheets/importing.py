"""``import_file``: one file of a named kind, all-or-nothing (see ``core.tabular.runner``)."""

from __future__ import annotations

from pathlib import Path

from metalstat.core.changelog import Actor
from metalstat.core.tabular.runner import (
    PROGRESS_MIN_ROWS,
    ImportResult,
    ProgressSink,
    run_import,
)
from metalstat.spreadsheets.kinds import handler

__all__ = ["PROGRESS_MIN_ROWS", "ImportResult", "import_file"]


def import_file(
    kind: str,
    path: str | Path,
    *,
    actor: Actor,
    confirm: str | None = None,
    display_name: str | None = None,
    progress: ProgressSink | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import ``path`` as ``kind``; raise ImportRejected (nothing written) on any problem.

    Warnings (a value about 1,000x the producer's usual, output far from last month's
    schedule ...) stop the import too unless ``confirm`` gives the analyst's reason; then one
    ValidationConfirmation per warning is stored with that reason.
    """
    return run_import(
        handler(kind),
        path,
        actor=actor,
        confirm=confirm,
        display_name=display_name,
        progress=progress,
        dry_run=dry_run,
    )
