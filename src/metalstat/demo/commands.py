"""``metalstat demo``: the whole monthly chain on a synthetic panel, in one command.

Creates the embedded database, loads the demo panel (fictional producers calibrated to the
June 2025 report), runs and publishes the cycle for every month from January 2024 to June
2025, and writes ``figures-2025-06.json`` and the report files into the output folder.
"""

from __future__ import annotations

import json
import os
import time
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from metalstat.core.environment import value

if TYPE_CHECKING:
    from rich.console import Console

from metalstat.demo import timeline
from metalstat.demo.generator import DEFAULT_SEED


def _fresh_database(console: Console) -> str:
    """Start from an empty embedded database; a previous one with data is kept aside."""
    from django.conf import settings

    if value("DATABASE_URL"):
        return "the database at DATABASE_URL (it must be empty)"
    path = Path(str(settings.DATABASES["default"]["NAME"]))
    if path.exists() and path.stat().st_size > 0:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        kept = path.with_name(f"{path.name}.{stamp}.bak")
        path.rename(kept)
        console.print(f"kept the previous database as {kept}")
    return str(path)


def _fmt(v: float | None, spec: str) -> str:
    return "—" if v is None else format(v, spec)


@click.command("demo")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("metalstat-demo"),
    show_default=True,
    help="Folder for figures-2025-06.json and the report files.",
)
@click.option(
    "--seed",
    type=int,
    default=DEFAULT_SEED,
    show_default=True,
    help="Seed of the synthetic panel (the same seed gives the same panel).",
)
def demo_cmd(out_dir: Path, seed: int) -> None:
    """Run metalstat end to end on a synthetic panel calibrated to the June 2025 report.

    Every producer, name and return is fictional; the national figures the engine computes
    from them reproduce the figures the June 2025 report published.
    """
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from metalstat.core.startup import setup_django

    console = Console()
    started = time.perf_counter()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metalstat.project.settings")
    import django
    from django.conf import settings

    django.setup()
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    where = _fresh_database(console)
    months = list(timeline.RELEASE_MONTHS)
    columns = (
        TextColumn("{task.description:<34}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("creating the database", total=len(months) + 6)
        setup_django(migrate=True)
        progress.update(task, advance=1, description="generating the panel")
        from metalstat.demo.generator import generate

        data = generate(seed)
        progress.update(task, advance=1, description="loading the panel")
        from metalstat.demo.dissemination import late_returns
        from metalstat.demo.load import NotEmpty, load

        late = late_returns(data)
        try:
            loaded = load(late.withheld(data) if late is not None else data)
        except NotEmpty as exc:
            raise click.ClickException(f"{exc} ({where})") from exc
        progress.advance(task)
        from metalstat.demo.pipeline import DemoBlocked, run_and_publish

        def month_done(m: date) -> None:
            progress.update(task, advance=1, description=f"running and publishing {m:%Y-%m}")

        try:
            done = run_and_publish(data, months, progress=month_done, late=late)
        except DemoBlocked as exc:
            raise click.ClickException(str(exc)) from exc
        run = done[-1]
        progress.update(task, description="publishing a correction of May")
        from metalstat.demo.dissemination import demo_subscriber, demo_team, late_summary, publish_correction

        correction = publish_correction()
        user, secret, password = demo_subscriber()
        team = demo_team()
        progress.advance(task)
        progress.update(task, description="writing the figures")
        from metalstat.releases.exports import figures_payload

        out_dir.mkdir(parents=True, exist_ok=True)
        period = f"{timeline.LAST:%Y-%m}"
        figures_path = out_dir / f"figures-{period}.json"
        payload = figures_payload(run.release)
        figures_path.write_text(json.dumps(payload, ensure_ascii=False, indent=1), "utf-8")
        progress.advance(task)
        progress.update(task, description="writing the report")
        written = _write_report(period, run.release.vintage, out_dir, console)
        progress.advance(task)
    _summary(console, run, period)
    console.print(f"panel: {loaded.producers:,} fictional producers, {loaded.returns:,} returns; database: {where}")
    console.print(f"figures: {figures_path} ({len(payload['figures']):,} figures)")
    for p in written:
        console.print(f"report: {p}")
    if late is not None:
        from metalstat.catalog import load_catalog

        s = late_summary(done, late)
        name = load_catalog().get(s.product).name.lower()
        who = "; ".join(f"{code} imputed {v:,.1f} ({method}), reported {r:,.1f}" for code, method, v, r in s.producers)
        console.print(
            f"late returns: {len(s.producers)} {name} returns missed {s.first_release.label} and were "
            f"imputed ({who}); {s.revised_release.label}, published with the next month's release, has them: "
            f"level {s.first:,.1f} mt as first published, {s.revised:,.1f} mt now"
        )
    console.print(
        f"correction: {correction.release.label}, published a day after June's release "
        f"({correction.producer} corrected its May output: {correction.corrected:,.1f} mt, first "
        f"reported {correction.first:,.1f})"
    )
    # Plain print, not wrapped: the key and the line must copy and paste whole.
    click.echo(
        f"portal: run `metalstat serve`, open http://127.0.0.1:8000/ and sign in as {user} "
        f"with the password {password} (shown once)"
    )
    for member, role, member_password in team:
        click.echo(
            f"workspace: http://127.0.0.1:8000/workspace/2025-07/ as {member} ({role}) "
            f"with the password {member_password} (shown once)"
        )
    click.echo(f"data API: run `metalstat serve`, then read with the key of {user} (shown once):")
    click.echo(f"  {secret}")
    click.echo(
        "  python -c \"import pandas as pd; print(pd.read_csv('http://127.0.0.1:8000/api/v1/series/"
        "M.COPPER_CATHODE.ACT.PRODUCTION._T.LEVEL/observations.csv', "
        f"storage_options={{'Authorization': 'Bearer {secret}'}}))\""
    )
    console.print(f"done in {time.perf_counter() - started:.1f} s")


def _write_report(period: str, vintage: int, out_dir: Path, console) -> list[Path]:  # type: ignore[no-untyped-def]
    try:
        from metalstat.report.loader import write_report
    except ImportError as exc:  # the report package is optional for the demo
        console.print(f"[yellow]report files skipped: {exc}[/]")
        return []
    return list(write_report(period, vintage, out_dir=out_dir))


def _summary(console, run, period: str) -> None:  # type: ignore[no-untyped-def]
    from rich.table import Table

    from metalstat.catalog import load_catalog
    from metalstat.releases.cycle import summary

    catalog = load_catalog()
    table = Table(title=f"{period}: release {run.release.label}, published")
    for col in ("product", "level", "unit", "MoM %", "YoY %", "coverage %", "response %", "flags"):
        table.add_column(col, justify="left" if col in ("product", "unit", "flags") else "right")
    for r in summary(run.result.figures, period).iter_rows(named=True):
        table.add_row(
            catalog.get(r["product"]).name,
            _fmt(r["level"], ",.0f"),
            r["unit"],
            _fmt(r["mom_pct"], "+.2f"),
            _fmt(r["yoy_pct"], "+.2f"),
            _fmt(r["coverage"], ".1f"),
            _fmt(r["response_rate"], ".1f"),
            r["flags"],
        )
    console.print(table)


@click.command("demo-release")
@click.option("--in", "minutes", default=2.0, show_default=True, type=float, help="minutes from now")
@click.option(
    "--webhook",
    default=None,
    help="register this endpoint for the demo subscriber first (a receiver on 127.0.0.1 needs "
    "METALSTAT_WEBHOOK_ALLOW_LOOPBACK=1)",
)
def demo_release_cmd(minutes: float, webhook: str | None) -> None:
    """After `metalstat demo`: publish June again as a new vintage a few minutes ahead, to
    watch the calendar, the feed, the e-mail and the webhook at its release time (run
    `metalstat worker` beside it)."""
    from metalstat.core.startup import setup_django

    setup_django()
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from metalstat.demo.dissemination import schedule_june_again
    from metalstat.releases.actions import ReleaseError

    try:
        release, hook = schedule_june_again(minutes, webhook)
    except (ReleaseError, ValidationError) as exc:
        raise click.ClickException("; ".join(getattr(exc, "messages", [str(exc)]))) from exc
    from django.conf import settings

    at = timezone.localtime(release.live_at)
    site = str(settings.METALSTAT_SITE_URL).rstrip("/")
    click.echo(f"{release.label}: scheduled for {at:%Y-%m-%d %H:%M:%S %Z}")
    click.echo(f"  calendar (has it now): {site}/calendar.ics")
    click.echo(f"  feed (gains it then): {site}/feeds/releases.atom")
    click.echo(f"  e-mail (lands then): {settings.EMAIL_FILE_PATH}")
    if hook is not None:
        click.echo(f"  webhook: {hook.url}, signing secret {hook.secret}")
    click.echo("  then: metalstat release deliveries 2025-06   (run `metalstat worker` beside it)")
