"""Equal access, measured: for each release and channel, the delivery log's spread between
the release time and each delivery."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from metalstat.delivery.models import AttemptOutcome, Delivery, DeliveryAttempt, DeliveryStatus
from metalstat.engine.inputs import month_start
from metalstat.releases.queries import release_id


@dataclass
class Spread:
    release: str
    channel: str
    total: int = 0
    sent: int = 0
    waiting: int = 0  # pending, being sent or to be retried
    skipped: int = 0
    failed: int = 0  # given up
    failed_attempts: int = 0
    spread: list[float] = field(default_factory=list)  # seconds from release_at to sent_at


def delivery_spread(period: str) -> list[Spread]:
    month = month_start(period)
    found: dict[tuple[int, str], Spread] = {}
    deliveries = Delivery.objects.filter(release__period=month).select_related("release").order_by("release__vintage")
    for d in deliveries:
        row = found.setdefault((d.release.vintage, d.channel), Spread(release_id(d.release), d.channel))
        row.total += 1
        if d.status == DeliveryStatus.SENT:
            row.sent += 1
            assert d.sent_at is not None
            row.spread.append((d.sent_at - d.release_at).total_seconds())
        elif d.status == DeliveryStatus.SKIPPED:
            row.skipped += 1
        elif d.status == DeliveryStatus.ABANDONED:
            row.failed += 1
        else:
            row.waiting += 1
    failures: dict[tuple[int, str], int] = defaultdict(int)
    for vintage, channel in DeliveryAttempt.objects.filter(
        delivery__release__period=month, outcome=AttemptOutcome.FAILED
    ).values_list("delivery__release__vintage", "delivery__channel"):
        failures[(vintage, channel)] += 1
    for key, count in failures.items():
        if key in found:
            found[key].failed_attempts = count
    return [found[k] for k in sorted(found)]
