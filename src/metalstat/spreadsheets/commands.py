"""``metalstat import``, ``metalstat export`` and ``metalstat template``."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Any

import click

from metalstat.core.environment import value

# The kinds by name, known without starting Django (their columns live in the apps'
# modules, which need it); a test holds this equal to spreadsheets.kinds.KINDS.
KINDS = ("producers", "capacity", "panel", "returns", "events", "auxiliary")

_IMPORT_EPILOG = (
    "KIND is one of: " + ", ".join(KINDS) + ". Files are CSV (UTF-8, with or without BOM) or "
    "XLSX (the sheet named after KIND, else the first). Column names ignore case and spaces; "
    "'metalstat import --columns KIND' lists them.\n\n"
    "A file with any error writes nothing; every error is listed with its file, sheet, row, "
    "column and value. Importing the same file again changes nothing; a changed return "
    "becomes a new revision."
)


def _actor_default() -> str:
    try:
        return value("METALSTAT_ACTOR") or getpass.getuser()
    except Exception:  # no user name on some containers
        return "import"


class RichProgress:
    """A progress bar on stderr for large files; silent for small ones."""

    def __init__(self, min_rows: int) -> None:
        self.min_rows = min_rows
        self.progress: Any = None
        self.task: Any = None

    def stage(self, name: str, total: int | None) -> None:
        if self.progress is None:
            if total is None or total <= self.min_rows:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

            self.progress = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self.progress.start()
        if self.task is not None:
            self.progress.update(self.task, completed=self.progress.tasks[self.task].total)
        self.task = self.progress.add_task(name, total=total)

    def advance(self, n: int = 1) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.advance(self.task, n)

    def close(self) -> None:
        if self.progress is not None:
            if self.task is not None:
                self.progress.update(self.task, completed=self.progress.tasks[self.task].total)
            self.progress.stop()


@click.command("import", epilog=_IMPORT_EPILOG)
@click.argument("kind", type=click.Choice(KINDS), metavar="KIND")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--columns", is_flag=True, help="List the columns of KIND and exit.")
@click.option(
    "--confirm",
    metavar="REASON",
    help="Accept the file's warnings (e.g. a value about 1,000x the producer's usual) "
    "with this reason; a confirmation is stored for each.",
)
@click.option(
    "--actor",
    default=_actor_default,
    show_default="your user name",
    help="Who is importing (recorded in the change log).",
)
@click.option("--dry-run", is_flag=True, help="Check everything, write nothing.")
def import_cmd(kind: str, file: Path | None, columns: bool, confirm: str | None, actor: str, dry_run: bool) -> None:
    """Import producers, capacity, panel, returns, events or auxiliary series from FILE."""
    from metalstat.core.startup import setup_django

    if columns:
        setup_django(migrate=False)
        from metalstat.core.tabular.columns import columns_help
        from metalstat.spreadsheets.kinds import SCHEMAS

        click.echo(columns_help(SCHEMAS[kind]))
        return
    if file is None:
        raise click.UsageError("give the FILE to import (or --columns to list its columns)")
    setup_django()
    from metalstat.core.tabular.errors import ImportRejected
    from metalstat.spreadsheets.importing import PROGRESS_MIN_ROWS, import_file

    progress = RichProgress(PROGRESS_MIN_ROWS)
    try:
        result = import_file(kind, file, actor=actor, confirm=confirm, progress=progress, dry_run=dry_run)
    except ImportRejected as exc:
        progress.close()
        click.echo(exc.summary(), err=True)
        for line in exc.lines():
            click.echo(f"  {line}", err=True)
        sys.exit(1)
    progress.close()
    click.echo(result.summary())


def _month(value: str | None) -> Any:
    if value is None:
        return None
    from metalstat.engine.inputs import InputError, month_start

    try:
        return month_start(value)
    except InputError as exc:
        raise click.BadParameter(str(exc), param_hint="--period") from None


@click.command("export")
@click.argument("kind", type=click.Choice(KINDS), metavar="KIND")
@click.option("--product", metavar="CODE", help="Only this catalog product.")
@click.option("--period", metavar="YYYY-MM", help="Only this month (returns, panel, events, auxiliary).")
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="FILE.csv or FILE.xlsx",
)
def export_cmd(kind: str, product: str | None, period: str | None, output: Path) -> None:
    """Write KIND out in the columns its import reads (import -> export -> import changes
    nothing)."""
    from metalstat.core.startup import setup_django

    month = _month(period)
    setup_django()
    from metalstat.spreadsheets.exports import ExportError, export_file

    try:
        n = export_file(kind, output, product=product, period=month)
    except ExportError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{output}: {n} {kind} row{'s' if n != 1 else ''} written")


@click.command("template")
@click.argument("kind", type=click.Choice(["returns"]))
@click.option("--product", metavar="CODE", required=True, help="Catalog product code.")
@click.option("--period", metavar="YYYY-MM", required=True, help="The month to collect.")
@click.option(
    "-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="FILE.xlsx"
)
def template_cmd(kind: str, product: str, period: str, output: Path) -> None:  # noqa: ARG001 (passed by click)
    """Write the returns workbook of a product and month, prefilled with the month's panel."""
    from metalstat.catalog import load_catalog

    if product not in load_catalog().codes():
        raise click.BadParameter(f"{product!r} is not a product code of the catalog", param_hint="--product")
    if output.suffix.lower() != ".xlsx":
        raise click.BadParameter("the template is an .xlsx workbook", param_hint="-o")
    month = _month(period)
    from metalstat.core.startup import setup_django

    setup_django()
    from metalstat.survey.returns_template import write_template

    n = write_template(product, month, output)
    note = "" if n else " (no panel members in that month: add them with metalstat import panel)"
    click.echo(f"{output}: {product} {period}, {n} producer{'s' if n != 1 else ''}{note}")
