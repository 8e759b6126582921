"""Shared test setup. The suite runs on SQLite by default and on PostgreSQL when
DATABASE_URL points at one (``make test`` runs both)."""

from __future__ import annotations

import os

from hypothesis import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metalstat.project.settings")

pytest_plugins = ["tests.browser"]  # the Chromium fixtures of the browser tests

# In CI the property tests explore a fixed set of examples, so a landing never depends on
# the draw; locally they keep exploring new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
