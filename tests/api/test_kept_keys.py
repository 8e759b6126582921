"""A valid API key is kept by the process for a few seconds, but whether it still opens the
API is asked of the database on every request: revoked, expired, a deactivated user or a
deleted key is refused at once, by the next request, with the full lookup's reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from metalstat.api import auth
from metalstat.subscriptions.actions import do_revoke_api_key
from metalstat.subscriptions.models import ApiKey
from tests.api.conftest import COPPER_LEVEL, World

pytestmark = pytest.mark.django_db

PATH = f"/api/v1/series/{COPPER_LEVEL}/observations"


@pytest.fixture(autouse=True)
def _ttl(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METALSTAT_ENTITLEMENTS_TTL", "60")  # kept throughout each test


def _trader_key() -> ApiKey:
    return ApiKey.objects.get(user__username="trader")


def test_a_kept_key_costs_one_small_query_and_not_the_full_lookup(world: World) -> None:
    client = world.client("subscriber")
    assert client.get(PATH).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(PATH).status_code == 200
    key_queries = [q["sql"] for q in ctx.captured_queries if "subscriptions_apikey" in q["sql"]]
    assert len(key_queries) == 1
    assert '"name"' not in key_queries[0]  # the check, not the ORM's select of every column


def _revoke() -> None:
    do_revoke_api_key(_trader_key(), actor="admin")


def _expire() -> None:
    ApiKey.objects.filter(pk=_trader_key().pk).update(expires_at=timezone.now() - timedelta(seconds=1))


def _deactivate() -> None:
    User.objects.filter(username="trader").update(is_active=False)


def _delete() -> None:
    ApiKey.objects.filter(pk=_trader_key().pk).delete()


@pytest.mark.parametrize(
    ("change", "reason"),
    [(_revoke, "revoked"), (_expire, "expired"), (_deactivate, "not active"), (_delete, "not known")],
    ids=["revoked", "expired", "user deactivated", "deleted"],
)
def test_a_change_between_requests_is_refused_at_once(world: World, change: Callable[[], None], reason: str) -> None:
    client = world.client("subscriber")
    assert client.get(PATH).status_code == 200
    change()
    answer = client.get(PATH)
    assert answer.status_code == 401
    assert reason in answer.json()["detail"]


def test_an_expiry_still_ahead_keeps_the_key_open(world: World) -> None:
    client = world.client("subscriber")
    ApiKey.objects.filter(pk=_trader_key().pk).update(expires_at=timezone.now() + timedelta(hours=1))
    assert client.get(PATH).status_code == 200
    assert client.get(PATH).status_code == 200


def test_a_kept_key_answers_only_for_its_own_row(world: World) -> None:
    """A key kept from a rolled-back database must not answer for another row with its
    digest (as when a test makes the same secret again)."""
    client = world.client("subscriber")
    assert client.get(PATH).status_code == 200
    digest, (until, _) = next(iter(auth._KEYS.items()))
    stranger = ApiKey.objects.get(user__username="stranger")
    auth._KEYS[digest] = (until, stranger)  # the kept object no longer matches the row
    assert auth._kept_key(digest, timezone.now()) is None
    assert client.get(PATH).status_code == 200
    assert auth._KEYS[digest][1].user.username == "trader"
