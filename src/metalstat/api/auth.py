"""Who is calling: an API key as a Bearer header (or ``api_key`` in the query string for
clients that cannot send headers), or else a reader signed in to the portal (its session
cookie), so the portal's download links answer in the browser. Bad, revoked or expired keys
answer 401."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from metalstat.api.problems import Problem
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
    key = ApiKey.objects.select_related("user").filter(digest=digest_of(secret)).first()
    now = timezone.now()
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
    return Caller(user=key.user, key=key)
