"""``metalstat worker`` (runs the task queue: release-time delivery) and ``metalstat release
deliveries YYYY-MM`` (the spread between a release's time and each delivery)."""

from __future__ import annotations

import statistics

import click

from metalstat.releases.commands import release_cmd


@click.command("worker")
@click.option("--interval", default=1.0, show_default=True, type=float, help="seconds between looks for due tasks")
@click.option("--batch", is_flag=True, help="run every task that is due, then stop")
@click.option("--max-tasks", default=None, type=int, help="stop after this many tasks")
@click.option("--worker-id", default=None, help="a name unique among the workers (default: random)")
def worker_cmd(interval: float, batch: bool, max_tasks: int | None, worker_id: str | None) -> None:
    """Run the task queue (the database backend): release-time e-mail and webhooks. Run one or
    more beside `metalstat serve`; on PostgreSQL any number share the work."""
    from metalstat.core.startup import setup_django

    setup_django(migrate=False)
    from django.core.management import call_command

    from metalstat.delivery.tasks import resume

    queued = resume()
    if queued:
        click.echo(f"metalstat worker: queued {queued} task(s) left unfinished", err=True)
    options: dict[str, object] = {"interval": interval, "batch": batch, "reload": False, "verbosity": 1}
    if max_tasks is not None:
        options["max_tasks"] = max_tasks
    if worker_id:
        options["worker_id"] = worker_id
    call_command("db_worker", **options)


def _seconds(values: list[float]) -> str:
    if not values:
        return "–"
    return f"{min(values):.3f} / {statistics.median(values):.3f} / {max(values):.3f}"


@release_cmd.command("deliveries")
@click.argument("period")
def deliveries_cmd(period: str) -> None:
    """Per release of the month and channel: how many deliveries, how they ended, and the
    spread between the release time and each delivery (seconds: min / median / max)."""
    from metalstat.core.startup import setup_django

    setup_django(migrate=False)
    from metalstat.delivery.reports import delivery_spread
    from metalstat.engine.inputs import InputError

    try:
        rows = delivery_spread(period)
    except InputError as exc:
        raise click.ClickException(str(exc)) from exc
    if not rows:
        click.echo(f"no deliveries for {period}")
        return
    click.echo(
        f"{'release':<12} {'channel':<8} {'total':>6} {'sent':>6} {'waiting':>7} {'skipped':>7} "
        f"{'failed':>6} {'attempts failed':>15}  spread s (min / median / max)"
    )
    for r in rows:
        click.echo(
            f"{r.release:<12} {r.channel:<8} {r.total:>6} {r.sent:>6} {r.waiting:>7} {r.skipped:>7} "
            f"{r.failed:>6} {r.failed_attempts:>15}  {_seconds(r.spread)}"
        )


__all__ = ["release_cmd", "worker_cmd"]
