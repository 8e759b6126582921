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
    "metalstat.workspace",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
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
        "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"},
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
TIME_ZONE = value("METALSTAT_TIME_ZONE")
USE_I18N = True
USE_TZ = True

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": value("METALSTAT_CACHE_URL")}
    if value("METALSTAT_CACHE_URL")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"

# Release workflow. Four eyes: when on, a release's creator may not approve it.
METALSTAT_SEPARATE_APPROVER = flag("METALSTAT_SEPARATE_APPROVER")
# Members of this group (and staff) see releases before their release time and unpublished data.
METALSTAT_ANALYSTS_GROUP = value("METALSTAT_ANALYSTS_GROUP")
