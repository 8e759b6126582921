"""Four eyes in the action: the approver is another person than the submitter; a rejection
goes back to draft with its reason; an approved vintage's figures and lineage stay as they
were (a correction is a new vintage)."""

from __future__ import annotations

import polars as pl
import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError

from metalstat.releases.actions import (
    do_approve_release,
    do_create_release,
    do_reject_release,
    do_submit_for_review,
)
from tests.registry.factories import figure_row

pytestmark = pytest.mark.django_db


def _person(name: str, *groups: str) -> User:
    user = User.objects.create_user(name, password="x")
    user.groups.add(*Group.objects.filter(name__in=groups))
    return User.objects.get(pk=user.pk)


def test_whoever_submitted_may_not_approve_even_holding_both_roles() -> None:
    both = _person("ana", "analysts", "editors")
    editor = _person("bo", "editors")
    release = do_create_release("2025-06", pl.DataFrame([figure_row()]), actor=both)
    do_submit_for_review(release, actor=both)
    assert release.submitted_by == "ana"
    with pytest.raises(PermissionDenied, match="ana submitted release 2025-06 v1; another person must approve it"):
        do_approve_release(release, actor=both)
    release.refresh_from_db()
    assert release.status == "in_review" and release.approved_by == ""
    do_approve_release(release, actor=editor)
    assert (release.status, release.approved_by) == ("approved", "bo")


def test_the_creator_may_not_approve_a_vintage_someone_else_submitted() -> None:
    both = _person("ana", "analysts", "editors")
    release = do_create_release("2025-06", pl.DataFrame([figure_row()]), actor=both)
    do_submit_for_review(release, actor="cy")
    with pytest.raises(PermissionDenied, match="ana created release"):
        do_approve_release(release, actor=both)


def test_a_rejection_needs_its_reason_and_sends_the_vintage_back() -> None:
    analyst, editor = _person("ana", "analysts"), _person("bo", "editors")
    release = do_create_release("2025-06", pl.DataFrame([figure_row()]), actor=analyst)
    do_submit_for_review(release, actor=analyst)
    with pytest.raises(ValidationError, match="say why"):
        do_reject_release(release, actor=editor, note="  ")
    do_reject_release(release, actor=editor, note="tin looks high: recheck YT03")
    assert (release.status, release.note, release.reviewed_by) == ("draft", "tin looks high: recheck YT03", "bo")
    # Back to draft, the analyst submits again; another editor's approval is needed as before.
    do_submit_for_review(release, actor=analyst)
    with pytest.raises(PermissionDenied):
        do_approve_release(release, actor=analyst)


def test_a_correction_after_approval_is_a_new_vintage_the_approved_one_unchanged() -> None:
    analyst, editor = _person("ana", "analysts"), _person("bo", "editors")
    v1 = do_create_release("2025-06", pl.DataFrame([figure_row(value=100.0)]), actor=analyst)
    do_submit_for_review(v1, actor=analyst)
    do_approve_release(v1, actor=editor)
    v2 = do_create_release("2025-06", pl.DataFrame([figure_row(value=101.0)]), actor=analyst)
    assert (v2.vintage, v2.status) == (2, "draft")
    v1.refresh_from_db()
    assert v1.status == "approved" and list(v1.figures.values_list("value", flat=True)) == [100.0]
