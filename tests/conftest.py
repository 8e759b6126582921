"""Shared test setup. The suite runs on SQLite by default and on PostgreSQL when
DATABASE_URL points at one (``make test`` runs both)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metalstat.project.settings")

pytest_plugins = ["tests.browser"]  # the Chromium fixtures of the browser tests

# In CI the property tests explore a fixed set of examples, so a landing never depends on
# the draw; locally they keep exploring new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _fresh_entitlements() -> Iterator[None]:
    """Entitlements kept by the process from another test (whose users' ids the rolled-back
    database gives out again) must not answer for this one."""
    from metalstat.api.auth import forget_keys
    from metalstat.subscriptions.entitlements import forget_entitlements

    forget_entitlements()
    forget_keys()
    yield
    forget_entitlements()
    forget_keys()
