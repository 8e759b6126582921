"""gunicorn hooks for ``metalstat serve``."""

from __future__ import annotations

from typing import Any


def post_worker_init(worker: Any) -> None:
    """Build the public series index before the worker takes its first request."""
    from django.db import connections

    from metalstat.releases.queries import current_series_index

    current_series_index(preview=False)
    connections.close_all()
    worker.log.info("series index ready")


def worker_exit(_server: Any, worker: Any) -> None:
    """Write the access-log rows still waiting before the worker goes (a normal shutdown, a
    restart, a graceful reload)."""
    from metalstat.api import accesslog

    written = accesslog.flush()
    if written:
        worker.log.info("access log: wrote %d waiting rows", written)
