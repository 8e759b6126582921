"""A small world for delivery: an organisation subscribing to base metals, subscribers with
alert preferences in English and Chinese, and a June release with copper (entitled) and NPI
(not entitled) figures, scheduled a minute ahead."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from metalstat.delivery.actions import do_register_webhook, do_set_alert_preferences
from metalstat.delivery.models import Webhook
from metalstat.releases.actions import (
    do_approve_release,
    do_create_release,
    do_publish_release,
    do_submit_for_review,
)
from metalstat.releases.models import Release
from metalstat.subscriptions.actions import do_add_subscriber, do_create_organisation, do_grant_subscription
from metalstat.subscriptions.models import Subscriber
from tests.registry.factories import COPPER, figure_row, figures

NPI = "npi"


def june_rows() -> list[dict[str, Any]]:
    return [
        figure_row(period="2025-06", value=1188.0),
        figure_row(period="2025-06", value=10.0, statistic="mom_pct", unit="%"),
        figure_row(period="2025-06", value=-2.5, statistic="yoy_pct", unit="%"),
        figure_row(period="2025-06", value=520.0, product=NPI),
    ]


def approved(period: str = "2025-06", rows: list[dict[str, Any]] | None = None) -> Release:
    release = do_create_release(period, figures(rows or june_rows()), actor="ana")
    do_submit_for_review(release, actor="ana")
    return do_approve_release(release, actor="bo")


def publish(release: Release, at: datetime) -> Release:
    return do_publish_release(release, actor="bo", release_at=at)


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1 that fails its first ``fail`` calls with HTTP 500."""

    fail: int = 0
    calls: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    accepted: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            with lock:
                state.calls.append((headers, body))
                failing = len(state.calls) <= state.fail
                if not failing:
                    state.accepted.append((headers, body))
            self.send_response(500 if failing else 204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def delivery_settings(settings: Any, tmp_path: Path) -> Path:
    outbox = tmp_path / "outbox"
    settings.EMAIL_BACKEND = "metalstat.delivery.mailbox.MailboxBackend"
    settings.EMAIL_FILE_PATH = str(outbox)
    settings.METALSTAT_WEBHOOK_ALLOW_LOOPBACK = True
    settings.METALSTAT_WEBHOOK_BACKOFF = 0.0
    settings.METALSTAT_SITE_URL = "https://stats.example.org"
    return outbox


@dataclass
class People:
    en: Subscriber
    zh: Subscriber
    org: Any


@pytest.fixture
def people(db: Any) -> People:
    org = do_create_organisation("Desk One", actor="admin")
    do_grant_subscription(org, "Base metals", groups=["base_metals"], actor="admin")
    en = do_add_subscriber("trader", org, email="trader@desk.example", actor="admin")
    zh = do_add_subscriber("analyst_li", org, email="li@desk.example", actor="admin")
    do_set_alert_preferences(en, language="en", products=[COPPER, NPI], actor="admin")
    do_set_alert_preferences(zh, language="zh-Hans", actor="admin")
    return People(en=en, zh=zh, org=org)


def hook_for(subscriber: Subscriber, url: str) -> Webhook:
    return do_register_webhook(subscriber, url, actor="admin")


def soon(seconds: int = 60) -> datetime:
    return (timezone.now() + timedelta(seconds=seconds)).replace(microsecond=0)
