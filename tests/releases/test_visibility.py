from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser, Group, User
from django.utils import timezone

from metalstat.releases.actions import (
    do_approve_release,
    do_create_release,
    do_publish_release,
    do_submit_for_review,
)
from metalstat.releases.queries import (
    figure_vintages,
    figures_as_of,
    is_analyst,
    latest_published,
    live_releases,
    visible_figure_frame,
    visible_figures,
)
from tests.registry.factories import COPPER, figure_row, figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    analysts, _ = Group.objects.get_or_create(name="analysts")
    analyst = User.objects.create_user("ana")
    analyst.groups.add(analysts)
    return {
        "anonymous": AnonymousUser(),
        "subscriber": User.objects.create_user("sub"),
        "analyst": analyst,
        "staff": User.objects.create_user("boss", is_staff=True),
        "inactive_analyst": _inactive(analysts),
    }


def _inactive(group):
    user = User.objects.create_user("gone", is_active=False)
    user.groups.add(group)
    return user


def _publish(period, rows, release_at):
    release = do_create_release(period, figures(rows), actor="ana")
    do_submit_for_review(release, actor="ana")
    do_approve_release(release, actor="bo")
    return do_publish_release(release, actor="bo", release_at=release_at, backfill=True)


def test_who_is_an_analyst(users):
    assert [name for name, u in users.items() if is_analyst(u)] == ["analyst", "staff"]
    assert not is_analyst(None)


def test_embargoed_release_is_seen_by_analysts_only_until_its_time(users):
    now = timezone.now()
    release = _publish("2025-06", [figure_row(value=1234.5)], now + timedelta(hours=2))
    assert release.status == "published"
    for name in ("anonymous", "subscriber", "inactive_analyst"):
        assert not visible_figures(user=users[name]).exists(), name
    assert visible_figures().count() == 0
    assert latest_published("2025-06") is None
    for name in ("analyst", "staff"):
        assert list(visible_figures(user=users[name]).values_list("value", flat=True)) == [1234.5]
    later = now + timedelta(hours=2, seconds=1)
    assert list(visible_figures(user=users["subscriber"], at=later).values_list("value", flat=True)) == [1234.5]
    assert latest_published("2025-06", at=later) == release
    # A non-analyst cannot look into the future with figures_as_of.
    assert figures_as_of("2025-06", later, user=users["subscriber"]).height == 0
    assert figures_as_of("2025-06", later, user=users["analyst"])["value"].to_list() == [1234.5]


def test_unpublished_releases_are_invisible_to_everyone_but_their_makers(users):
    do_create_release("2025-06", figures([figure_row()]), actor="ana")
    for user in users.values():
        assert not visible_figures(user=user).exists()


def test_only_the_current_vintage_is_visible(users):
    now = timezone.now()
    _publish("2025-06", [figure_row(value=100.0)], now - timedelta(days=1))
    _publish("2025-06", [figure_row(value=101.0)], now + timedelta(hours=1))
    _publish("2025-05", [figure_row(period="2025-05", value=90.0)], now - timedelta(days=30))
    public = sorted(visible_figures().values_list("period", "value"))
    assert public == [("2025-05", 90.0), ("2025-06", 100.0)]
    analyst = sorted(visible_figures(user=users["analyst"]).values_list("period", "value"))
    assert analyst == [("2025-05", 90.0), ("2025-06", 101.0)]
    soon = now + timedelta(hours=1, minutes=1)
    assert sorted(visible_figures(at=soon).values_list("period", "value")) == [
        ("2025-05", 90.0),
        ("2025-06", 101.0),
    ]
    assert [r.vintage for r in live_releases(soon).filter(period__month=6)] == [2]


def test_figures_as_of_follow_revisions_across_releases():
    now = timezone.now()
    t_may = now - timedelta(days=40)
    t_june = now - timedelta(days=10)
    series = {"product": COPPER, "measure": "production", "statistic": "level"}
    _publish("2025-05", [figure_row(period="2025-05", value=100.0)], t_may)
    # The June release revises May and adds June.
    _publish(
        "2025-06",
        [figure_row(period="2025-05", value=104.0), figure_row(period="2025-06", value=110.0)],
        t_june,
    )
    before = figures_as_of(series, t_may + timedelta(days=1))
    assert before.select("period", "value", "release_period").rows() == [("2025-05", 100.0, "2025-05")]
    after = figures_as_of(series)
    assert after.select("period", "value", "release_period").rows() == [
        ("2025-05", 104.0, "2025-06"),
        ("2025-06", 110.0, "2025-06"),
    ]
    assert figures_as_of("2025-05", t_may - timedelta(days=1)).height == 0

    vintages = figure_vintages({**series, "period": "2025-05"})
    assert vintages.select("value", "realtime_start", "realtime_end").rows() == [
        (100.0, t_may, t_june),
        (104.0, t_june, None),
    ]


def test_confidential_cells_stay_with_analysts(users):
    now = timezone.now()
    _publish(
        "2025-06",
        [
            figure_row(value=500.0),
            figure_row(breakdown="region=north China", value=20.0, conf_status="C"),
            figure_row(breakdown="region=east China", value=480.0, conf_status="D"),
        ],
        now - timedelta(hours=1),
    )
    public = visible_figures(user=users["subscriber"])
    assert list(public.values_list("breakdown", "value")) == [("", 500.0)]
    assert visible_figures(user=users["analyst"]).count() == 3
    frame = visible_figure_frame(user=users["subscriber"]).sort("breakdown")
    assert frame.select("breakdown", "value", "conf_status").rows() == [
        ("", 500.0, "F"),
        ("region=east China", None, "D"),
        ("region=north China", None, "C"),
    ]
    assert figures_as_of("2025-06").sort("breakdown")["value"].to_list() == [500.0, None, None]
    assert sorted(figures_as_of("2025-06", user=users["staff"])["value"].to_list()) == [
        20.0,
        480.0,
        500.0,
    ]
    assert figure_vintages("2025-06")["value"].null_count() == 2


def test_a_vintage_states_whether_it_is_released_and_so_does_its_export():
    from metalstat.releases.exports import figures_payload
    from metalstat.releases.queries import release_state

    now = timezone.now()
    release = do_create_release("2025-06", figures([figure_row(value=1234.5)]), actor="ana")
    assert release_state(release) == "draft"
    do_submit_for_review(release, actor="ana")
    do_approve_release(release, actor="bo")
    release.refresh_from_db()
    assert release_state(release) == "approved"
    at = now + timedelta(hours=2)
    do_publish_release(release, actor="bo", release_at=at)
    release.refresh_from_db()
    assert release_state(release) == "embargoed"
    assert release_state(release, at=at - timedelta(seconds=1)) == "embargoed"
    assert release_state(release, at=at) == "published"
    payload = figures_payload(release)
    assert (payload["state"], payload["release_at"]) == ("embargoed", at.isoformat())
