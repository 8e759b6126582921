"""Moving and withdrawing a scheduled release: only before it goes live, with a reason for a
withdrawal, and the public never sees a withdrawn one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from metalstat.releases.actions import ReleaseError, do_reschedule_release, do_withdraw_release
from metalstat.releases.choices import ReleaseStatus
from metalstat.releases.queries import latest_published, next_release_at
from tests.delivery.conftest import approved, publish


def test_a_scheduled_release_moves_to_another_time_to_come(db: Any) -> None:
    release = publish(approved(), timezone.now() + timedelta(hours=1))
    later = timezone.now() + timedelta(hours=3)
    moved = do_reschedule_release(release, actor="bo", release_at=later)
    assert moved.release_at == later and moved.status == ReleaseStatus.PUBLISHED
    assert next_release_at() == later
    with pytest.raises(ReleaseError, match="time still to come"):
        do_reschedule_release(release, actor="bo", release_at=timezone.now() - timedelta(minutes=1))


def test_a_live_release_can_be_neither_moved_nor_withdrawn(db: Any) -> None:
    release = publish(approved(), timezone.now())
    with pytest.raises(ReleaseError, match="went live"):
        do_reschedule_release(release, actor="bo", release_at=timezone.now() + timedelta(hours=1))
    with pytest.raises(ReleaseError, match="went live"):
        do_withdraw_release(release, actor="bo", note="too late")


def test_a_withdrawn_release_goes_back_to_approved_and_never_goes_live(db: Any) -> None:
    at = timezone.now() + timedelta(hours=1)
    release = publish(approved(), at)
    with pytest.raises(ValidationError):
        do_withdraw_release(release, actor="bo", note=" ")
    withdrawn = do_withdraw_release(release, actor="bo", note="a return was wrong")
    assert withdrawn.status == ReleaseStatus.APPROVED and withdrawn.release_at is None
    assert latest_published("2025-06", at=at + timedelta(days=1)) is None
    assert next_release_at() is None
    with pytest.raises(ReleaseError, match="not scheduled"):
        do_withdraw_release(release, actor="bo", note="again")
