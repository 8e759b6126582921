"""The delivery's URLs: the calendar, the feeds, the unsubscribe link; and, under
``/api/v1/webhooks``, webhook registration (``delivery.api``)."""

from __future__ import annotations

from django.urls import path

from metalstat.delivery import api as _api  # noqa: F401 (adds the webhook routes to /api/v1/)
from metalstat.delivery.feeds import CorrectionsFeed, PersonalFeed, ReleasesFeed
from metalstat.delivery.views import calendar_view, unsubscribe_view

urlpatterns = [
    path("calendar.ics", calendar_view, name="calendar"),
    path("feeds/releases.atom", ReleasesFeed(), name="feed-releases"),
    path("feeds/corrections.atom", CorrectionsFeed(), name="feed-corrections"),
    path("feeds/personal/<str:token>.atom", PersonalFeed(), name="feed-personal"),
    path("alerts/unsubscribe/<str:token>", unsubscribe_view, name="unsubscribe"),
]
