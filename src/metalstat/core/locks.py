"""Writers that must not interleave take turns: an import, or the storing of a month's vintage.

Two imports checked against the same state and written at once could both call a changed
answer "unchanged", or both try to create the same row; two runs of one month could take the
same vintage number. So each such writer holds a named lock for its whole transaction:

- PostgreSQL: a transaction-level advisory lock (``pg_advisory_xact_lock``) on the name,
  released at commit or rollback, waited for at most ``METALSTAT_LOCK_TIMEOUT`` seconds;
- SQLite: every transaction begins ``IMMEDIATE`` (see the settings), so it holds the
  database's one write lock from its first statement and the others wait for it, up to the
  same timeout (SQLite's busy timeout).

Whoever waits too long gets :class:`Busy`: a refusal with nothing written, never a traceback.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connection, transaction

from metalstat.core.environment import value


class Busy(RuntimeError):
    """Another writer held the lock longer than the timeout; nothing was written."""


def lock_timeout() -> float:
    """Seconds a writer waits for another to finish (``METALSTAT_LOCK_TIMEOUT``)."""
    return float(value("METALSTAT_LOCK_TIMEOUT"))


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (PostgreSQL's advisory locks take a bigint)."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def is_lock_failure(exc: BaseException) -> bool:
    """Whether a database error means "another writer held on too long"."""
    text = str(exc).lower()
    return isinstance(exc, DatabaseError) and (
        "database is locked" in text or "lock timeout" in text or "canceling statement due to lock" in text
    )


@contextmanager
def serialised(name: str, *, what: str) -> Iterator[None]:
    """Run the block in one transaction holding the lock ``name``; ``what`` names the writer
    in the refusal ("import of returns.xlsx"). Raises :class:`Busy` when the wait is too long."""
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    # SET LOCAL takes no parameters; the value is a number we formatted.
                    cursor.execute(f"SET LOCAL lock_timeout = '{int(lock_timeout() * 1000)}ms'")
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key(name)])
            yield
    except DatabaseError as exc:
        if not is_lock_failure(exc):
            raise
        raise Busy(
            f"{what} refused: another import or run was writing for more than "
            f"{lock_timeout():g} s (METALSTAT_LOCK_TIMEOUT); nothing was written, try again"
        ) from exc
