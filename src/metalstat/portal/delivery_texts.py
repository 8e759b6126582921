"""Delivery's texts in the reader's language: the outcome and detail of each attempt in the
delivery log, why an endpoint is off, and why one is refused.

``delivery`` writes them once, in English, where they happen (the log and the API speak
English, and a stored text cannot follow each reader's language). The account page reads them
through :func:`translated`: each known phrase of delivery's, matched whole, is given in the
reader's language (in English as delivery wrote it), its parts (an HTTP status, a count, an
address, a nested reason) kept as they are; a text of no known phrase (an operating system's
own error message) is shown as written. ``tests/portal/test_delivery_texts.py`` holds
the phrases to what delivery really writes.
"""

from __future__ import annotations

import re

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

OUTCOMES: dict[str, Promise] = {
    "sent": _("sent"),
    "failed": _("failed"),
    "skipped": _("skipped"),
}

# (a whole phrase, its text in the reader's language); groups named "detail" are phrases too
_PHRASES: list[tuple[str, Promise]] = [
    (r"HTTP (?P<status>\d{3})", _("HTTP %(status)s")),
    (r"no answer: (?P<detail>.+)", _("no answer: %(detail)s")),
    (r"timed out|The read operation timed out", _("timed out")),
    (r"(\[Errno 111\] )?Connection refused", _("Connection refused")),
    (
        r"(?P<detail>.+); endpoint disabled after (?P<n>\d+) failures in a row",
        _("%(detail)s; endpoint disabled after %(n)s failures in a row"),
    ),
    (r"(?P<detail>.+); given up after (?P<n>\d+) attempts", _("%(detail)s; given up after %(n)s attempts")),
    (r"claim lost; (?P<detail>.+)", _("claim lost; %(detail)s")),
    (r"endpoint disabled", _("endpoint disabled")),
    (r"endpoint deleted", _("endpoint deleted")),
    (r"removed by its owner", _("removed by its owner")),
    (r"deleted by its owner", _("deleted by its owner")),
    (r"(?P<n>\d+) failures in a row; last: (?P<detail>.+)", _("%(n)s failures in a row; last: %(detail)s")),
    (r"unsubscribed before sending", _("unsubscribed before sending")),
    (r"no active address", _("no active address")),
    (r"nothing followed and entitled in the release", _("nothing followed and entitled in the release")),
    (r"the mail backend accepted nothing", _("the mail backend accepted nothing")),
    (r"to (?P<address>\S+@\S+)", _("to %(address)s")),
    # why an address is refused (delivery.webhooks.check_url, delivery.actions)
    (r"a webhook URL must use https \(not (?P<scheme>[^)]*)\)", _("a webhook URL must use https (not %(scheme)s)")),
    (r"(?P<url>'.*') is not a URL", _("%(url)s is not a URL")),
    (r"(?P<url>'.*') is not an absolute URL", _("%(url)s is not an absolute URL")),
    (r"(?P<url>'.*') has an invalid port", _("%(url)s has an invalid port")),
    (
        r"a webhook URL carries no user name or password \(sign, do not embed secrets\)",
        _("a webhook URL carries no user name or password (sign, do not embed secrets)"),
    ),
    (r"the host (?P<host>'.*') does not resolve \((?P<why>.*)\)", _("the host %(host)s does not resolve (%(why)s)")),
    (r"the host (?P<host>'.*') is not a valid host name", _("the host %(host)s is not a valid host name")),
    (
        r"(?P<host>\S+) resolves to (?P<address>\S+), an internal address: webhooks go to public endpoints only",
        _("%(host)s resolves to %(address)s, an internal address: webhooks go to public endpoints only"),
    ),
    (r"at most (?P<n>\d+) active endpoints per subscriber", _("at most %(n)s active endpoints per subscriber")),
]
_COMPILED = [(re.compile(pattern), text) for pattern, text in _PHRASES]
SEPARATOR = pgettext_lazy("between two reasons", "; ")


def translated(text: str) -> str:
    """``text`` of delivery's in the reader's language (the current one), as far as its
    phrases are known; the rest as written."""
    text = text.strip()
    for pattern, template in _COMPILED:
        found = pattern.fullmatch(text)
        if found is None:
            continue
        parts = {k: (translated(v) if k == "detail" else v) for k, v in found.groupdict().items() if v is not None}
        return str(template) % parts if parts else str(template)
    return text


def outcome_label(outcome: str) -> str:
    return str(OUTCOMES.get(outcome, outcome))


def reasons(messages: list[str]) -> str:
    """The reasons an action refused something, in the reader's language, joined."""
    return str(SEPARATOR).join(translated(m) for m in messages)
