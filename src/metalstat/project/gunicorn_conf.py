"""gunicorn hooks for ``metalstat serve``."""

from __future__ import annotations

from typing import Any


def post_worker_init(worker: Any) -> None:
    """Before the worker takes its first request: build the public series index, and compile
    the report's paragraph templates of every language (about a second each, paid otherwise by
    the first product page of each language: its drafted analysis)."""
    from django.db import connections

    from metalstat.portal.pages import compile_report_languages
    from metalstat.releases.queries import current_series_index

    current_series_index(preview=False)
    connections.close_all()
    compile_report_languages()
    worker.log.info("series index and report templates ready")


def worker_exit(_server: Any, worker: Any) -> None:
    """Write the access-log rows still waiting before the worker goes (a normal shutdown, a
    restart, a graceful reload)."""
    from metalstat.api import accesslog

    written = accesslog.flush()
    if written:
        worker.log.info("access log: wrote %d waiting rows", written)
