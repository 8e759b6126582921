"""What every portal page's layout needs: the report's language for the reader's language
(numbers, months, labels), its punctuation (``P``: full-width in Chinese), the flag legend
and the next release time (read only when a page prints it)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language

from metalstat.portal import pages
from metalstat.releases.queries import next_release_at


class _NextRelease:
    @cached_property
    def value(self) -> dict[str, str] | None:
        return pages.when(next_release_at(), pages.report_language(get_language()))


def portal(request: HttpRequest) -> dict[str, Any]:  # noqa: ARG001 (a context processor)
    lang = pages.report_language(get_language())
    upcoming = _NextRelease()
    return {
        "L": lang,
        "P": pages.PUNCTUATION,
        "legend": [(code, lang.term("obs_status", code)) for code in "PEFBIUCD"],
        "next_release": lambda: upcoming.value,
    }
