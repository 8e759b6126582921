from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from metalstat.core.models import AuditEntry
from metalstat.releases.actions import (
    ReleaseError,
    do_approve_release,
    do_create_release,
    do_publish_release,
    do_reject_release,
    do_set_commentary,
    do_settle_releases,
    do_submit_for_review,
)
from metalstat.releases.models import Commentary, Figure, Release
from tests.registry.factories import COPPER, figure_row, figures

pytestmark = pytest.mark.django_db


def test_create_release_numbers_vintages_and_stores_figures():
    rows = [figure_row(period="2025-06"), figure_row(period="2025-05", value=None, status="U")]
    first = do_create_release("2025-06", figures(rows), actor="ana", note="first run")
    second = do_create_release("2025-06", figures(rows[:1]), actor="ana")
    other_month = do_create_release("2025-07", figures(rows[:1]), actor="ana")
    assert [(r.vintage, r.status) for r in (first, second, other_month)] == [
        (1, "draft"),
        (2, "draft"),
        (1, "draft"),
    ]
    assert first.figures.count() == 2 and second.figures.count() == 1
    withheld = first.figures.get(period="2025-05")
    assert withheld.value is None and withheld.status == "U"
    entry = AuditEntry.objects.get(model="releases.release", object_id=str(first.pk))
    assert entry.action == "create" and entry.after["figures"] == 2


def test_create_release_rejects_malformed_figures():
    with pytest.raises(ValidationError, match="more than once"):
        do_create_release("2025-06", figures([figure_row(), figure_row(value=2.0)]), actor="a")
    with pytest.raises(ValidationError, match="kind"):
        do_create_release("2025-06", figures([figure_row(kind="guess")]), actor="a")
    with pytest.raises(ValidationError, match="missing column"):
        do_create_release("2025-06", figures([figure_row()]).drop("unit"), actor="a")
    assert not Release.objects.exists() and not Figure.objects.exists()


def test_many_figures_take_few_queries(django_assert_max_num_queries):
    n = 6000
    frame = pl.DataFrame([figure_row(breakdown=f"plant=p{i}", value=float(i)) for i in range(n)])
    with django_assert_max_num_queries(10):
        release = do_create_release("2025-06", frame, actor="ana")
    assert release.figures.count() == n
    assert release.figures.get(breakdown="plant=p4321").value == 4321.0


def _approved(period: str = "2025-06", *, creator: str = "ana") -> Release:
    release = do_create_release(period, figures([figure_row(period=period)]), actor=creator)
    do_submit_for_review(release, actor=creator)
    return do_approve_release(release, actor="bo")


def test_the_workflow_goes_step_by_step():
    release = do_create_release("2025-06", figures([figure_row()]), actor="ana")
    with pytest.raises(ReleaseError, match="cannot publish"):
        do_publish_release(release, actor="ana")
    with pytest.raises(ReleaseError, match="cannot approve"):
        do_approve_release(release, actor="bo")
    do_submit_for_review(release, actor="ana")
    assert release.status == "in_review" and release.submitted_at is not None
    do_reject_release(release, actor="bo", note="check the NPI table")
    assert release.status == "draft" and release.reviewed_by == "bo"
    do_submit_for_review(release, actor="ana")
    do_approve_release(release, actor="bo")
    assert (release.status, release.approved_by) == ("approved", "bo")
    at = timezone.now() - timedelta(minutes=1)
    do_publish_release(release, actor="bo", release_at=at)
    assert (release.status, release.release_at, release.published_by) == ("published", at, "bo")
    steps = AuditEntry.objects.filter(model="releases.release", action="update").order_by("id")
    assert [(e.before["status"], e.after["status"]) for e in steps] == [
        ("draft", "in_review"),
        ("in_review", "draft"),
        ("draft", "in_review"),
        ("in_review", "approved"),
        ("approved", "published"),
    ]


def test_separate_approver_is_a_setting(settings):
    settings.METALSTAT_SEPARATE_APPROVER = True
    release = do_create_release("2025-06", figures([figure_row()]), actor="ana")
    do_submit_for_review(release, actor="ana")
    with pytest.raises(PermissionDenied):
        do_approve_release(release, actor="ana")
    do_approve_release(release, actor="bo")
    settings.METALSTAT_SEPARATE_APPROVER = False
    solo = do_create_release("2025-07", figures([figure_row()]), actor="ana")
    do_submit_for_review(solo, actor="ana")
    assert do_approve_release(solo, actor="ana").status == "approved"


