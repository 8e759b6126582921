"""``metalstat run YYYY-MM``: estimate a month and store it as a draft vintage."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import click

if TYPE_CHECKING:
    from datetime import datetime

    from metalstat.releases.models import Release

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _fmt(v: float | None, spec: str) -> str:
    return "—" if v is None else format(v, spec)


@click.command("run")
@click.argument("period")
@click.option("--product", "products", multiple=True, help="Only this product code (repeatable).")
@click.option("--actor", default="analyst", show_default=True, help="Who runs the cycle.")
@click.option("--note", default="", help="A note stored with the release.")
def run_cmd(period: str, products: tuple[str, ...], actor: str, note: str) -> None:
    """Run the month's cycle on the database and store its figures as a draft vintage.

    Returns with errors stop the run (nothing is stored) and are listed; warnings that an
    analyst has not confirmed are listed and must be confirmed before approval.
    """
    from metalstat.core.startup import setup_django
    from metalstat.engine.inputs import InputError, month_start

    try:
        month_start(period)
    except InputError as exc:
        raise click.ClickException(str(exc)) from exc
    setup_django()
    from rich.console import Console
    from rich.table import Table

    from metalstat.catalog import load_catalog
    from metalstat.releases.cycle import CycleBlocked, HollowMonth, run_month, summary

    console = Console()
    try:
        with console.status(f"running the cycle for {period}"):
            run = run_month(period, actor=actor, products=list(products) or None, note=note)
    except CycleBlocked as blocked:
        for r in blocked.findings.iter_rows(named=True):
            console.print(
                f"[red]error[/] {r['product']} {r['producer_id']} {r['period']:%Y-%m} {r['rule']}: {r['message']}"
            )
        raise click.ClickException(str(blocked)) from blocked
    except HollowMonth as exc:
        raise click.ClickException(str(exc)) from exc
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0])) from exc
    catalog = load_catalog()
    table = Table(title=f"{period}: release {run.release.label} (draft)")
    for col in ("product", "level", "unit", "MoM %", "YoY %", "coverage %", "response %", "flags"):
        table.add_column(col, justify="right" if col not in ("product", "unit", "flags") else "left")
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
    warnings = run.warnings
    if warnings.height:
        console.print(
            f"[yellow]{warnings.height} warning(s) need an analyst's confirmation "
            "before the release can be approved:[/]"
        )
        for r in warnings.head(50).iter_rows(named=True):
            console.print(f"  {r['product']} {r['producer_id']} {r['rule']}: {r['message']}")
    console.print(f"stored {run.result.figures.height:,} figures as {run.release.label}")


# --- the editor's side: review, approval and embargoed publication ---------------------


@click.group("release")
def release_cmd() -> None:
    """Review, approve and publish a month's vintage (publication waits for its release time)."""


def _release(period: str, vintage: int | None) -> Release:
    """The month's vintage (the newest when none is given), or a one-line error."""
    from metalstat.engine.inputs import InputError, month_start
    from metalstat.releases.models import Release

    try:
        month = month_start(period)
    except InputError as exc:
        raise click.ClickException(str(exc)) from exc
    releases = Release.objects.filter(period=month)
    if vintage is not None:
        releases = releases.filter(vintage=vintage)
    found = releases.order_by("-vintage").first()
    if found is None:
        which = f" vintage {vintage}" if vintage is not None else ""
        raise click.ClickException(f"no release of {period}{which}: run `metalstat run {period}`")
    return found


