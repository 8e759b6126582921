"""Requests a key may make: a fixed window per minute, counted in Django's cache (Redis where
it runs, local memory on the embedded default). Over it: 429 with Retry-After."""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache

from metalstat.api.problems import Problem
from metalstat.core.environment import value
from metalstat.subscriptions.models import ApiKey


def per_minute() -> int:
    return int(value("METALSTAT_API_RATE"))


def check_rate(key: ApiKey | None, user: Any = None) -> None:
    """Count one request of ``key`` (or, without a key, of the signed-in ``user``)."""
    who = key.pk if key is not None else f"user-{getattr(user, 'pk', '')}"
    count_request(str(who), f"key {key.prefix}…" if key is not None else "your session")


def count_request(who: str, label: str) -> None:
    """Count one request of the caller named ``who`` (a key, a session, a respondent token)
    against the same limit; ``label`` names the caller in the 429's detail."""
    limit = per_minute()
    now = time.time()
    window = int(now // 60)
    name = f"metalstat:rate:{who}:{window}"
    if cache.add(name, 1, timeout=120):
        count = 1
    else:
        try:
            count = cache.incr(name)
        except ValueError:  # expired between add and incr
            cache.add(name, 1, timeout=120)
            count = 1
    if count > limit:
        retry = max(1, int((window + 1) * 60 - now) + 1)
        problem = Problem(
            429, f"more than {limit} requests a minute with {label}; try again in {retry} s", retry_after=retry
        )
        problem.headers["Retry-After"] = str(retry)
        raise problem
