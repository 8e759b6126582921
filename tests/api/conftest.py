"""A small published world for the data API: two months of copper and one of NPI, a
revision, an embargoed release, an organisation subscribing to base metals, an analyst."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from metalstat.releases.actions import (
    do_approve_release,
    do_create_release,
    do_publish_release,
    do_submit_for_review,
)
from metalstat.releases.models import Release
from metalstat.subscriptions.actions import (
    do_add_subscriber,
    do_create_api_key,
    do_create_organisation,
    do_grant_subscription,
)
from tests.registry.factories import COPPER, figure_row, figures

NPI = "npi"  # alloys and steel: not in the base-metals subscription
COPPER_LEVEL = "M.COPPER_CATHODE.ACT.PRODUCTION._T.LEVEL"
NPI_LEVEL = "M.NPI.ACT.PRODUCTION._T.LEVEL"


def publish(period: str, rows: list[dict[str, Any]], release_at: datetime) -> Release:
    release = do_create_release(period, figures(rows), actor="ana")
    do_submit_for_review(release, actor="ana")
    do_approve_release(release, actor="bo")
    return do_publish_release(release, actor="bo", release_at=release_at, backfill=True)


def level(period: str, value: float, product: str = COPPER, **kw: Any) -> dict[str, Any]:
    return figure_row(product=product, period=period, value=value, **kw)


@dataclass
class World:
    may: Release
    june: Release
    july: Release  # embargoed: its release time is tomorrow
    keys: dict[str, str]
    now: datetime

    def client(self, who: str) -> Client:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.keys[who]}"} if who in self.keys else {}
        return Client(**headers)


@pytest.fixture
def world(db: Any) -> World:
    cache.clear()
    now = timezone.now()
    may = publish(
        "2025-05",
        [
            level("2025-04", 1000.0, status="A", flags="A"),
            level("2025-05", 1100.0),
            level("2025-05", 10.0, statistic="mom_pct", unit="%"),
            level("2025-05", 500.0, product=NPI),
        ],
        now - timedelta(days=40),
    )
    june = publish(
        "2025-06",
        [
            level("2025-04", 1000.0, status="A", flags="A"),
            level("2025-05", 1080.0, status="A", flags="A"),  # May revised down
            level("2025-06", 1188.0),
            level("2025-06", 10.0, statistic="mom_pct", unit="%"),
            level("2025-06", 31.4159, measure="share", breakdown="size_class=small", unit="%", conf_status="C"),
            level("2025-06", 520.0, product=NPI),
        ],
        now - timedelta(days=10),
    )
    july = publish(
        "2025-07",
        [
            level("2025-06", 1190.0, status="A", flags="A"),
            level("2025-07", 7777.0),
        ],
        now + timedelta(days=1),
    )

    org = do_create_organisation("Desk One", actor="admin")
    do_grant_subscription(org, "Base metals", groups=["base_metals"], actor="admin")
    sub = do_add_subscriber("trader", org, actor="admin")
    analysts, _ = Group.objects.get_or_create(name="analysts")
    analyst = User.objects.create_user("ana")
    analyst.groups.add(analysts)
    previewer = User.objects.create_user("chief")
    previewer.groups.add(analysts)
    previewer.user_permissions.add(Permission.objects.get(codename="preview_embargoed"))
    stranger = User.objects.create_user("stranger")
    keys = {
        "subscriber": do_create_api_key(sub.user, "notebook", actor="admin")[1],
        "analyst": do_create_api_key(analyst, "desk", actor="admin")[1],
        "previewer": do_create_api_key(previewer, "desk", actor="admin")[1],
        "stranger": do_create_api_key(stranger, "laptop", actor="admin")[1],
    }
    return World(may=may, june=june, july=july, keys=keys, now=now)
