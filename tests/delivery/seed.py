"""Seed a database for a worker running in another process: ``python -m tests.delivery.seed
N SECONDS`` makes N subscribers (every other one in Chinese) of one organisation and
publishes June 2025 SECONDS from now. The database is the one the environment names."""

from __future__ import annotations

import sys
from datetime import timedelta


def main(n: int, seconds: float) -> None:
    from metalstat.core.startup import setup_django

    setup_django(migrate=True)
    from django.utils import timezone

    from metalstat.delivery.models import AlertPreference
    from metalstat.subscriptions.actions import do_add_subscriber, do_create_organisation, do_grant_subscription
    from tests.delivery.conftest import approved, publish

    org = do_create_organisation("Desk One", actor="admin")
    do_grant_subscription(org, "Base metals", groups=["base_metals"], actor="admin")
    prefs = []
    for i in range(n):
        sub = do_add_subscriber(f"reader{i:05d}", org, email=f"reader{i:05d}@desk.example", actor="admin")
        prefs.append(AlertPreference(subscriber=sub, language="zh-Hans" if i % 2 else "en"))
    AlertPreference.objects.bulk_create(prefs)
    publish(approved(), timezone.now() + timedelta(seconds=seconds))


if __name__ == "__main__":
    main(int(sys.argv[1]), float(sys.argv[2]))