def test_release_time_must_carry_a_time_zone():
    release = _approved()
    with pytest.raises(ValidationError):
        do_publish_release(release, actor="bo", release_at=datetime(2025, 6, 30, 18))


def test_a_new_vintage_supersedes_the_old_one_when_it_goes_live():
    now = timezone.now()
    v1 = _approved()
    do_publish_release(v1, actor="bo", release_at=now - timedelta(days=2), backfill=True)
    v2 = _approved()
    do_publish_release(v2, actor="bo", release_at=now - timedelta(hours=1), backfill=True)
    v1.refresh_from_db()
    assert v1.status == "superseded" and v1.superseded_at == v2.release_at
    v3 = _approved()
    do_publish_release(v3, actor="bo", release_at=now + timedelta(hours=3))
    v2.refresh_from_db()
    assert v2.status == "published"  # v3 is scheduled, v2 is still the live vintage
    assert do_settle_releases(at=now + timedelta(hours=2)) == 0
    assert do_settle_releases(at=now + timedelta(hours=4)) == 1
    v2.refresh_from_db()
    assert v2.status == "superseded" and v2.superseded_at == v3.release_at


def test_no_other_vintage_while_one_is_scheduled_and_no_going_back():
    now = timezone.now()
    v1 = _approved()
    v2 = _approved()
    do_publish_release(v2, actor="bo", release_at=now - timedelta(hours=1), backfill=True)
    with pytest.raises(ReleaseError, match="older"):
        do_publish_release(v1, actor="bo")
    v3 = _approved()
    do_publish_release(v3, actor="bo", release_at=now + timedelta(days=1))
    v4 = _approved()
    with pytest.raises(ReleaseError, match="scheduled"):
        do_publish_release(v4, actor="bo")
    # Another month is independent.
    july = _approved("2025-07")
    assert do_publish_release(july, actor="bo").status == "published"


def test_commentary_is_set_replaced_and_logged():
    c, outcome = do_set_commentary("2025-06", COPPER, "drivers", "Smelters kept running.", actor="ana")
    assert outcome == "created" and c.author == "ana" and c.mode == "replace"
    _, outcome = do_set_commentary("2025-06", COPPER, "drivers", "Smelters kept running.", actor="ana")
    assert outcome == "unchanged"
    c, outcome = do_set_commentary("2025-06", COPPER, "drivers", "Output held up.", actor="bo")
    assert outcome == "updated" and c.author == "bo"
    do_set_commentary("2025-06", "", "end", "Data as of month end.", mode="after", actor="ana")
    assert Commentary.objects.count() == 2
    with pytest.raises(ValidationError):
        do_set_commentary("2025-06", COPPER, "drivers", "x", mode="sideways", actor="ana")
    with pytest.raises(ValidationError):
        do_set_commentary("2025-06", "unobtainium", "drivers", "x", actor="ana")
    log = AuditEntry.objects.filter(model="releases.commentary").order_by("id")
    assert [e.action for e in log] == ["create", "update", "create"]
    assert log[1].before["text"] == "Smelters kept running."


def test_published_release_needs_a_release_time_in_the_database():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Release.objects.create(
            period=datetime(2025, 6, 1, tzinfo=UTC).date(),
            vintage=1,
            status="published",
            created_by="x",
        )


def test_a_release_time_in_the_past_is_refused_unless_backfilled():
    from metalstat.releases.actions import CLOCK_TOLERANCE

    now = timezone.now()
    release = _approved()
    with pytest.raises(ReleaseError, match="in the past"):
        do_publish_release(release, actor="bo", release_at=now - CLOCK_TOLERANCE - timedelta(seconds=1))
    release.refresh_from_db()
    assert release.status == "approved"
    # within the clock tolerance: accepted as now
    assert do_publish_release(release, actor="bo", release_at=now - timedelta(minutes=1)).status == "published"
    older = _approved("2025-07")
    done = do_publish_release(older, actor="bo", release_at=now - timedelta(days=30), backfill=True)
    assert done.metadata["backfill"]["by"] == "bo"
