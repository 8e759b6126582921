"""Django settings, read from the environment (every variable is declared, with its default
and help, in ``metalstat.core.environment``). Safe by default: debug pages off, a random
secret key kept in the data folder unless ``SECRET_KEY`` is given.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url

from metalstat.core.environment import flag, value

DATA_DIR = Path(value("METALSTAT_DATA_DIR")).resolve()
DEBUG = flag("METALSTAT_DEBUG")


def _secret_key() -> str:
    """SECRET_KEY when given; else a random key made once and kept beside the database."""
    given = value("SECRET_KEY")
    if given:
        return given
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50), "utf-8")
    return path.read_text("utf-8").strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h.strip() for h in value("ALLOWED_HOSTS").split(",") if h.strip()]

# A public site sits behind an HTTPS proxy that says so in X-Forwarded-Proto; then cookies
# travel only over HTTPS and browsers are told to use nothing else (`check --deploy` is clean).
if flag("METALSTAT_HTTPS"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Joining the browsers' HSTS preload list binds the whole domain for months: the
    # operator's decision, not the application's.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "metalstat.core",
    "metalstat.registry",
    "metalstat.survey",
    "metalstat.releases",
    "metalstat.subscriptions",
    "metalstat.portal",
    "django_tasks",
    "django_tasks_db",
    "metalstat.delivery",
    "metalstat.workspace",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # the portal's language: cookie, then Accept-Language
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "metalstat.project.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "metalstat.portal.context.portal",
            ]
        },
    }
]

WSGI_APPLICATION = "metalstat.project.wsgi.application"


def _database() -> dict[str, object]:
    url = value("DATABASE_URL")
    if url:
        return dict(dj_database_url.parse(url, conn_max_age=60))
    # WAL: readers (API workers) never wait for a writer (the access log, an import).
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "metalstat.sqlite3"),
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            # A transaction takes the write lock when it begins, so a writer waits for another
            # (up to the timeout) instead of failing when it upgrades a read (core.locks).
            "transaction_mode": "IMMEDIATE",
            "timeout": float(value("METALSTAT_LOCK_TIMEOUT")),
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
# The portal's languages (the report's en and zh): switched on every page, kept in a cookie.
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = value("METALSTAT_TIME_ZONE")
USE_I18N = True
USE_TZ = True

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": value("METALSTAT_CACHE_URL")}
    if value("METALSTAT_CACHE_URL")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

STATIC_URL = "static/"
# collectstatic (metalstat serve) writes gzip and Brotli copies beside each file; WhiteNoise
# sends them to browsers that accept them (the portal's chart library: 700 KB, 240 KB gzipped).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"
STATIC_ROOT = DATA_DIR / "static"

# Release workflow. Four eyes: when on, a release's creator may not approve it.
METALSTAT_SEPARATE_APPROVER = flag("METALSTAT_SEPARATE_APPROVER")
# Members of this group (and staff) see releases before their release time and unpublished data.
METALSTAT_ANALYSTS_GROUP = value("METALSTAT_ANALYSTS_GROUP")

# Release-time delivery (docs/delivery.md). Tasks: Django's Tasks API through the django-tasks
# backport, stored in the database (run by `metalstat worker`).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
METALSTAT_SITE_URL = value("METALSTAT_SITE_URL")
_EMAIL_BACKENDS = {
    "file": "metalstat.delivery.mailbox.MailboxBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
}
if value("METALSTAT_EMAIL") not in _EMAIL_BACKENDS:
    raise ValueError(f"METALSTAT_EMAIL must be one of {', '.join(_EMAIL_BACKENDS)}, not {value('METALSTAT_EMAIL')!r}")
EMAIL_BACKEND = _EMAIL_BACKENDS[value("METALSTAT_EMAIL")]
EMAIL_FILE_PATH = str(Path(value("METALSTAT_EMAIL_DIR") or DATA_DIR / "outbox").resolve())
DEFAULT_FROM_EMAIL = value("METALSTAT_EMAIL_FROM")
EMAIL_HOST = value("METALSTAT_SMTP_HOST")
EMAIL_PORT = int(value("METALSTAT_SMTP_PORT"))
EMAIL_HOST_USER = value("METALSTAT_SMTP_USER")
EMAIL_HOST_PASSWORD = value("METALSTAT_SMTP_PASSWORD")
EMAIL_USE_TLS = flag("METALSTAT_SMTP_TLS")
EMAIL_TIMEOUT = 30
METALSTAT_WEBHOOK_ALLOW_LOOPBACK = flag("METALSTAT_WEBHOOK_ALLOW_LOOPBACK")
METALSTAT_WEBHOOK_ATTEMPTS = int(value("METALSTAT_WEBHOOK_ATTEMPTS"))
METALSTAT_WEBHOOK_BACKOFF = float(value("METALSTAT_WEBHOOK_BACKOFF"))
METALSTAT_WEBHOOK_DISABLE_AFTER = int(value("METALSTAT_WEBHOOK_DISABLE_AFTER"))
METALSTAT_DELIVERY_LEASE = float(value("METALSTAT_DELIVERY_LEASE"))
METALSTAT_DELIVERY_DRAINS = int(value("METALSTAT_DELIVERY_DRAINS"))
