"""The channels' content: Atom feeds (public and personal), the iCalendar file, and the
release e-mail in English and Chinese with only entitled products, links and unsubscribe."""

from __future__ import annotations

import email
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from email.message import Message
from pathlib import Path
from typing import Any

import icalendar
import time_machine
from django.test import Client
from django.utils import timezone

from metalstat.delivery.actions import do_issue_feed_token, do_set_alert_preferences
from metalstat.delivery.models import AlertPreference
from metalstat.delivery.sending import drain, fan_out
from metalstat.releases.models import Release
from tests.delivery.conftest import People, approved, june_rows, publish, soon
from tests.registry.factories import figure_row

ATOM_NS = "http://www.w3.org/2005/Atom"
A = "{" + ATOM_NS + "}"


def _atom(body: bytes) -> ET.Element:
    root = ET.fromstring(body)  # noqa: S314 (our own feed)
    assert root.tag == f"{A}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{A}{required}") is not None, required
    for entry in root.findall(f"{A}entry"):
        for required in ("id", "title", "updated", "link"):
            assert entry.find(f"{A}{required}") is not None, required
        assert entry.find(f"{A}link").get("href", "").startswith("https://stats.example.org/")  # type: ignore[union-attr]
    return root


def _reader_text(body: bytes) -> str:
    """What a feed reader shows: every element's text but the timestamps and ids, whose
    digits are clock readings (a figure's value must not be found in '11:34:11.88')."""
    machine = {f"{A}id", f"{A}updated", f"{A}published"}
    return " ".join(e.text or "" for e in ET.fromstring(body).iter() if e.tag not in machine)  # noqa: S314


def _titles(root: ET.Element) -> list[str]:
    return [e.findtext(f"{A}title") or "" for e in root.findall(f"{A}entry")]


def _two_vintages(people: People) -> tuple[Release, Release]:
    """June v1 live an hour ago, June v2 (a correction) live now."""
    with time_machine.travel(timezone.now() - timedelta(hours=1), tick=False):
        first = publish(approved(), timezone.now())
    rows = june_rows()
    rows[0] = figure_row(period="2025-06", value=1190.0)
    second = publish(approved(rows=rows), timezone.now())
    return first, second


