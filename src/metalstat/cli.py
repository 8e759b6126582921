"""The ``metalstat`` command line.

Subcommands live beside the box they belong to and are imported only when called, so
``metalstat catalog`` does not start Django and ``metalstat --help`` stays fast.
"""

from __future__ import annotations

import importlib
import json
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from typing_extensions import override

# name -> "module:attribute" of a click command.
COMMANDS: dict[str, str] = {
    "init": "metalstat.cli:init_cmd",
    "catalog": "metalstat.cli:catalog_cmd",
    "rules": "metalstat.cli:rules_cmd",
    "import": "metalstat.spreadsheets.commands:import_cmd",
    "export": "metalstat.spreadsheets.commands:export_cmd",
    "template": "metalstat.spreadsheets.commands:template_cmd",
    "run": "metalstat.releases.commands:run_cmd",
    "release": "metalstat.delivery.commands:release_cmd",  # releases' group, with `deliveries`
    "demo": "metalstat.demo.commands:demo_cmd",
    "demo-release": "metalstat.demo.commands:demo_release_cmd",
    "report": "metalstat.report.commands:report_cmd",
    "serve": "metalstat.project.commands:serve_cmd",
    "worker": "metalstat.delivery.commands:worker_cmd",
}


class LazyGroup(click.Group):
    @override
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    @override
    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attr = target.split(":")
        try:
            cmd = getattr(importlib.import_module(module), attr)
        except ModuleNotFoundError as exc:
            # A missing third-party package: say which and how to get it. Any other import
            # error is a bug and keeps its traceback.
            if exc.name and exc.name.split(".")[0] == "metalstat":
                raise
            return _unavailable(cmd_name, exc)
        if not isinstance(cmd, click.Command):
            raise TypeError(f"{target} is not a click command")
        return cmd


def _unavailable(cmd_name: str, exc: ModuleNotFoundError) -> click.Command:
    reason = (
        f"metalstat {cmd_name} cannot run: the package {exc.name!r} is not installed "
        f"({exc}). Install metalstat with its dependencies (pip install metalstat, or "
        "make setup in a checkout)."
    )

    @click.command(cmd_name, help=f"(cannot run: package {exc.name!r} is missing)")
    def unavailable() -> None:
        raise click.ClickException(reason)

    return unavailable


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="metalstat")
def cli() -> None:
    """metalstat: monthly metal-production statistics from a panel survey of producers."""


@click.command("init")
def init_cmd() -> None:
    """Create or upgrade the database (SQLite in the data folder unless DATABASE_URL is set)."""
    from metalstat.core.startup import setup_django

    setup_django(migrate=True)
    from django.db import connection

    click.echo(f"database ready: {connection.vendor} {connection.settings_dict['NAME']}")


@click.command("catalog")
@click.option("--json", "as_json", is_flag=True, help="Print the whole catalog as JSON.")
def catalog_cmd(as_json: bool) -> None:
    """List the products of the catalog, in the report's order."""
    from metalstat.catalog import load_catalog

    catalog = load_catalog()
    if as_json:
        data: list[dict[str, Any]] = [p.model_dump(mode="json") for p in catalog]
        click.echo(json.dumps({"products": data}, ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"metalstat catalog: {len(catalog)} products")
    for col in ("#", "code", "name", "中文", "group", "scope", "unit", "content", "op. rate"):
        table.add_column(col)
    for i, p in enumerate(catalog, 1):
        table.add_row(
            str(i),
            p.code,
            p.name,
            p.name_zh,
            p.group,
            p.scope,
            p.unit,
            p.content,
            p.operating_rate,
        )
    Console().print(table)


@click.command("rules")
@click.option("--json", "as_json", is_flag=True, help="Print the rules as JSON.")
def rules_cmd(as_json: bool) -> None:
    """List the validation rules applied to survey returns."""
    from metalstat.engine.validate import RULES

    if as_json:
        click.echo(json.dumps([r.describe() for r in RULES], ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="validation rules")
    for col in ("id", "severity", "label", "message"):
        table.add_column(col)
    for r in RULES:
        d = r.describe()
        table.add_row(d["id"], d["severity"], d["label"], d["message"])
    Console().print(table)


def _refusal(exc: Exception) -> str | None:
    """One line for an error a user can act on (another writer, no database), else None."""
    from django.db import DatabaseError

    from metalstat.core.locks import Busy, is_lock_failure

    if isinstance(exc, Busy):
        return str(exc)
    if is_lock_failure(exc):
        return "another process held the database for too long (METALSTAT_LOCK_TIMEOUT); nothing was written, try again"
    if isinstance(exc, DatabaseError):
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "no such table" in text or ("does not exist" in text and "relation" in text):
            return f"the database is not set up ({text}): run `metalstat init` first"
        if "connection" in text.lower() or "could not connect" in text.lower():
            return f"cannot reach the database ({text}): check DATABASE_URL and that the server runs"
    return None


def _log_unforeseen(exc: Exception) -> Path:
    """Append the traceback, the time and the command to the data folder's error log."""
    from metalstat.core.environment import value

    log = Path(value("METALSTAT_DATA_DIR")).resolve() / "logs" / "errors.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a", encoding="utf-8") as out:
        out.write(f"--- {datetime.now(UTC).isoformat(timespec='seconds')} metalstat {' '.join(sys.argv[1:])}\n")
        out.write("".join(traceback.format_exception(exc)))
    return log


def main() -> None:
    """Run the command line; what goes wrong ends in one line, never a traceback.

    Click reports usage errors (exit 2) and refusals (``ClickException``, exit 1) itself.
    Another writer holding the lock or a database not reachable is one line too (exit 1);
    anything unforeseen is a short line naming the error log, where the traceback is kept
    (``METALSTAT_DEBUG=1`` shows it instead).
    """
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        from metalstat.core.environment import flag

        if flag("METALSTAT_DEBUG"):
            raise
        refusal = _refusal(exc)
        if refusal is not None:
            click.echo(f"Error: {refusal}", err=True)
            sys.exit(1)
        log = _log_unforeseen(exc)
        click.echo(
            f"Error: unexpected {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}\n"
            f"The details are in {log}; please send them with the command you ran.",
            err=True,
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
