"""Webhooks: signed per Standard Webhooks (checked with the reference library), retried after
failure until exactly one call is accepted, disabled after repeated failure, every attempt in
the log; payloads carry identifiers and links, never figures; internal addresses refused."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from standardwebhooks.webhooks import Webhook as Verifier

from metalstat.delivery.models import Delivery, DeliveryAttempt, Webhook
from metalstat.delivery.sending import drain
from metalstat.delivery.webhooks import UnsafeEndpoint, check_url
from metalstat.subscriptions.actions import do_create_api_key
from tests.delivery.conftest import People, Receiver, approved, hook_for, publish, soon
from tests.delivery.worker import run_worker


def _released(people: People, receiver: Receiver, fail: int) -> tuple[Webhook, Any]:
    receiver.fail = fail
    hook = hook_for(people.en, receiver.url)
    at = soon(30)
    publish(approved(), at)
    return hook, at


def test_a_receiver_failing_twice_gets_exactly_one_accepted_signed_call(
    transactional_db: Any, people: People, delivery_settings: Path, receiver: Receiver
) -> None:
    hook, at = _released(people, receiver, fail=2)
    with time_machine.travel(at + timedelta(seconds=1), tick=True):
        run_worker()
        assert len(receiver.calls) == 3
        assert len(receiver.accepted) == 1
        headers, body = receiver.accepted[0]
        # The reference library accepts the signature with the endpoint's secret...
        payload = Verifier(hook.secret).verify(body, headers)
        # ...and refuses it with another secret.
        with pytest.raises(Exception, match="signature"):
            Verifier("whsec_" + "QUJD" * 8).verify(body, headers)
    # Every try carries the same message ID (the idempotency key), so a receiver drops copies.
    assert {h["webhook-id"] for h, _ in receiver.calls} == {f"2025-06.v1.webhook.h{hook.pk}"}
    assert payload["type"] == "release.published"
    assert payload["data"]["release"] == "2025-06.v1"
    assert payload["data"]["links"]["release"] == "https://stats.example.org/api/v1/releases/2025-06.v1"
    # Identifiers and links only: none of the release's values (1188, 10, -2.5, 520) anywhere.
    # The two clock readings are left out: their digits ('.520311') are not figures.
    stamps = {payload["timestamp"], payload["data"]["release_at"]}
    text = body.decode()
    for stamp in stamps:
        text = text.replace(stamp, "")
    for value in ("1188", "1,188", "520", "-2.5"):
        assert value not in text
    assert "value" not in json.dumps(payload["data"])
    delivery = Delivery.objects.get(channel="webhook")
    assert delivery.status == "sent"
    log = list(DeliveryAttempt.objects.filter(delivery=delivery).values_list("number", "outcome", "detail"))
    assert log == [(1, "failed", "HTTP 500"), (2, "failed", "HTTP 500"), (3, "sent", "HTTP 204")]
    hook.refresh_from_db()
    assert hook.consecutive_failures == 0


def test_an_endpoint_failing_too_often_is_disabled_and_its_calls_logged(
    db: Any, people: People, delivery_settings: Path, receiver: Receiver, settings: Any
) -> None:
    settings.METALSTAT_WEBHOOK_DISABLE_AFTER = 3
    hook, at = _released(people, receiver, fail=100)
    with time_machine.travel(at + timedelta(seconds=1), tick=True):
        from metalstat.delivery.sending import fan_out

        fan_out(approved_release_pk(), at.isoformat())
        drain()
    hook.refresh_from_db()
    assert not hook.active
    assert "3 failures in a row" in hook.disabled_reason
    assert len(receiver.calls) == 3
    delivery = Delivery.objects.get(channel="webhook")
    assert delivery.status == "abandoned"
    assert DeliveryAttempt.objects.filter(delivery=delivery, outcome="failed").count() == 3


def approved_release_pk() -> int:
    from metalstat.releases.models import Release

    return Release.objects.get(period="2025-06-01").pk


def test_backoff_doubles_from_the_configured_base(settings: Any) -> None:
    from metalstat.delivery.webhooks import backoff

    settings.METALSTAT_WEBHOOK_BACKOFF = 30.0
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30.0, 60.0, 120.0, 240.0]


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.216.34/hook",  # plain HTTP
        "https://127.0.0.1/hook",  # loopback
        "https://10.1.2.3/hook",  # private
        "https://192.168.0.10/hook",
        "https://172.16.5.4/hook",
        "https://169.254.169.254/latest/meta-data",  # link-local (cloud metadata)
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",  # IPv4-mapped loopback
        "https://0.0.0.0/hook",
        "https://localhost/hook",
        "https://user:pw@93.184.216.34/hook",
        "ftp://93.184.216.34/hook",
    ],
)
def test_internal_or_plain_endpoints_are_refused(url: str, settings: Any) -> None:
    settings.METALSTAT_WEBHOOK_ALLOW_LOOPBACK = False
    with pytest.raises(UnsafeEndpoint):
        check_url(url)


def test_a_public_https_address_is_accepted(settings: Any) -> None:
    settings.METALSTAT_WEBHOOK_ALLOW_LOOPBACK = False
    assert check_url("https://93.184.216.34:8443/hook") == "https://93.184.216.34:8443/hook"


def test_loopback_only_under_the_explicit_setting(settings: Any) -> None:
    settings.METALSTAT_WEBHOOK_ALLOW_LOOPBACK = True
    assert check_url("http://127.0.0.1:9000/hook") == "http://127.0.0.1:9000/hook"
    # the setting opens loopback, nothing else internal, and plain HTTP only to 127.0.0.1
    for url in ("https://10.1.2.3/hook", "http://93.184.216.34/hook", "https://169.254.169.254/"):
        with pytest.raises(UnsafeEndpoint):
            check_url(url)


def test_registration_refuses_an_internal_endpoint(db: Any, people: People, settings: Any) -> None:
    settings.METALSTAT_WEBHOOK_ALLOW_LOOPBACK = False
    with pytest.raises(ValidationError, match="internal address"):
        hook_for(people.en, "https://127.0.0.1:8443/hook")
    assert Webhook.objects.count() == 0


def test_webhooks_through_the_data_api(db: Any, people: People, settings: Any, receiver: Receiver) -> None:
    settings.METALSTAT_WEBHOOK_ALLOW_LOOPBACK = True
    key = do_create_api_key(people.en.user, "notebook", actor="admin")[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    refused = client.post("/api/v1/webhooks", {"url": "https://10.0.0.1/x"}, content_type="application/json")
    assert refused.status_code == 400
    assert "internal address" in refused.json()["detail"]
    made = client.post("/api/v1/webhooks", {"url": receiver.url}, content_type="application/json")
    assert made.status_code == 201
    hook = made.json()["webhook"]
    assert hook["secret"].startswith("whsec_")
    listed = client.get("/api/v1/webhooks").json()["webhooks"]
    assert [h["url"] for h in listed] == [receiver.url]
    assert "secret" not in listed[0]
    assert client.get(f"/api/v1/webhooks/{hook['id']}/deliveries").json()["attempts"] == []
    # another subscriber's key does not see it
    other = do_create_api_key(people.zh.user, "laptop", actor="admin")[1]
    stranger = Client(HTTP_AUTHORIZATION=f"Bearer {other}")
    assert stranger.get(f"/api/v1/webhooks/{hook['id']}/deliveries").status_code == 404
    gone = client.delete(f"/api/v1/webhooks/{hook['id']}")
    assert gone.status_code == 200
    assert gone.json()["webhook"]["active"] is False
    assert Client().get("/api/v1/webhooks").status_code == 401


@pytest.mark.parametrize("url", ["", "https://[abc/x", "https://exa mple.org/", "https://" + "a" * 300 + ".org/"])
def test_malformed_urls_are_refused_with_a_reason(url: str, settings: Any) -> None:
    settings.METALSTAT_WEBHOOK_ALLOW_LOOPBACK = False
    with pytest.raises(UnsafeEndpoint):
        check_url(url)


def test_the_registration_route_refuses_bad_bodies(db: Any, people: People) -> None:
    key = do_create_api_key(people.en.user, "notebook", actor="admin")[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    for body in ("not json", "[1]", '{"url": 5}', "{}"):
        assert client.post("/api/v1/webhooks", body, content_type="application/json").status_code == 400
    assert client.delete(f"/api/v1/webhooks/{2**70}").status_code in (400, 404)
