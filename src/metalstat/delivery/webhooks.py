"""Webhook calls: identifiers and links only (never a figure, so a call cannot pass the gate),
signed per Standard Webhooks, retried with exponential backoff, the endpoint disabled after
too many failures in a row.

Endpoint addresses are checked when registered and again before every call: HTTPS, and no
address on a loopback, private, link-local or otherwise internal network (a webhook must not
become a way to reach the servers behind metalstat). ``METALSTAT_WEBHOOK_ALLOW_LOOPBACK=1``
lets tests and the demo call a receiver on 127.0.0.1 (plain HTTP too), and nothing else
internal. Redirects are not followed.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from standardwebhooks.webhooks import Webhook as Signer

from metalstat.delivery.links import site_url
from metalstat.delivery.models import AttemptOutcome, Delivery, Webhook
from metalstat.delivery.outcomes import Outcome
from metalstat.releases.queries import release_id

TIMEOUT = 10.0  # seconds per call
EVENT = "release.published"


class UnsafeEndpoint(ValueError):
    """A webhook URL metalstat will not call; the message says why."""


def _allow_loopback() -> bool:
    return bool(getattr(settings, "METALSTAT_WEBHOOK_ALLOW_LOOPBACK", False))


def _internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def check_url(url: str, *, resolve: bool = True) -> str:
    """The URL if metalstat may call it; UnsafeEndpoint saying why otherwise."""
    try:
        parts = urlsplit(url.strip())
        host_given = parts.hostname
    except ValueError:
        raise UnsafeEndpoint(f"{url!r} is not a URL") from None
    if not host_given:
        raise UnsafeEndpoint(f"{url!r} is not an absolute URL")
    if parts.username or parts.password:
        raise UnsafeEndpoint("a webhook URL carries no user name or password (sign, do not embed secrets)")
    host = host_given
    loopback_ok = _allow_loopback()
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback_ok and host == "127.0.0.1"):
        raise UnsafeEndpoint(f"a webhook URL must use https (not {parts.scheme or 'nothing'})")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeEndpoint(f"{url!r} has an invalid port") from None
    if not resolve:
        return url.strip()
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise UnsafeEndpoint(f"the host {host!r} does not resolve ({exc.strerror})") from None
    except (UnicodeError, ValueError):
        raise UnsafeEndpoint(f"the host {host!r} is not a valid host name") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if _internal(address) and not (loopback_ok and address.is_loopback):
            raise UnsafeEndpoint(
                f"{host} resolves to {address}, an internal address: webhooks go to public endpoints only"
            )
    return url.strip()


def new_secret() -> str:
    import base64
    import secrets

    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def payload(delivery: Delivery) -> dict[str, Any]:
    """What a call says: the event, the release's identifiers and links. No figures."""
    release = delivery.release
    rid = release_id(release)
    return {
        "type": EVENT,
        "timestamp": release.live_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "data": {
            "release": rid,
            "period": f"{release.period:%Y-%m}",
            "vintage": release.vintage,
            "release_at": release.live_at.isoformat(),
            "links": {
                "release": site_url(f"/api/v1/releases/{rid}"),
                "bulk_csv": site_url(f"/api/v1/releases/{rid}/bulk.csv"),
                "calendar": site_url("/calendar.ics"),
                "feed": site_url("/feeds/releases.atom"),
            },
        },
    }


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:  # noqa: ARG002 (refuse every redirect)
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def signed_request(hook: Webhook, msg_id: str, body: str, at: datetime) -> urllib.request.Request:
    signature = Signer(hook.secret).sign(msg_id, at.astimezone(UTC), body)
    return urllib.request.Request(  # noqa: S310 (the scheme is checked: https, or http to 127.0.0.1 when allowed)
        hook.url,
        data=body.encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "metalstat-webhooks/1",
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": signature,
        },
    )


def backoff(attempt: int) -> timedelta:
    """The wait before retry ``attempt + 1``: the base, doubled each time, at most a day."""
    base = float(getattr(settings, "METALSTAT_WEBHOOK_BACKOFF", 30))
    return timedelta(seconds=min(base * 2 ** max(attempt - 1, 0), 86400.0))


def _failed(hook: Webhook, delivery: Delivery, detail: str) -> Outcome:
    Webhook.objects.filter(pk=hook.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    hook.refresh_from_db(fields=["consecutive_failures"])
    limit = int(getattr(settings, "METALSTAT_WEBHOOK_DISABLE_AFTER", 10))
    if hook.consecutive_failures >= limit:
        Webhook.objects.filter(pk=hook.pk, active=True).update(
            active=False, disabled_at=timezone.now(), disabled_reason=f"{limit} failures in a row; last: {detail}"[:200]
        )
        return Outcome(AttemptOutcome.FAILED, f"{detail}; endpoint disabled after {limit} failures in a row")
    if delivery.attempts >= int(getattr(settings, "METALSTAT_WEBHOOK_ATTEMPTS", 6)):
        return Outcome(AttemptOutcome.FAILED, f"{detail}; given up after {delivery.attempts} attempts")
    return Outcome(AttemptOutcome.FAILED, detail, retry_after=backoff(delivery.attempts))


def deliver(delivery: Delivery) -> Outcome:
    hook = delivery.webhook
    assert hook is not None
    hook.refresh_from_db()
    if hook.deleted_at is not None:
        return Outcome(AttemptOutcome.SKIPPED, "endpoint deleted")
    if not hook.active:
        return Outcome(AttemptOutcome.SKIPPED, "endpoint disabled")
    try:
        check_url(hook.url)
    except UnsafeEndpoint as exc:
        return _failed(hook, delivery, str(exc))
    body = json.dumps(payload(delivery), separators=(",", ":"), ensure_ascii=False)
    request = signed_request(hook, delivery.key, body, timezone.now())
    try:
        with _OPENER.open(request, timeout=TIMEOUT) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        status = int(exc.code)
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        return _failed(hook, delivery, f"no answer: {getattr(exc, 'reason', exc)}")
    if 200 <= status < 300:
        if hook.consecutive_failures:
            Webhook.objects.filter(pk=hook.pk).update(consecutive_failures=0)
        return Outcome(AttemptOutcome.SENT, f"HTTP {status}")
    return _failed(hook, delivery, f"HTTP {status}")
