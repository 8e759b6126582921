"""``/calendar.ics``: every release, past and scheduled, as an iCalendar event.

One VEVENT per release with a stable UID (the release's own number, never reused), its time
in the release time zone (TZID with its VTIMEZONE), SEQUENCE raised each time the release is
moved or withdrawn, STATUS:CANCELLED once withdrawn. A scheduled release says when and
nothing else, as ``releases.queries.release_calendar`` does: its month, vintage and link
appear at its release time.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from icalendar import Calendar, Event

from metalstat.delivery.links import site_url
from metalstat.delivery.models import ReleaseSchedule
from metalstat.releases.models import Release
from metalstat.releases.queries import LIVE_STATUSES, release_id

PRODID = "-//metalstat//release calendar//EN"
SCHEDULED = "metalstat monthly statistics (scheduled)"


def uid(release: Release) -> str:
    return f"release-{release.pk}@metalstat"


def calendar_ics(now: datetime | None = None) -> bytes:
    now = now or timezone.now()
    zone = ZoneInfo(str(settings.TIME_ZONE))
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "metalstat releases")
    cal.add("x-wr-timezone", str(settings.TIME_ZONE))
    releases = (
        Release.objects.filter(Q(status__in=LIVE_STATUSES) | Q(schedule__isnull=False))
        .select_related("schedule")
        .order_by("pk")
    )
    for release in releases:
        schedule: ReleaseSchedule | None = getattr(release, "schedule", None)
        at = release.release_at or (schedule.release_at if schedule else None)
        if at is None:
            continue
        cancelled = release.status not in LIVE_STATUSES
        public = not cancelled and at <= now
        event = Event()
        event.add("uid", uid(release))
        event.add("dtstamp", (schedule.updated_at if schedule else release.published_at or release.created_at))
        event.add("dtstart", at.astimezone(zone))
        event.add("sequence", schedule.sequence if schedule else 0)
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        event.add("transp", "TRANSPARENT")
        if public:
            rid = release_id(release)
            event.add("summary", f"metalstat {release.period:%Y-%m} statistics ({rid})")
            event.add("url", site_url(f"/api/v1/releases/{rid}"))
            event.add("description", f"Released: {site_url(f'/api/v1/releases/{rid}')}")
        else:
            event.add("summary", ("Cancelled: " if cancelled else "") + SCHEDULED)
        cal.add_component(event)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())
