"""Shared test setup. The suite runs on SQLite by default and on PostgreSQL when
DATABASE_URL points at one (``make test`` runs both)."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metalstat.project.settings")
