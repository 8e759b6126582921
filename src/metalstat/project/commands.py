"""``metalstat serve``: the site (data API, admin) under gunicorn, a production WSGI server.

Static files (the API docs page's scripts, the admin's) are collected into the data folder and
served by WhiteNoise, so one command serves everything on the embedded default. Behind a
reverse proxy with several workers on PostgreSQL and Redis: docs/deployment.md.
"""

from __future__ import annotations

import os
import sys

import click

# gunicorn's access log, with the path only (%(U)s): a query-string API key is never logged.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="worker processes (about two per core)")
@click.option("--threads", default=4, show_default=True, type=int, help="threads per worker")
def serve_cmd(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the portal, the data API and the admin at http://HOST:PORT (SQLite unless
    DATABASE_URL)."""
    from metalstat.core.startup import setup_django

    setup_django(migrate=True)
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    click.echo(f"metalstat: the portal at http://{host}:{port}/, the API at /api/v1/docs ({workers} workers)")
    args = [
        *("gunicorn", "metalstat.project.wsgi:application", "--bind", f"{host}:{port}"),
        *("--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread"),
        *("--access-logfile", "-", "--access-logformat", ACCESS_LOG_FORMAT),
        *("--graceful-timeout", "10", "--timeout", "60"),
        *("--config", "python:metalstat.project.gunicorn_conf"),  # builds the index at boot
    ]
    # The workers write the API's access log in batches (each writes what is left as it exits).
    os.environ.setdefault("METALSTAT_ACCESS_LOG_BATCH", "50")
    # Replace this process with gunicorn: fixed arguments, no shell, no user text in them.
    os.execvp(sys.executable, [sys.executable, "-m", *args])  # noqa: S606
