"""The release-time trigger: when the release workflow sets, moves or withdraws a release's
time, the calendar's record of it changes and its delivery is queued for that moment.

Runs inside the publishing transaction (``releases.signals.release_timed``). With the database
task backend the queued task is a row written in that same transaction, so a publish and its
delivery commit or roll back together. The task carries the release time it was queued for:
when it runs it re-reads the release, and a task queued for a time the release no longer has
(moved, withdrawn) does nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from metalstat.delivery.models import ReleaseSchedule
from metalstat.releases.models import Release


def on_release_timed(
    sender: Any,  # noqa: ARG001 (a signal receiver's arguments)
    *,
    release: Release,
    release_at: datetime | None,
    backfill: bool = False,
    **_: Any,
) -> None:
    schedule, created = ReleaseSchedule.objects.select_for_update().get_or_create(
        release=release, defaults={"release_at": release_at, "backfill": backfill}
    )
    if not created:
        # A move or a withdrawal changes what the calendar said: its SEQUENCE goes up.
        schedule.sequence += 1
    if release_at is not None:
        schedule.release_at = release_at  # a withdrawn release keeps the time it was cancelled at
    schedule.cancelled = release_at is None
    schedule.backfill = backfill
    schedule.updated_at = timezone.now()
    schedule.save()
    if release_at is not None and not backfill:
        from metalstat.delivery.tasks import fan_out

        fan_out.using(run_after=release_at).enqueue(release.pk, release_at.isoformat())
