"""Rate limits per key (in the local-memory cache and in Redis), conditional requests."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import COPPER_LEVEL, World

pytestmark = pytest.mark.django_db
PATH = f"/api/v1/series/{COPPER_LEVEL}/observations"


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def _over_the_limit(world: World, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    monkeypatch.setenv("METALSTAT_API_RATE", "3")
    client = world.client("subscriber")
    return [client.get(PATH) for _ in range(5)]


def test_a_key_over_its_rate_gets_429_with_retry_after(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    answers = _over_the_limit(world, monkeypatch)
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert 1 <= int(answers[3]["Retry-After"]) <= 61
    assert answers[3]["Content-Type"] == "application/problem+json"
    # another key is counted apart
    assert world.client("analyst").get(PATH).status_code == 200


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_the_rate_is_counted_in_redis_when_it_is_the_cache(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    redis = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                         "LOCATION": "redis://127.0.0.1:6379/15", "KEY_PREFIX": "metalstat-test"}}  # fmt: skip
    with override_settings(CACHES=redis):
        cache.clear()
        try:
            answers = _over_the_limit(world, monkeypatch)
            assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
            assert any("metalstat:rate:" in str(k) for k in cache._cache.get_client().keys("*"))  # type: ignore[attr-defined]
        finally:
            cache.clear()


def test_conditional_requests_get_304(world: World) -> None:
    client = world.client("subscriber")
    first = client.get(PATH)
    assert first["ETag"] and "private" in first["Cache-Control"]
    assert first["Vary"].startswith("Authorization, Accept, Cookie")
    again = client.get(PATH, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""


def test_one_query_gives_the_public_releases_and_the_next_release_time(world: World) -> None:
    from metalstat.releases.queries import next_release_at, public_releases

    with CaptureQueriesContext(connection) as ctx:
        live, upcoming = public_releases()
    assert len(ctx.captured_queries) == 1
    assert [pk for pk, _ in live] == [world.may.pk, world.june.pk]
    assert upcoming == world.july.release_at == next_release_at()
    assert world.july.release_at is not None
    # At July's release time it is public, and nothing more is scheduled.
    live, upcoming = public_releases(world.july.release_at)
    assert ([pk for pk, _ in live], upcoming) == ([world.may.pk, world.june.pk, world.july.pk], None)
