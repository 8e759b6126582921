"""The release-time trigger, with the clock frozen just before and at the release time:
nothing exists before (no message, no feed entry, no calendar change, no webhook call), all of
it after, once; a release moved or withdrawn before its time sends nothing for the old time."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path
from typing import Any

import icalendar
import time_machine
from django.test import Client
from django_tasks_db.models import DBTaskResult

from metalstat.delivery.models import Delivery, DeliveryAttempt
from metalstat.releases.actions import do_reschedule_release, do_withdraw_release
from tests.delivery.conftest import People, Receiver, approved, hook_for, publish, soon
from tests.delivery.worker import run_worker

ATOM = "{http://www.w3.org/2005/Atom}"


def _no_failed_tasks() -> None:
    failed = list(DBTaskResult.objects.failed().values_list("task_path", "traceback"))
    assert failed == []


def _feed_titles(client: Client) -> list[str]:
    root = ET.fromstring(client.get("/feeds/releases.atom").content)  # noqa: S314 (our own feed)
    return [e.findtext(f"{ATOM}title") or "" for e in root.findall(f"{ATOM}entry")]


def _calendar_event(client: Client) -> Any:
    cal = icalendar.Calendar.from_ical(client.get("/calendar.ics").content)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    return events[0]


def _mails(outbox: Path) -> list[Path]:
    return sorted(outbox.glob("*.eml")) if outbox.exists() else []


def test_nothing_before_release_time_everything_once_at_it(
    transactional_db: Any, people: People, delivery_settings: Path, receiver: Receiver
) -> None:
    outbox = delivery_settings
    hook_for(people.en, receiver.url)
    at = soon(120)
    release = publish(approved(), at)
    client = Client()
    # Announced at once: the calendar has the event, saying when and nothing else.
    event = _calendar_event(client)
    assert str(event["summary"]) == "metalstat monthly statistics (scheduled)"
    assert "url" not in event

    with time_machine.travel(at - timedelta(seconds=1), tick=False):
        run_worker()
        assert Delivery.objects.count() == 0
        assert _mails(outbox) == []
        assert receiver.calls == []
        assert _feed_titles(client) == []
        event = _calendar_event(client)
        assert str(event["summary"]) == "metalstat monthly statistics (scheduled)"
        assert "2025-06" not in client.get("/calendar.ics").content.decode()

    with time_machine.travel(at, tick=False):
        run_worker()
        _no_failed_tasks()
        assert len(_mails(outbox)) == 2  # the English and the Chinese subscriber
        assert len(receiver.accepted) == 1
        assert _feed_titles(client) == ["metalstat 2025-06 statistics released (2025-06.v1)"]
        event = _calendar_event(client)
        assert str(event["summary"]) == "metalstat 2025-06 statistics (2025-06.v1)"
        assert str(event["url"]) == "https://stats.example.org/api/v1/releases/2025-06.v1"
        # every delivery went out at the release time, logged once
        assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
        assert list(Delivery.objects.values_list("sent_at", flat=True).distinct()) == [at]
        assert DeliveryAttempt.objects.filter(outcome="sent").count() == 3

    # Later runs, a fan-out run twice by hand, a second worker: nothing more.
    from metalstat.delivery.tasks import drain, fan_out

    with time_machine.travel(at + timedelta(minutes=5), tick=False):
        fan_out.enqueue(release.pk, at.isoformat())
        fan_out.enqueue(release.pk, at.isoformat())
        drain.enqueue()
        run_worker()
        run_worker()
        _no_failed_tasks()
    assert len(_mails(outbox)) == 2
    assert len(receiver.calls) == 1
    assert Delivery.objects.count() == 3
    assert DeliveryAttempt.objects.count() == 3


def test_a_release_moved_later_is_sent_at_its_new_time_only(
    transactional_db: Any, people: People, delivery_settings: Path, receiver: Receiver
) -> None:
    outbox = delivery_settings
    hook_for(people.zh, receiver.url)
    first = soon(120)
    release = publish(approved(), first)
    later = first + timedelta(hours=1)
    do_reschedule_release(release, actor="bo", release_at=later)
    client = Client()
    event = _calendar_event(client)
    assert event["sequence"] == 1
    assert event.decoded("dtstart") == later

    with time_machine.travel(first + timedelta(minutes=1), tick=False):
        run_worker()  # the task queued for the first time finds the release moved
        _no_failed_tasks()
        assert Delivery.objects.count() == 0
        assert _mails(outbox) == []
        assert receiver.calls == []
        assert _feed_titles(client) == []
    with time_machine.travel(later, tick=False):
        run_worker()
        _no_failed_tasks()
        assert len(_mails(outbox)) == 2
        assert len(receiver.accepted) == 1
        assert len(_feed_titles(client)) == 1


def test_a_withdrawn_release_sends_nothing_and_is_cancelled_in_the_calendar(
    transactional_db: Any, people: People, delivery_settings: Path, receiver: Receiver
) -> None:
    outbox = delivery_settings
    hook_for(people.en, receiver.url)
    at = soon(120)
    release = publish(approved(), at)
    do_withdraw_release(release, actor="bo", note="a return was found wrong")
    client = Client()
    event = _calendar_event(client)
    assert str(event["status"]) == "CANCELLED"
    assert event["sequence"] == 1
    assert event.decoded("dtstart") == at
    with time_machine.travel(at + timedelta(minutes=1), tick=False):
        run_worker()
        _no_failed_tasks()
        assert Delivery.objects.count() == 0
        assert _mails(outbox) == []
        assert receiver.calls == []
        assert _feed_titles(client) == []


def test_a_fan_out_run_early_waits_for_the_release_time(
    transactional_db: Any, people: People, delivery_settings: Path
) -> None:
    from metalstat.delivery.tasks import fan_out

    at = soon(120)
    release = publish(approved(), at)
    fan_out.enqueue(release.pk, at.isoformat())  # queued by hand with no run_after: runs at once
    with time_machine.travel(at - timedelta(seconds=30), tick=False):
        run_worker()
        _no_failed_tasks()
        assert Delivery.objects.count() == 0
        # it queued itself again for the release time
        assert DBTaskResult.objects.ready().count() == 0
        assert DBTaskResult.objects.filter(status="READY", run_after=at).count() == 2
    with time_machine.travel(at, tick=False):
        run_worker()
        _no_failed_tasks()
    assert len(_mails(delivery_settings)) == 2


def test_a_starting_worker_queues_what_a_lost_task_left(
    transactional_db: Any, people: People, delivery_settings: Path
) -> None:
    from metalstat.delivery.tasks import resume

    at = soon(120)
    publish(approved(), at)
    DBTaskResult.objects.all().delete()  # the queued fan-out is lost (a backend without the row)
    with time_machine.travel(at + timedelta(minutes=10), tick=False):
        assert resume() == 1
        run_worker()
        _no_failed_tasks()
        assert len(_mails(delivery_settings)) == 2
        assert resume() == 0  # nothing left
