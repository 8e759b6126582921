"""Django settings, read from the environment with safe defaults for local use.

- ``DATABASE_URL``: a database URL (``postgres://user@host:5432/name``); by default SQLite
  in the data folder.
- ``METALSTAT_DATA_DIR``: where the embedded database and uploads live (default ``./data``).
- ``SECRET_KEY``: required when ``METALSTAT_DEBUG`` is off.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

DATA_DIR = Path(os.environ.get("METALSTAT_DATA_DIR", "data")).resolve()
DEBUG = os.environ.get("METALSTAT_DEBUG", "1") == "1"
SECRET_KEY = os.environ.get("SECRET_KEY") or ("metalstat-local-development-only" if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when METALSTAT_DEBUG=0")
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "metalstat.core",
    "metalstat.registry",
    "metalstat.survey",
    "metalstat.releases",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
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
    url = os.environ.get("DATABASE_URL")
    if url:
        return dict(dj_database_url.parse(url, conn_max_age=60))
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "metalstat.sqlite3")}


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("METALSTAT_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"

# Release workflow. Four eyes: when on, a release's creator may not approve it.
METALSTAT_SEPARATE_APPROVER = os.environ.get("METALSTAT_SEPARATE_APPROVER", "0") == "1"
# Members of this group (and staff) see releases before their release time and unpublished data.
METALSTAT_ANALYSTS_GROUP = os.environ.get("METALSTAT_ANALYSTS_GROUP", "analysts")