def _step(action: Callable[_P, _R], *args: _P.args, **kwargs: _P.kwargs) -> _R:
    """Run a workflow action; its refusals become one-line errors."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from metalstat.releases.actions import ReleaseError

    try:
        return action(*args, **kwargs)
    except (ReleaseError, PermissionDenied) as exc:
        raise click.ClickException(str(exc)) from exc
    except ValidationError as exc:
        raise click.ClickException("; ".join(exc.messages)) from exc


def _noted_step(action: str, period: str, vintage: int | None, *, actor: str, note: str) -> Any:
    """A workflow step that takes the release and a reason (``releases.actions.<action>``)."""
    from metalstat.core.startup import setup_django

    setup_django()
    from metalstat.releases import actions

    return _step(getattr(actions, action), _release(period, vintage), actor=actor, note=note)


_period = click.argument("period")
_vintage = click.option("--vintage", type=int, default=None, help="Default: the newest.")
_actor = click.option("--actor", required=True, help="Who takes this step (kept in the log).")


@release_cmd.command("list")
@click.option("--period", default=None, help="Only this month (YYYY-MM).")
def release_list(period: str | None) -> None:
    """The releases, newest first, with their status and release time."""
    from metalstat.core.startup import setup_django

    setup_django()
    from django.db.models import Count
    from rich.console import Console
    from rich.table import Table

    from metalstat.releases.models import Release

    rows = Release.objects.annotate(n=Count("figures")).order_by("-period", "-vintage")
    if period:
        rows = rows.filter(period=_release(period, None).period)
    table = Table(title="releases")
    for col in ("release", "status", "created by", "approved by", "release time", "figures"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r.label,
            r.status,
            r.created_by,
            r.approved_by or "",
            f"{r.release_at:%Y-%m-%d %H:%M %Z}" if r.release_at else "",
            f"{r.n:,}",
        )
    Console().print(table)


@release_cmd.command("submit")
@_period
@_vintage
@_actor
@click.option("--note", default="", help="A note for the reviewers.")
def release_submit(period: str, vintage: int | None, actor: str, note: str) -> None:
    """Send a draft vintage to review."""
    from metalstat.core.startup import setup_django

    setup_django()
    from metalstat.releases.actions import do_submit_for_review

    r = _step(do_submit_for_review, _release(period, vintage), actor=actor, note=note)
    click.echo(f"{r.label}: in review")


@release_cmd.command("approve")
@_period
@_vintage
@_actor
def release_approve(period: str, vintage: int | None, actor: str) -> None:
    """Approve a vintage in review."""
    from metalstat.core.startup import setup_django

    setup_django()
    from metalstat.releases.actions import do_approve_release

    r = _step(do_approve_release, _release(period, vintage), actor=actor)
    click.echo(f"{r.label}: approved by {actor}")


@release_cmd.command("reject")
@_period
@_vintage
@_actor
@click.option("--note", required=True, help="Why it goes back to draft.")
def release_reject(period: str, vintage: int | None, actor: str, note: str) -> None:
    """Send a vintage in review back to draft, saying why (an approved one: withdraw-approval)."""
    r = _noted_step("do_reject_release", period, vintage, actor=actor, note=note)
    click.echo(f"{r.label}: back to draft")


@release_cmd.command("withdraw-approval")
@_period
@_vintage
@_actor
@click.option("--note", required=True, help="Why the approval is withdrawn.")
def release_withdraw_approval(period: str, vintage: int | None, actor: str, note: str) -> None:
    """Take back the approval of a vintage not yet scheduled (back to draft; figures unchanged)."""
    r = _noted_step("do_withdraw_approval", period, vintage, actor=actor, note=note)
    click.echo(f"{r.label}: approval withdrawn, back to draft")


def _release_time(at: str) -> datetime:
    from datetime import datetime

    from django.utils import timezone

    try:
        naive = datetime.strptime(at, "%Y-%m-%d %H:%M")
    except ValueError as exc:
        raise click.ClickException(f"--at {at!r} is not 'YYYY-MM-DD HH:MM'") from exc
    return timezone.make_aware(naive)


@release_cmd.command("reschedule")
@_period
@_vintage
@_actor
@click.option("--at", "at", required=True, help="The new release time, 'YYYY-MM-DD HH:MM' (still to come).")
def release_reschedule(period: str, vintage: int | None, actor: str, at: str) -> None:
    """Move a scheduled vintage to another release time before it goes live."""
    from metalstat.core.startup import setup_django

    setup_django()
    from django.utils import timezone

    from metalstat.releases.actions import do_reschedule_release

    r = _step(do_reschedule_release, _release(period, vintage), actor=actor, release_at=_release_time(at))
    click.echo(f"{r.label}: moved to {timezone.localtime(r.live_at):%Y-%m-%d %H:%M %Z}")


@release_cmd.command("withdraw")
@_period
@_vintage
@_actor
@click.option("--note", required=True, help="Why it is withdrawn.")
def release_withdraw(period: str, vintage: int | None, actor: str, note: str) -> None:
    """Take a scheduled vintage back before it goes live (back to approved; nobody is told)."""
    from metalstat.core.startup import setup_django

    setup_django()
    from metalstat.releases.actions import do_withdraw_release

    r = _step(do_withdraw_release, _release(period, vintage), actor=actor, note=note)
    click.echo(f"{r.label}: withdrawn, back to {r.status}")


@release_cmd.command("publish")
@_period
@_vintage
@_actor
@click.option(
    "--at",
    "at",
    default=None,
    help="Release time, 'YYYY-MM-DD HH:MM' in the configured time zone (default: now). "
    "Until then only analysts see the figures.",
)
@click.option(
    "--backfill",
    is_flag=True,
    help="Load history that was really released at --at in the past (recorded in the vintage).",
)
def release_publish(period: str, vintage: int | None, actor: str, at: str | None, backfill: bool) -> None:
    """Publish an approved vintage at its release time (the embargo)."""
    from metalstat.core.startup import setup_django

    setup_django()
    from django.utils import timezone

    from metalstat.releases.actions import do_publish_release

    release_at = _release_time(at) if at is not None else None
    r = _step(do_publish_release, _release(period, vintage), actor=actor, release_at=release_at, backfill=backfill)
    when = timezone.localtime(r.live_at)
    state = "live" if r.live_at <= timezone.now() else "scheduled (embargoed until then)"
    click.echo(f"{r.label}: published at {when:%Y-%m-%d %H:%M %Z}, {state}")
