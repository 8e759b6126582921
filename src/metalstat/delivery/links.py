"""Absolute links into the site, for messages read elsewhere (e-mail, feeds, calendars,
webhook calls): ``METALSTAT_SITE_URL`` plus the path."""

from __future__ import annotations

from django.conf import settings


def site_url(path: str = "") -> str:
    return str(settings.METALSTAT_SITE_URL).rstrip("/") + path
