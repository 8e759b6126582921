"""Once-only delivery: deliveries are made once, claimed by one worker at a time, and every
attempt is logged.

1. :func:`fan_out` runs at the release time. It re-reads the release through
   ``releases.queries`` (public, its time passed, still the time the task was queued for) and
   makes one :class:`Delivery` per recipient and channel. The idempotency key is unique, so a
   second run (a task run twice, two workers) adds nothing.
2. :func:`drain` claims due deliveries in small batches with one conditional UPDATE each
   (status pending or retry and due, or a claim whose lease ran out): on PostgreSQL
   ``SELECT … FOR UPDATE SKIP LOCKED`` picks rows no other worker holds, on SQLite the single
   writer orders the claims; the UPDATE re-checks the condition, so one claim wins a row.
3. The claimed delivery is sent; its outcome and an attempt row are written together, only by
   the claim that holds it. A worker killed mid-batch leaves its rows claimed until their
   lease runs out; then any worker takes them again (``metalstat worker`` looks for such work
   when it starts). The one window no database can close is between a channel accepting a
   message and the outcome being written: a retry after a crash there sends the same message
   again with the same ``Message-ID`` / ``webhook-id`` (the idempotency key), by which a mail
   system or a webhook receiver drops the copy; the file mailbox of the demo keeps one file
   per key.
"""

from __future__ import annotations

import random
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import F, Min, Q
from django.utils import timezone
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from metalstat.delivery.models import (
    AlertPreference,
    AttemptOutcome,
    Channel,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    ReleaseSchedule,
    Webhook,
)
from metalstat.delivery.outcomes import Outcome
from metalstat.releases.models import Release
from metalstat.releases.queries import NotVisible, release_by_id, release_id

BATCH = 20
WORKER = f"w-{uuid.uuid4().hex[:12]}"


def lease() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "METALSTAT_DELIVERY_LEASE", 60)))


def delivery_key(release: Release, channel: str, recipient: str) -> str:
    return f"{release_id(release)}.{channel}.{recipient}"


def _public_release(release_pk: int) -> Release | None:
    """The release, if the public sees it now (through releases.queries), else None."""
    release = Release.objects.filter(pk=release_pk).first()
    if release is None:
        return None
    try:
        return release_by_id(release_id(release))
    except NotVisible:
        return None


def fan_out(release_pk: int, release_at: str) -> dict[str, Any]:
    """Make the deliveries of a release that has gone live; nothing for one moved, withdrawn
    or not yet live (one still early is queued again for its time)."""
    queued_for = datetime.fromisoformat(release_at)
    schedule = ReleaseSchedule.objects.filter(release_id=release_pk).first()
    if schedule is None or schedule.cancelled or schedule.backfill or schedule.release_at != queued_for:
        return {"release": release_pk, "made": 0, "why": "moved, withdrawn or not to be delivered"}
    if queued_for > timezone.now():
        return {"release": release_pk, "made": 0, "why": "early: to be queued again for its time", "early": True}
    release = _public_release(release_pk)
    if release is None or release.release_at != queued_for:
        return {"release": release_pk, "made": 0, "why": "not public"}
    made = _make_deliveries(release)
    ReleaseSchedule.objects.filter(pk=schedule.pk, fanned_out_at__isnull=True).update(fanned_out_at=timezone.now())
    return {"release": release_id(release), "made": made}


def _make_deliveries(release: Release) -> int:
    now = timezone.now()
    at = release.live_at
    rows: list[Delivery] = []
    for pref in AlertPreference.objects.filter(email=True).select_related("subscriber__user"):
        user = pref.subscriber.user
        if user.is_active and user.email:
            key = delivery_key(release, Channel.EMAIL, f"s{pref.subscriber_id}")
            rows.append(
                Delivery(
                    release=release,
                    channel=Channel.EMAIL,
                    subscriber_id=pref.subscriber_id,
                    key=key,
                    release_at=at,
                    next_attempt_at=now,
                )
            )
    for hook in Webhook.objects.filter(active=True):
        rows.append(
            Delivery(
                release=release,
                channel=Channel.WEBHOOK,
                subscriber_id=hook.subscriber_id,
                webhook=hook,
                key=delivery_key(release, Channel.WEBHOOK, f"h{hook.pk}"),
                release_at=at,
                next_attempt_at=now,
            )
        )
    # Sent in the order made: a fresh random order each release, so that no subscriber is
    # always first.
    random.shuffle(rows)
    before = Delivery.objects.filter(release=release).count()
    Delivery.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return Delivery.objects.filter(release=release).count() - before


def _due(now: datetime) -> Q:
    return Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRY], next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, lease_until__lt=now
    )


