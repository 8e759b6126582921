"""``metalstat report YYYY-MM``: write a month's report from its release in the database."""

from __future__ import annotations

import re
import time
from pathlib import Path

import click

from metalstat.report.language import available_languages
from metalstat.report.render import FORMATS


def _period(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """A click callback (click passes the context and parameter; a month needs neither)."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise click.BadParameter(f"{value!r} is not a month of the form YYYY-MM")
    return value


@click.command("report")
@click.argument("period", callback=_period)
@click.option("--vintage", type=int, default=None, help="Release vintage (default: the newest).")
@click.option(
    "--lang",
    "lang",
    type=click.Choice([*available_languages(), "all"]),
    default="all",
    show_default=True,
    help="Language of the report.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice([*FORMATS, "all"]),
    default="all",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder to write the files into.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Check the drafts for consistency with the vintage instead of writing files; "
    "exit status 1 when a statement does not check out.",
)
def report_cmd(period: str, vintage: int | None, lang: str, fmt: str, out_dir: Path, check: bool) -> None:
    """Draft the monthly report of PERIOD (YYYY-MM) as HTML, PDF, Markdown and JSON."""
    from metalstat.core.startup import setup_django

    setup_django()
    from metalstat.report.loader import ReportError, build_report_input, write_report

    langs = list(available_languages()) if lang == "all" else [lang]
    if check:
        from metalstat.report.consistency import check_input

        try:
            problems = check_input(build_report_input(period, vintage), langs)
        except ReportError as exc:
            raise click.ClickException(str(exc)) from exc
        for problem in problems:
            click.echo(str(problem))
        click.echo(f"{len(problems)} problem(s) in the {period} report ({', '.join(langs)})", err=True)
        raise SystemExit(1 if problems else 0)
    formats = list(FORMATS) if fmt == "all" else [fmt]
    started = time.perf_counter()
    try:
        paths = write_report(period, vintage, langs, formats, out_dir)
    except ReportError as exc:
        raise click.ClickException(str(exc)) from exc
    for path in paths:
        click.echo(str(path))
    click.echo(f"{len(paths)} file(s) in {time.perf_counter() - started:.1f} s", err=True)
