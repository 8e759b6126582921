"""``metalstat release deliveries``: the spread between the release time and each delivery,
per channel, with counts and failures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from click.testing import CliRunner
from django.utils import timezone

from metalstat.delivery.commands import release_cmd
from metalstat.delivery.models import Delivery, DeliveryAttempt, Webhook
from metalstat.delivery.reports import delivery_spread
from tests.delivery.conftest import People, approved, publish


def test_the_spread_per_channel_from_the_delivery_log(db: Any, people: People) -> None:
    release = publish(approved(), timezone.now())
    at = release.live_at
    hook = Webhook.objects.create(subscriber=people.en, url="https://93.184.216.34/h", secret="whsec_QUJD")

    def delivery(channel: str, key: str, status: str, after: float | None, **kw: Any) -> Delivery:
        sent = at + timedelta(seconds=after) if after is not None else None
        return Delivery.objects.create(
            release=release, channel=channel, key=key, release_at=at, status=status,
            next_attempt_at=at, sent_at=sent, **kw,
        )  # fmt: skip

    delivery("email", "e1", "sent", 2.0, subscriber=people.en)
    delivery("email", "e2", "sent", 11.0, subscriber=people.zh)
    failed = delivery("webhook", "w1", "retry", None, subscriber=people.en, webhook=hook)
    DeliveryAttempt.objects.create(delivery=failed, number=1, started_at=at, at=at, outcome="failed")
    rows = {r.channel: r for r in delivery_spread("2025-06")}
    # e-mail: sent 2 s and 11 s after the release time: min 2, median (2 + 11) / 2 = 6.5, max 11
    assert (rows["email"].total, rows["email"].sent, rows["email"].spread) == (2, 2, [2.0, 11.0])
    assert rows["webhook"].waiting == 1 and rows["webhook"].failed_attempts == 1
    out = CliRunner().invoke(release_cmd, ["deliveries", "2025-06"])
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert lines[1].split() == [
        "2025-06.v1",
        "email",
        "2",
        "2",
        "0",
        "0",
        "0",
        "0",
        "2.000",
        "/",
        "6.500",
        "/",
        "11.000",
    ]
    assert lines[2].split()[:8] == ["2025-06.v1", "webhook", "1", "0", "1", "0", "0", "1"]
    assert CliRunner().invoke(release_cmd, ["deliveries", "2025-13"]).exit_code != 0
