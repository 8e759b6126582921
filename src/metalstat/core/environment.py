"""Every setting metalstat reads from the environment, declared once: name, default, help.

Settings, commands and the report read a variable only through :func:`value`, so the table
in the README (checked by a test) is the whole list. Pure Python: usable before Django starts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    default: str  # as text, the way the environment gives it; "" is unset
    help: str
    shown_default: str = ""  # what the README says when the default is computed


SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE_URL", "", "e.g. `postgres://user@host:5432/metalstat`", "SQLite in the data folder"),
    Setting("METALSTAT_DATA_DIR", "data", "where the embedded database and the generated secret key live", "`./data`"),
    Setting("METALSTAT_DEBUG", "0", "`1` turns on Django's debug pages; never in production"),
    Setting(
        "SECRET_KEY",
        "",
        "Django's signing key; when unset, a random key is made once and "
        "kept in the data folder (readable by its owner only)",
        "generated",
    ),
    Setting("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver", "host names the site answers to, comma-separated"),
    Setting("METALSTAT_TIME_ZONE", "Asia/Shanghai", "time zone of release times"),
    Setting(
        "METALSTAT_SEPARATE_APPROVER",
        "0",
        "`1`: four eyes for the command line too (a name that created or submitted a release may not approve it); "
        "a signed-in user is always held to it",
    ),
    Setting(
        "METALSTAT_ANALYSTS_GROUP",
        "analysts",
        "members of this group, of any group with the `view_unreleased` permission (the analysts and editors roles) "
        "and staff see releases before their release time and unpublished data",
    ),
    Setting("METALSTAT_ACTOR", "", "who `metalstat import` records as the actor", "your user name"),
    Setting(
        "METALSTAT_REPORT_WORKERS", "", "processes laying out the report's PDFs side by side", "the number of cores"
    ),
    Setting(
        "METALSTAT_CACHE_URL",
        "",
        "a Redis URL (`redis://127.0.0.1:6379/0`) for the cache and the API's rate counters",
        "local memory",
    ),
    Setting("METALSTAT_API_RATE", "120", "data API requests a minute per key"),
    Setting(
        "METALSTAT_ENTITLEMENTS_TTL",
        "5",
        "seconds a process keeps a reader's entitlements; a subscription change reaches the API and the portal "
        "within that time (`0`: read them on every request)",
    ),
    Setting(
        "METALSTAT_ACCESS_LOG_BATCH",
        "1",
        "API access-log rows a process writes in one statement (`metalstat serve` sets 50 unless given); a row "
        "waits 2 s at most, previews are written at once and shutdown writes what is left",
    ),
    Setting(
        "METALSTAT_LOCK_TIMEOUT",
        "30",
        "seconds an import or a run waits for another writer before it is refused",
    ),
    Setting(
        "METALSTAT_HTTPS",
        "0",
        "`1` behind an HTTPS proxy: secure cookies, HSTS, redirect to HTTPS (what `check --deploy` asks)",
    ),
    Setting(
        "METALSTAT_SITE_URL",
        "http://127.0.0.1:8000",
        "the site's public address, for the links in e-mails, feeds, the calendar and webhook calls",
    ),
    Setting(
        "METALSTAT_EMAIL",
        "file",
        "how release e-mail leaves: `file` (one `.eml` per message in the mail folder), `smtp` or `console`",
    ),
    Setting("METALSTAT_EMAIL_DIR", "", "the mail folder of the `file` e-mail", "`outbox` in the data folder"),
    Setting("METALSTAT_EMAIL_FROM", "metalstat <releases@localhost>", "the sender of release e-mail"),
    Setting("METALSTAT_SMTP_HOST", "localhost", "SMTP server (with `METALSTAT_EMAIL=smtp`)"),
    Setting("METALSTAT_SMTP_PORT", "587", "SMTP port"),
    Setting("METALSTAT_SMTP_USER", "", "SMTP user name", "none"),
    Setting("METALSTAT_SMTP_PASSWORD", "", "SMTP password", "none"),
    Setting("METALSTAT_SMTP_TLS", "1", "`1`: STARTTLS to the SMTP server"),
    Setting(
        "METALSTAT_WEBHOOK_ALLOW_LOOPBACK",
        "0",
        "`1`: webhooks may call 127.0.0.1, over plain HTTP too (tests and the demo only); "
        "otherwise HTTPS to public addresses only",
    ),
    Setting("METALSTAT_WEBHOOK_ATTEMPTS", "6", "tries of one webhook call before it is given up"),
    Setting("METALSTAT_WEBHOOK_BACKOFF", "30", "seconds before the first retry of a webhook call, doubled each time"),
    Setting("METALSTAT_WEBHOOK_DISABLE_AFTER", "10", "failed calls in a row after which an endpoint is disabled"),
    Setting(
        "METALSTAT_DELIVERY_LEASE",
        "60",
        "seconds a worker holds a delivery it is sending; after that another worker may take it",
    ),
    Setting("METALSTAT_DELIVERY_DRAINS", "2", "sending tasks queued per release, so that several workers share it"),
    Setting(
        "METALSTAT_REPORT_LANGUAGES",
        "",
        "extra folders of report languages (path-separated), which may add or override one",
        "none",
    ),
)
BY_NAME = {s.name: s for s in SETTINGS}


def value(name: str) -> str:
    """The variable's value, or its declared default when unset or empty."""
    return os.environ.get(name) or BY_NAME[name].default


def flag(name: str) -> bool:
    """A yes/no setting: ``1`` is yes."""
    return value(name) == "1"
