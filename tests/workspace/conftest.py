from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from tests.releases.test_run_month import _panel


def person(name: str, *groups: str) -> User:
    user = User.objects.create_user(name, password="pw")
    user.groups.add(*Group.objects.filter(name__in=groups))
    return user


@pytest.fixture
def panel() -> None:
    """Four copper smelters, steady at 20,000 t a month from 2024 to May 2025."""
    _panel()


@pytest.fixture
def as_role():  # type: ignore[no-untyped-def]
    """A signed-in client for a role: analyst, editor, administrator, nobody (no group)."""
    groups = {"analyst": "analysts", "editor": "editors", "administrator": "administrators", "nobody": None}

    def make(role: str, name: str | None = None) -> Client:
        group = groups[role]
        user = person(name or f"u-{role}", *([group] if group else []))
        client = Client()
        client.force_login(user)
        client.user = user  # type: ignore[attr-defined]
        return client

    return make