def claim_batch(limit: int = BATCH) -> list[Delivery]:
    """Claim up to ``limit`` due deliveries for this worker (none another worker holds)."""
    now = timezone.now()
    token = f"{WORKER}:{uuid.uuid4().hex[:12]}"
    for wait in (0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 0.0):
        try:
            return _claim(now, token, limit)
        except OperationalError as exc:
            # SQLite: another worker holds the write lock longer than the busy timeout.
            if not wait or not is_locked_database_exception(exc):
                raise
            time.sleep(wait)
    return []


def _claim(now: datetime, token: str, limit: int) -> list[Delivery]:
    # On SQLite the transaction takes the write lock at once (BEGIN EXCLUSIVE): a transaction
    # that reads and then writes would fail when another worker wrote in between.
    with exclusive_transaction():
        candidates = Delivery.objects.filter(_due(now)).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        Delivery.objects.filter(_due(now), pk__in=ids).update(
            status=DeliveryStatus.SENDING, claim=token, lease_until=now + lease(), attempts=F("attempts") + 1
        )
    return list(
        Delivery.objects.filter(claim=token, status=DeliveryStatus.SENDING)
        .select_related("release", "subscriber__user", "webhook")
        .order_by("pk")
    )


def finish(delivery: Delivery, started: datetime, result: Outcome) -> bool:
    """Write the outcome of a claimed delivery and its attempt row, together; False when the
    claim was lost (its lease ran out and another worker took it)."""
    now = timezone.now()
    if result.outcome == AttemptOutcome.SENT:
        changes: dict[str, Any] = {"status": DeliveryStatus.SENT, "sent_at": now}
    elif result.outcome == AttemptOutcome.SKIPPED:
        changes = {"status": DeliveryStatus.SKIPPED}
    elif result.retry_after is not None:
        changes = {"status": DeliveryStatus.RETRY, "next_attempt_at": now + result.retry_after}
    else:
        changes = {"status": DeliveryStatus.ABANDONED}
    with transaction.atomic():
        won = Delivery.objects.filter(pk=delivery.pk, claim=delivery.claim, status=DeliveryStatus.SENDING).update(
            claim="", lease_until=None, **changes
        )
        DeliveryAttempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            started_at=started,
            at=now,
            outcome=result.outcome,
            detail=(result.detail if won else f"claim lost; {result.detail}")[:500],
            worker=WORKER,
        )
    return bool(won)


def send(delivery: Delivery) -> Outcome:
    from metalstat.delivery import mail, webhooks

    try:
        if delivery.channel == Channel.EMAIL:
            return mail.deliver(delivery)
        return webhooks.deliver(delivery)
    except Exception as exc:  # a channel's own failure: logged, retried like a refusal
        return Outcome(AttemptOutcome.FAILED, f"{type(exc).__name__}: {exc}", retry_after=timedelta(seconds=60))


def drain(limit: int | None = None) -> tuple[dict[str, int], datetime | None]:
    """Send due deliveries until none is left to claim (or ``limit`` were tried). Returns the
    counts and when to look again: the next retry, or when a claim held by a worker that may
    have died runs out (None: nothing left)."""
    counts = {"sent": 0, "failed": 0, "skipped": 0, "lost": 0}
    tried = 0
    while limit is None or tried < limit:
        batch = claim_batch(BATCH if limit is None else min(BATCH, limit - tried))
        if not batch:
            break
        for delivery in batch:
            started = timezone.now()
            result = send(delivery)
            if finish(delivery, started, result):
                counts[result.outcome] += 1
            else:
                counts["lost"] += 1
            tried += 1
    later = Delivery.objects.filter(
        Q(status=DeliveryStatus.RETRY) | Q(status=DeliveryStatus.SENDING, lease_until__isnull=False)
    ).aggregate(retry=Min("next_attempt_at", filter=Q(status=DeliveryStatus.RETRY)), lease=Min("lease_until"))
    wake = min((t for t in (later["retry"], later["lease"]) if t is not None), default=None)
    return counts, wake


def unfinished() -> tuple[list[tuple[int, datetime]], bool]:
    """What a worker that died may have left: releases live but never fanned out (id, time),
    and whether any delivery still waits."""
    now = timezone.now()
    releases = [
        (s.release_id, s.release_at)
        for s in ReleaseSchedule.objects.filter(
            fanned_out_at__isnull=True, cancelled=False, backfill=False, release_at__lte=now
        )
        if s.release_at is not None
    ]
    waiting = Delivery.objects.filter(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRY, DeliveryStatus.SENDING]
    ).exists()
    return releases, waiting
