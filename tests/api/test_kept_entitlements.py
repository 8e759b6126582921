"""A reader's entitlements are kept by the process for a few seconds: no query for them on a
repeated request, a change seen after METALSTAT_ENTITLEMENTS_TTL (at once in the process that
made it), and the embargo untouched by it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metalstat.subscriptions import entitlements
from metalstat.subscriptions.entitlements import entitlements_of, forget_entitlements, kept_entitlements
from metalstat.subscriptions.models import Subscription
from tests.api.conftest import COPPER_LEVEL, World

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(entitlements.time, "monotonic", c)
    return c


def _trader(world: World):  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import User

    return User.objects.get(username="trader")


def test_kept_for_the_ttl_then_read_again(world: World, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METALSTAT_ENTITLEMENTS_TTL", "5")
    user = _trader(world)
    first = kept_entitlements(user)
    assert first.covers(COPPER_LEVEL, "copper_cathode")
    Subscription.objects.all().delete()  # behind the actions' back: as another process would
    with CaptureQueriesContext(connection) as ctx:
        assert kept_entitlements(user) is first
    assert len(ctx.captured_queries) == 0
    clock.now += 4.9
    assert kept_entitlements(user).covers(COPPER_LEVEL, "copper_cathode")
    clock.now += 0.2  # 5.1 s after it was read
    assert not kept_entitlements(user).covers(COPPER_LEVEL, "copper_cathode")
    assert kept_entitlements(user) == entitlements_of(user)


def test_zero_reads_them_on_every_call(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METALSTAT_ENTITLEMENTS_TTL", "0")
    user = _trader(world)
    assert kept_entitlements(user).covers(COPPER_LEVEL, "copper_cathode")
    Subscription.objects.all().delete()
    assert not kept_entitlements(user).covers(COPPER_LEVEL, "copper_cathode")


def test_forgetting_drops_them(world: World, clock: Clock) -> None:
    user = _trader(world)
    kept_entitlements(user)
    Subscription.objects.all().delete()
    forget_entitlements()
    assert not kept_entitlements(user).covers(COPPER_LEVEL, "copper_cathode")


def test_a_repeated_api_request_reads_no_entitlements(world: World) -> None:
    """Key, public releases (with the next release time), access log: three queries, none for
    who may read what (the first request read the subscriptions and the analysts' group)."""
    client = world.client("subscriber")
    path = f"/api/v1/series/{COPPER_LEVEL}/observations"
    assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "subscriptions_subscription" not in sql and "auth_user_groups" not in sql
    assert len(ctx.captured_queries) == 3


def test_the_embargo_does_not_wait_for_the_kept_entitlements(world: World) -> None:
    """July (release time tomorrow) is invisible before and visible after, with the same
    entitlements kept throughout."""
    import time_machine

    client = world.client("subscriber")
    path = f"/api/v1/series/{COPPER_LEVEL}/observations"
    before = client.get(path).json()
    assert "2025-07" not in str(before)
    with time_machine.travel(world.july.release_at, tick=False):
        after = client.get(path).json()
    assert "7777" in str(after)
