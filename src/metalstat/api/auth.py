"""Who is calling: an API key as a Bearer header (or ``api_key`` in the query string for
clients that cannot send headers), or else a reader signed in to the portal (its session
cookie), so the portal's download links answer in the browser. Bad, revoked or expired keys
answer 401."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from metalstat.api.problems import Problem
from metalstat.core.environment import value
from metalstat.subscriptions.actions import KEY_PREFIX, digest_of
from metalstat.subscriptions.models import ApiKey

LAST_USED_EVERY = 60  # seconds: last use is written at most once a minute per key


@dataclass(frozen=True)
class Caller:
    user: Any
    key: ApiKey | None  # None: a signed-in portal reader, by session


def _unauthorized(detail: str) -> Problem:
    problem = Problem(401, detail)
    problem.headers["WWW-Authenticate"] = 'Bearer realm="metalstat", error="invalid_token"'
    return problem


def key_from(request: Any) -> str | None:
    header = str(request.headers.get("Authorization", ""))
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized("send the key as: Authorization: Bearer <key>")
        return token.strip()
    token = request.GET.get("api_key")
    return str(token).strip() if token else None


def authenticate(request: Any) -> Caller:
    secret = key_from(request)
    session_user = getattr(request, "user", None)
    if not secret and session_user is not None and session_user.is_authenticated and session_user.is_active:
        return Caller(user=session_user, key=None)
    if not secret:
        problem = Problem(401, "an API key is needed: Authorization: Bearer <key>")
        problem.headers["WWW-Authenticate"] = 'Bearer realm="metalstat"'
        raise problem
    if not secret.startswith(KEY_PREFIX):
        raise _unauthorized(
            f"not an API key (they begin {KEY_PREFIX}); a respondent token opens only /api/v1/respondent/returns"
        )
    digest = digest_of(secret)
    now = timezone.now()
    kept = _kept_key(digest, now)
    key = kept or ApiKey.objects.select_related("user").filter(digest=digest).first()
    if key is None:
        raise _unauthorized("this API key is not known")
    if key.revoked_at is not None:
        raise _unauthorized(f"the API key {key.prefix}… was revoked")
    if key.expires_at is not None and key.expires_at <= now:
        raise _unauthorized(f"the API key {key.prefix}… expired on {key.expires_at:%Y-%m-%d}")
    if not key.user.is_active:
        raise _unauthorized("the key's user is not active")
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > LAST_USED_EVERY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    if kept is None:
        _keep_key(digest, key)
    return Caller(user=key.user, key=key)


# A valid key and its user are kept per process for METALSTAT_ENTITLEMENTS_TTL seconds, as the
# entitlements are; but whether the key still opens the API (not revoked, not expired, its
# user active) is asked of the database on every request, by one precompiled statement: the
# ORM's compiling of the full lookup cost more than the rest of a cached answer. A key that
# fails the check takes the full lookup, which names why.
_KEYS: dict[str, tuple[float, ApiKey]] = {}
_KEYS_LOCK = threading.Lock()
_STILL_VALID: str | None = None


def _still_valid_sql() -> str:
    global _STILL_VALID
    if _STILL_VALID is None:
        q = connection.ops.quote_name
        user = get_user_model()._meta
        key = ApiKey._meta
        k, u = f"{q(key.db_table)} k", f"{q(user.db_table)} u"
        # Identifiers from the models' own metadata; the digest and the time are parameters.
        _STILL_VALID = (
            f"SELECT k.{q(key.pk.column)}, k.{q('user_id')} FROM {k} JOIN {u} "  # noqa: S608
            f"ON u.{q(user.pk.column)} = k.{q('user_id')} "
            f"WHERE k.{q('digest')} = %s AND k.{q('revoked_at')} IS NULL "
            f"AND (k.{q('expires_at')} IS NULL OR k.{q('expires_at')} > %s) AND u.{q('is_active')}"
        )
    return _STILL_VALID


def _kept_key(digest: str, now: datetime) -> ApiKey | None:
    """The kept key of ``digest`` if it is kept and still opens the API; else None."""
    found = _KEYS.get(digest)
    if found is None or found[0] <= time.monotonic():
        return None
    with connection.cursor() as cursor:
        cursor.execute(_still_valid_sql(), [digest, connection.ops.adapt_datetimefield_value(now)])
        row = cursor.fetchone()
    kept = found[1]
    if row is None or tuple(row) != (kept.pk, kept.user_id):  # revoked, expired, inactive, or not that key
        return None
    return kept


def _keep_key(digest: str, key: ApiKey) -> None:
    ttl = float(value("METALSTAT_ENTITLEMENTS_TTL"))
    if ttl <= 0:
        return
    now = time.monotonic()
    with _KEYS_LOCK:
        if len(_KEYS) > 10_000:  # bounded, as the kept entitlements are
            for k in [k for k, (until, _) in _KEYS.items() if until <= now]:
                del _KEYS[k]
        _KEYS[digest] = (now + ttl, key)


def forget_keys() -> None:
    """Drop every kept key of this process (tests; a key's user changed)."""
    with _KEYS_LOCK:
        _KEYS.clear()
