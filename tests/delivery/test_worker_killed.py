"""A real ``metalstat worker`` process killed (SIGKILL) in the middle of a batch, then
restarted: every recipient gets exactly one message. The database is a fresh one of its own
(a SQLite file, or a database on the PostgreSQL server DATABASE_URL names), since the worker
runs in another process."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).parents[2]
N = 300


def _count(env: dict[str, str], sql: str) -> int:
    url = env.get("DATABASE_URL", "")
    if url:
        import psycopg

        with psycopg.connect(url) as conn:
            row = conn.execute(sql).fetchone()
    else:
        with sqlite3.connect(Path(env["METALSTAT_DATA_DIR"]) / "metalstat.sqlite3") as conn:
            row = conn.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture
def own_database(tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {
        "METALSTAT_DATA_DIR": str(tmp_path / "data"),
        "METALSTAT_EMAIL": "file",
        "METALSTAT_EMAIL_DIR": str(tmp_path / "outbox"),
        "METALSTAT_DELIVERY_LEASE": "3",
        "PYTHONPATH": str(ROOT),
    }
    given = os.environ.get("DATABASE_URL", "")
    name = ""
    if given:
        import psycopg

        base, _, db = given.rpartition("/")
        name = f"{db.split('?')[0]}_killed_{os.getpid()}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"{base}/{name}"
    yield env
    if name:
        import psycopg

        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _worker(env: dict[str, str], name: str) -> subprocess.Popen[bytes]:
    metalstat = Path(sys.executable).parent / "metalstat"
    return subprocess.Popen(
        [str(metalstat), "worker", "--interval", "0.1", "--worker-id", name],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.mark.slow
def test_a_worker_killed_mid_batch_then_restarted_sends_each_message_once(
    own_database: dict[str, str], tmp_path: Path
) -> None:
    env = own_database
    subprocess.run([sys.executable, "-m", "tests.delivery.seed", str(N), "2"], env=env, cwd=ROOT, check=True)
    outbox = tmp_path / "outbox"

    def mails() -> list[Path]:
        return list(outbox.glob("*.eml")) if outbox.exists() else []

    first = _worker(env, "first")
    try:
        _wait(lambda: len(mails()) >= 20, 120, "the first messages")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    sent_when_killed = len(mails())
    assert sent_when_killed < N, "the worker finished before it was killed: nothing was tested"
    waiting = "SELECT count(*) FROM delivery_delivery WHERE status <> 'sent'"
    assert _count(env, waiting) > 0

    second = _worker(env, "second")
    try:
        _wait(lambda: _count(env, waiting) == 0, 180, "every delivery to be sent")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(20)

    files = mails()
    assert len(files) == N
    recipients = Counter()
    for path in files:
        for line in path.read_text("utf-8").splitlines():
            if line.startswith("To: "):
                recipients[line.removeprefix("To: ")] += 1
    assert len(recipients) == N
    assert set(recipients.values()) == {1}
    assert _count(env, "SELECT count(*) FROM delivery_delivery") == N
    # one successful attempt per delivery in the log, whoever sent it
    assert _count(env, "SELECT count(*) FROM delivery_deliveryattempt WHERE outcome = 'sent'") >= N
    assert _count(env, "SELECT count(DISTINCT delivery_id) FROM delivery_deliveryattempt WHERE outcome = 'sent'") == N


@pytest.mark.slow
def test_two_workers_at_once_send_each_message_once(own_database: dict[str, str], tmp_path: Path) -> None:
    env = own_database
    # Live in 8 s: both workers are polling by then.
    subprocess.run([sys.executable, "-m", "tests.delivery.seed", str(N), "8"], env=env, cwd=ROOT, check=True)
    outbox = tmp_path / "outbox"
    waiting = "SELECT count(*) FROM delivery_delivery WHERE status <> 'sent'"
    workers = [_worker(env, "one"), _worker(env, "two")]
    try:
        _wait(lambda: _count(env, "SELECT count(*) FROM delivery_delivery") == N, 120, "the deliveries")
        _wait(lambda: _count(env, waiting) == 0, 180, "every delivery to be sent")
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(20)
    assert len(list(outbox.glob("*.eml"))) == N
    # Nobody was killed: exactly one attempt per delivery, and it was sent.
    assert _count(env, "SELECT count(*) FROM delivery_deliveryattempt") == N
    assert _count(env, "SELECT count(*) FROM delivery_deliveryattempt WHERE outcome = 'sent'") == N
    # Both workers took part (each names itself in the attempts it made).
    assert _count(env, "SELECT count(DISTINCT worker) FROM delivery_deliveryattempt") == 2