def test_feeds_are_atom_with_releases_and_corrections_and_no_figures(
    db: Any, people: People, delivery_settings: Path
) -> None:
    _two_vintages(people)
    client = Client()
    response = client.get("/feeds/releases.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    releases = _atom(response.content)
    assert _titles(releases) == [
        "metalstat 2025-06 statistics revised: vintage 2 (2025-06.v2)",
        "metalstat 2025-06 statistics released (2025-06.v1)",
    ]
    corrections = _atom(client.get("/feeds/corrections.atom").content)
    assert _titles(corrections) == ["metalstat 2025-06 statistics revised: vintage 2 (2025-06.v2)"]
    for body in (response.content, client.get("/feeds/corrections.atom").content):
        words = _reader_text(body)
        for value in ("1188", "1,188", "1190", "1,190", "520"):
            assert not re.search(rf"(?<![\d.]){value}(?![\d])", words), (value, words)


def test_the_personal_feed_lists_only_entitled_products_and_needs_its_token(
    db: Any, people: People, delivery_settings: Path
) -> None:
    _two_vintages(people)
    pref, token = do_issue_feed_token(people.en, actor="admin")
    assert AlertPreference.objects.get(pk=pref.pk).feed_digest != token  # only the digest is kept
    client = Client()
    feed = _atom(client.get(f"/feeds/personal/{token}.atom").content)
    # en follows copper and NPI, but base metals do not include NPI: only copper is listed.
    assert _titles(feed) == [
        "Copper Cathode: 2025-06 revised (2025-06.v2)",
        "Copper Cathode: 2025-06 released (2025-06.v1)",
    ]
    assert client.get("/feeds/personal/mfeed_wrong.atom").status_code == 404
    _, newer = do_issue_feed_token(people.en, actor="admin")
    assert client.get(f"/feeds/personal/{token}.atom").status_code == 404  # the old token stops
    assert client.get(f"/feeds/personal/{newer}.atom").status_code == 200


def test_the_calendar_parses_with_its_time_zone_and_a_stable_uid(db: Any, people: People) -> None:
    at = soon(3600)
    release = publish(approved(), at)
    body = Client().get("/calendar.ics").content
    cal = icalendar.Calendar.from_ical(body)
    assert str(cal["version"]) == "2.0"
    zones = [str(z["tzid"]) for z in cal.walk("VTIMEZONE")]
    assert zones == ["Asia/Shanghai"]
    (event,) = cal.walk("VEVENT")
    assert str(event["uid"]) == f"release-{release.pk}@metalstat"
    assert event["dtstart"].params["TZID"] == "Asia/Shanghai"
    assert event.decoded("dtstart") == at
    assert event["sequence"] == 0
    assert str(event["status"]) == "CONFIRMED"
    with time_machine.travel(at + timedelta(seconds=1), tick=False):
        (later,) = icalendar.Calendar.from_ical(Client().get("/calendar.ics").content).walk("VEVENT")
    assert str(later["uid"]) == str(event["uid"])


def _messages(outbox: Path) -> dict[str, Message]:
    out = {}
    for path in outbox.glob("*.eml"):
        msg = email.message_from_bytes(path.read_bytes())
        out[str(msg["To"])] = msg
    return out


def _parts(msg: Message) -> dict[str, str]:
    parts = {}
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            parts[part.get_content_type()] = payload.decode(part.get_content_charset() or "utf-8")
    return parts


def test_the_release_email_in_english_and_chinese_with_entitled_products_only(
    db: Any, people: People, delivery_settings: Path
) -> None:
    release = publish(approved(), timezone.now())
    fan_out(release.pk, release.live_at.isoformat())
    drain()
    mails = _messages(delivery_settings)
    assert set(mails) == {"trader@desk.example", "li@desk.example"}

    en = mails["trader@desk.example"]
    assert str(en["Subject"]) == "metalstat: June 2025 statistics released (2025-06.v1)"
    assert str(en["Message-ID"]) == f"<2025-06.v1.email.s{people.en.pk}@metalstat>"
    text, html = _parts(en)["text/plain"], _parts(en)["text/html"]
    # Copper: 1188 with the catalog's two decimals, +10.0 % on the month, -2.5 % on the year.
    assert "Copper Cathode (mt): Production 1,188.00, Month on month +10.0%, Year on year -2.5%" in text
    # Followed, not entitled. Links are left out: a signed token's letters are not figures.
    words = re.sub(r"https?://\S+", "", text + html)
    assert "NPI" not in words and "520" not in words
    assert "https://stats.example.org/api/v1/releases/2025-06.v1" in text
    assert '<html lang="en">' in html and "1,188.00" in html
    unsubscribe = "".join(str(en["List-Unsubscribe"]).split()).strip("<>")  # unfolded
    assert unsubscribe.startswith("https://stats.example.org/alerts/unsubscribe/")
    assert unsubscribe in text

    zh = mails["li@desk.example"]
    assert str(email.header.make_header(email.header.decode_header(zh["Subject"]))) == (
        "metalstat：2025年6月统计数据已发布（2025-06.v1）"
    )
    text, html = _parts(zh)["text/plain"], _parts(zh)["text/html"]
    assert "电解铜 (吨)" in text and "产量 1,188.00" in text and "环比 +10.0%" in text and "同比 -2.5%" in text
    assert '<html lang="zh-Hans">' in html and "退订" in html

    # The unsubscribe link works without a session (one-click POST), and only for its subscriber.
    client = Client(enforce_csrf_checks=True)
    path = unsubscribe.removeprefix("https://stats.example.org")
    assert client.get(path).status_code == 200
    assert AlertPreference.objects.get(subscriber=people.en).email
    assert client.post(path).status_code == 200
    assert not AlertPreference.objects.get(subscriber=people.en).email
    assert AlertPreference.objects.get(subscriber=people.zh).email
    assert client.get("/alerts/unsubscribe/forged").status_code == 404


def test_nothing_entitled_means_no_email(db: Any, people: People, delivery_settings: Path) -> None:
    do_set_alert_preferences(people.en, products=["npi"], actor="admin")
    release = publish(approved(), timezone.now())
    fan_out(release.pk, release.live_at.isoformat())
    drain()
    assert set(_messages(delivery_settings)) == {"li@desk.example"}
