"""The access log in batches: rows wait in the process until the batch is full or old, a
preview and /me write at once, and shutdown writes what is left (nothing lost)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metalstat.api import accesslog
from metalstat.subscriptions.models import AccessLog
from tests.api.conftest import COPPER_LEVEL, World

pytestmark = pytest.mark.django_db
PATH = f"/api/v1/series/{COPPER_LEVEL}/observations"


@pytest.fixture
def batches(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("METALSTAT_ACCESS_LOG_BATCH", "3")
    yield
    accesslog.flush()


def test_rows_wait_for_a_full_batch_and_go_in_one_statement(world: World, batches: None) -> None:
    client = world.client("subscriber")
    for _ in range(2):
        assert client.get(PATH).status_code == 200
    assert (AccessLog.objects.count(), accesslog.pending()) == (0, 2)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(PATH).status_code == 200
    inserts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1  # three rows, one statement
    assert (AccessLog.objects.filter(user="trader", path=PATH).count(), accesslog.pending()) == (3, 0)
    # each row keeps its own request's time, not the write's
    times = list(AccessLog.objects.order_by("pk").values_list("at", flat=True))
    assert times == sorted(times) and len(set(times)) == 3


def test_an_old_row_is_written_with_the_next_request(
    world: World, batches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("METALSTAT_ACCESS_LOG_BATCH", "10")  # never full here
    client = world.client("subscriber")
    now = [1000.0]
    monkeypatch.setattr(accesslog, "_clock", lambda: now[0])
    assert client.get(PATH).status_code == 200
    now[0] += accesslog.MAX_AGE - 0.1  # not old yet
    assert client.get(PATH).status_code == 200
    assert accesslog.pending() == 2
    now[0] += 0.2  # the first row is now older than MAX_AGE
    assert client.get(PATH).status_code == 200
    assert (AccessLog.objects.count(), accesslog.pending()) == (3, 0)


def test_a_preview_and_the_usage_do_not_wait(world: World, batches: None) -> None:
    assert world.client("subscriber").get(PATH).status_code == 200
    assert accesslog.pending() == 1
    assert world.client("previewer").get(PATH, {"preview": "true"}).status_code == 200
    assert AccessLog.objects.filter(user="chief", preview=True).count() == 1  # with the waiting one
    assert (AccessLog.objects.count(), accesslog.pending()) == (2, 0)
    client = world.client("subscriber")
    assert client.get(PATH).status_code == 200
    assert accesslog.pending() == 1
    me = client.get("/api/v1/me").json()
    assert me["usage"]["requests_today"] == 2  # the trader's two data requests, one of them waiting


def test_shutdown_writes_what_is_left(world: World, batches: None) -> None:
    from metalstat.project import gunicorn_conf

    assert world.client("subscriber").get(PATH).status_code == 200
    assert accesslog.pending() == 1

    class Worker:
        class log:
            @staticmethod
            def info(*args: object) -> None:
                pass

    gunicorn_conf.worker_exit(None, Worker())
    assert (AccessLog.objects.count(), accesslog.pending()) == (1, 0)


def test_a_failed_write_keeps_the_rows(world: World, batches: None, monkeypatch: pytest.MonkeyPatch) -> None:
    assert world.client("subscriber").get(PATH).status_code == 200

    def refuse(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database gone")

    with monkeypatch.context() as patched:
        patched.setattr(AccessLog.objects, "bulk_create", refuse)
        with pytest.raises(RuntimeError):
            accesslog.flush()
        assert accesslog.pending() == 1
    assert accesslog.flush() == 1
    assert AccessLog.objects.count() == 1
