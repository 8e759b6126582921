"""The delivery's tasks on Django's Tasks API (the ``django-tasks`` backport; the database
backend by default, run by ``metalstat worker``). Each is safe to run twice, or on two
workers at once: they only ever claim work through :mod:`metalstat.delivery.sending`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from metalstat.delivery import sending


@task()
def fan_out(release_pk: int, release_at: str) -> dict[str, Any]:
    """At a release's time: make one delivery per recipient and channel, then drain them."""
    result = sending.fan_out(release_pk, release_at)
    if result.get("early"):
        fan_out.using(run_after=datetime.fromisoformat(release_at)).enqueue(release_pk, release_at)
    elif result.get("made"):
        # Several drains, so that several workers share a large release; each stops when
        # nothing is left to claim.
        for _ in range(int(settings.METALSTAT_DELIVERY_DRAINS)):
            drain.enqueue()
    return result


@task()
def drain() -> dict[str, Any]:
    """Send every delivery that is due, until none is left to claim; look again at the next
    retry or when a claim of a worker that may have died runs out."""
    try:
        counts, wake = sending.drain()
    except Exception:
        # A database error in the middle: look again shortly (what this task had claimed is
        # taken again when its lease runs out), and let the failure show in the task's result.
        drain.using(run_after=timezone.now() + timedelta(seconds=5)).enqueue()
        raise
    if wake is not None:
        drain.using(run_after=max(wake, timezone.now())).enqueue()
    return {**counts, "wake": wake.isoformat() if wake else None}


def resume() -> int:
    """Queue what a worker that died may have left; returns how many tasks were queued."""
    releases, waiting = sending.unfinished()
    for pk, at in releases:
        fan_out.enqueue(pk, at.isoformat())
    if waiting:
        drain.enqueue()
    return len(releases) + int(waiting)
