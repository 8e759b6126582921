"""The portal's fixtures: the data API's small world (two months of copper and NPI, a
revision, an embargoed July, a base-metals subscriber, analysts), readers signed in by
session, and the embargoed vintage's values to look for in every response."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from metalstat.delivery.models import Channel, Delivery, DeliveryAttempt, Webhook
from tests.api.conftest import World, world

__all__ = ["World", "world"]

# July's figures (2025-07 at 7777, June revised to 1190) are embargoed until tomorrow: no
# response to anyone but a previewing analyst may hold them, raw (the chart's data) or as the
# report prints them (tonnes to the hundred: 7,800 mt; 0.78万吨 in Chinese).
EMBARGOED = ("7777", "7,777", "7,800", "7800", "0.78万", "1190", "1,190")
SUPPRESSED = ("31.4159", "31.42", "31.4")  # a confidential share (CONF_STATUS C)
READERS = ("anonymous", "trader", "stranger", "ana", "chief")


def reader_client(who: str) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(User.objects.get(username=who))
    return client


@pytest.fixture
def readers(world: World) -> dict[str, Client]:
    return {who: reader_client(who) for who in READERS}


def text_of(response: Any) -> str:
    return bytes(response.content).decode("utf-8")


def figures_text(response: Any) -> str:
    """The body without its random tokens (CSRF, key prefixes), which may hold any digits."""
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text_of(response))
    return re.sub(r"mstat_[\w-]+", "mstat_", body)


def visible_text(html: str) -> str:
    """What a reader sees of an HTML body: no scripts, styles, code, nor tags; entities read."""
    import html as entities

    for element in ("script", "style", "code", "pre"):
        html = re.sub(rf"<{element}\b.*?</{element}>", " ", html, flags=re.S)
    return entities.unescape(re.sub(r"<[^>]+>", " ", html))


def a_call(hook: Webhook, world: World, *attempts: tuple[str, str]) -> Delivery:
    """A call of ``hook`` for June's release with its attempts (outcome, detail), in order."""
    now = timezone.now()
    delivery = Delivery.objects.create(
        release=world.june,
        channel=Channel.WEBHOOK,
        subscriber=hook.subscriber,
        webhook=hook,
        key=f"test-june-hook-{hook.pk}",
        release_at=now,
        next_attempt_at=now,
        attempts=len(attempts),
    )
    for n, (outcome, detail) in enumerate(attempts, start=1):
        at = now + timedelta(minutes=n)
        DeliveryAttempt.objects.create(
            delivery=delivery, number=n, started_at=at, at=at, outcome=outcome, detail=detail
        )
    return delivery
