"""The data API's access log, written in batches.

Every data request keeps one ``AccessLog`` row (who, key, series, vintage, rows, format,
status, time taken, and its own time). With ``METALSTAT_ACCESS_LOG_BATCH`` above 1 (``metalstat
serve`` sets 50), a process keeps rows in memory and writes them in one statement when the
batch is full or its oldest row is ``MAX_AGE`` seconds old (checked at each request). An
analyst's preview is written at once with whatever is waiting (every preview is logged), and
the usage ``/me`` reports counts the waiting rows first. Nothing is lost on a normal shutdown:
gunicorn's ``worker_exit`` hook and the interpreter's exit write what is left; a killed process
loses at most one batch.
"""

from __future__ import annotations

import atexit
import contextlib
import threading
import time

from metalstat.core.environment import value
from metalstat.subscriptions.models import AccessLog

MAX_AGE = 2.0  # seconds a row may wait
_clock = time.monotonic

_PENDING: list[AccessLog] = []
_LOCK = threading.Lock()
_OLDEST = [0.0]  # monotonic time of the oldest waiting row


def record(entry: AccessLog, *, at_once: bool = False) -> None:
    """Keep ``entry`` (not yet saved); write the batch if it is due, or now with ``at_once``."""
    batch = max(1, int(value("METALSTAT_ACCESS_LOG_BATCH")))
    now = _clock()
    with _LOCK:
        if not _PENDING:
            _OLDEST[0] = now
        _PENDING.append(entry)
        if not (at_once or len(_PENDING) >= batch or now - _OLDEST[0] >= MAX_AGE):
            return
        rows = _take()
    _write(rows)


def flush() -> int:
    """Write every waiting row now; the number written."""
    with _LOCK:
        rows = _take()
    _write(rows)
    return len(rows)


def pending() -> int:
    with _LOCK:
        return len(_PENDING)


def _take() -> list[AccessLog]:
    rows = list(_PENDING)
    _PENDING.clear()
    return rows


def _write(rows: list[AccessLog]) -> None:
    if not rows:
        return
    try:
        AccessLog.objects.bulk_create(rows)
    except Exception:
        with _LOCK:  # kept for the next write: a failed write loses nothing
            _PENDING[:0] = rows
        raise


@atexit.register
def _at_exit() -> None:
    # The interpreter is going: a failure here has nowhere left to be told.
    with contextlib.suppress(Exception):
        flush()
