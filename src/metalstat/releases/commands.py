"""``metalstat run YYYY-MM``: estimate a month and store it as a draft vintage."""

from __future__ import annotations

import click


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
    from metalstat.cli import setup_django
    from metalstat.engine.inputs import InputError, month_start

    try:
        month_start(period)
    except InputError as exc:
        raise click.ClickException(str(exc)) from exc
    setup_django()
    from rich.console import Console
    from rich.table import Table

    from metalstat.catalog import load_catalog
    from metalstat.releases.cycle import CycleBlocked, run_month, summary

    console = Console()
    try:
        with console.status(f"running the cycle for {period}"):
            run = run_month(period, actor=actor, products=list(products) or None, note=note)
    except CycleBlocked as blocked:
        for r in blocked.findings.iter_rows(named=True):
            console.print(f"[red]error[/] {r['product']} {r['producer_id']} {r['period']:%Y-%m} "
                          f"{r['rule']}: {r['message']}")  # fmt: skip
        raise click.ClickException(str(blocked)) from blocked
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0])) from exc
    catalog = load_catalog()
    table = Table(title=f"{period}: release {run.release.label} (draft)")
    for col in ("product", "level", "unit", "MoM %", "YoY %", "coverage %", "response %", "flags"):
        table.add_column(
            col, justify="right" if col not in ("product", "unit", "flags") else "left"
        )
    for r in summary(run.result.figures, period).iter_rows(named=True):
        table.add_row(
            catalog.get(r["product"]).name, _fmt(r["level"], ",.0f"), r["unit"],
            _fmt(r["mom_pct"], "+.2f"), _fmt(r["yoy_pct"], "+.2f"), _fmt(r["coverage"], ".1f"),
            _fmt(r["response_rate"], ".1f"), r["flags"],
        )  # fmt: skip
    console.print(table)
    warnings = run.warnings
    if warnings.height:
        console.print(f"[yellow]{warnings.height} warning(s) need an analyst's confirmation "
                      "before the release can be approved:[/]")  # fmt: skip
        for r in warnings.head(50).iter_rows(named=True):
            console.print(f"  {r['product']} {r['producer_id']} {r['rule']}: {r['message']}")
    console.print(f"stored {run.result.figures.height:,} figures as {run.release.label}")
