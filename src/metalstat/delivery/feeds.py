"""Atom feeds: every release, the corrections (a later vintage of a month), and a personal
feed per subscriber (a read-only token in the URL, since feed readers send no headers) of
the products they follow and may read in each release. Titles, times, links: no figures.

Public releases are read through ``releases.queries.release_calendar`` (a release appears at
its release time); a personal feed's products through the subscriber's entitlements.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.utils.feedgenerator import Atom1Feed

from metalstat.catalog import load_catalog
from metalstat.delivery.actions import feed_digest
from metalstat.delivery.links import site_url
from metalstat.delivery.mail import headline_values
from metalstat.delivery.models import AlertPreference
from metalstat.releases.queries import NotVisible, release_by_id, release_calendar
from metalstat.releases.series import series_id
from metalstat.subscriptions.entitlements import entitlements_of

ENTRIES = 60


@dataclass(frozen=True)
class Entry:
    guid: str
    title: str
    link: str
    at: datetime
    text: str


def public_releases() -> list[dict[str, Any]]:
    """Releases the public sees now, newest first."""
    released = [r for r in release_calendar() if r["status"] == "released"]
    return sorted(released, key=lambda r: (r["release_at"], r["vintage"]), reverse=True)


def _release_entry(r: dict[str, Any]) -> Entry:
    rid = r["id"]
    if r["vintage"] > 1:
        title = f"metalstat {r['period']} statistics revised: vintage {r['vintage']} ({rid})"
    else:
        title = f"metalstat {r['period']} statistics released ({rid})"
    return Entry(
        guid=f"tag:metalstat,2025:release/{rid}",
        title=title,
        link=site_url(f"/api/v1/releases/{rid}"),
        at=r["release_at"],
        text=f"{title} at {r['release_at']:%Y-%m-%d %H:%M %Z}. " + (r.get("note") or ""),
    )


class _AtomFeed(Feed):  # type: ignore[type-arg]
    feed_type = Atom1Feed
    author_name = "metalstat"

    def item_title(self, item: Entry) -> str:
        return item.title

    def item_link(self, item: Entry) -> str:
        return item.link

    def item_guid(self, item: Entry) -> str:
        return item.guid

    item_guid_is_permalink = False

    def item_description(self, item: Entry) -> str:
        return item.text

    def item_pubdate(self, item: Entry) -> datetime:
        return item.at

    def item_updateddate(self, item: Entry) -> datetime:
        return item.at


class ReleasesFeed(_AtomFeed):
    title = "metalstat releases"
    subtitle = "Every release of the monthly statistics, at its release time."

    def link(self) -> str:
        return site_url("/calendar.ics")

    def feed_guid(self) -> str:
        return "tag:metalstat,2025:releases"

    def items(self) -> list[Entry]:
        return [_release_entry(r) for r in public_releases()[:ENTRIES]]


class CorrectionsFeed(ReleasesFeed):
    title = "metalstat corrections"
    subtitle = "Later vintages of a month: revised figures replacing those first released."

    def feed_guid(self) -> str:
        return "tag:metalstat,2025:corrections"

    def items(self) -> list[Entry]:
        return [_release_entry(r) for r in public_releases() if r["vintage"] > 1][:ENTRIES]


class PersonalFeed(_AtomFeed):
    title = "metalstat: your products"
    subtitle = "The products you follow and may read, in each release."

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> AlertPreference:  # noqa: ARG002
        token = str(kwargs.get("token", ""))
        pref = (
            AlertPreference.objects.select_related("subscriber__user").filter(feed_digest=feed_digest(token)).first()
            if token
            else None
        )
        if pref is None or not pref.subscriber.user.is_active:
            raise Http404("no such feed")
        return pref

    def link(self, obj: AlertPreference) -> str:  # noqa: ARG002 (Django's hook)
        return site_url("/feeds/releases.atom")

    def feed_guid(self, obj: AlertPreference) -> str:
        return f"tag:metalstat,2025:personal/{obj.subscriber_id}"

    def items(self, obj: AlertPreference) -> list[Entry]:
        catalog = load_catalog()
        user = obj.subscriber.user
        rights = entitlements_of(user)
        followed = set(obj.products)
        out: list[Entry] = []
        for r in public_releases()[:12]:
            try:
                release = release_by_id(r["id"])
            except NotVisible:
                continue
            products = set(headline_values(release, user, analyst=rights.analyst))
            for code in [c for c in catalog.codes() if c in products and (not followed or c in followed)]:
                sid = series_id(code, "actual", "production", "", "level")
                if not rights.covers(sid, code):
                    continue
                name = catalog.get(code).name
                verb = "revised" if r["vintage"] > 1 else "released"
                out.append(
                    Entry(
                        guid=f"tag:metalstat,2025:release/{r['id']}/{code}",
                        title=f"{name}: {r['period']} {verb} ({r['id']})",
                        link=site_url(f"/api/v1/series/{sid}/observations"),
                        at=r["release_at"],
                        text=f"{name}, {r['period']}, in release {r['id']}.",
                    )
                )
        return out[:ENTRIES]
