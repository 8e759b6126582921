"""Every role × every action: allowed for the role that holds it, refused for the others,
in the action itself (a view or the admin cannot go around it). The expected role of each
action is written here, not read from ``core.roles``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import polars as pl
import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from metalstat.registry.actions import do_add_capacity_record, do_set_panel_membership, do_upsert_producer
from metalstat.releases import actions as releases
from metalstat.releases.queries import is_analyst
from metalstat.subscriptions import actions as subscriptions
from metalstat.survey.actions import (
    ReturnValues,
    do_clear_follow_up,
    do_confirm_warning,
    do_confirm_warnings,
    do_mark_follow_up,
    do_record_auxiliary_outlook,
    do_record_event,
    do_record_return,
    do_upsert_auxiliary_series,
)
from metalstat.survey.entry import do_enter_return
from metalstat.survey.respondents import do_issue_respondent_token
from tests.registry.factories import figure_row, make_producer

pytestmark = pytest.mark.django_db

ROLE_GROUPS = {"analyst": "analysts", "editor": "editors", "administrator": "administrators"}


def _release(status: str = "draft") -> Any:
    release = releases.do_create_release("2025-06", pl.DataFrame([figure_row()]), actor="ana")
    if status in ("in_review", "approved"):
        releases.do_submit_for_review(release, actor="ana")
    if status == "approved":
        releases.do_approve_release(release, actor="bo")
    return release


def _working_producer() -> str:
    producer = make_producer()
    do_add_capacity_record(producer, date(2020, 1, 1), 1e5, actor="t")
    return producer.code


def _scheduled() -> Any:
    release = _release("approved")
    return releases.do_publish_release(release, actor="bo", release_at=timezone.now() + timedelta(days=1))


def _acid_series() -> Any:
    return do_upsert_auxiliary_series("acid", name="Acid price", unit="yuan/mt", kind="price", actor="t")[0]


def _org() -> Any:
    return subscriptions.do_create_organisation("Acme Metals", actor="admin")


# action name -> (the role that may do it, what it does given the actor)
ACTIONS: dict[str, tuple[str, Callable[[Any], object]]] = {
    "register a producer": (
        "analyst",
        lambda a: do_upsert_producer("CU09", name="New", product="copper_cathode", actor=a),
    ),
    "add capacity": ("analyst", lambda a: do_add_capacity_record(make_producer(), date(2024, 1, 1), 1e5, actor=a)),
    "set panel": ("analyst", lambda a: do_set_panel_membership(make_producer(), date(2024, 1, 1), actor=a)),
    "record a return": (
        "analyst",
        lambda a: do_record_return(make_producer(), "2025-06", output=1.0, actor=a, source="phone"),
    ),
    "record an event": (
        "analyst",
        lambda a: do_record_event(make_producer(), "2025-06-01", reason="maintenance", actor=a),
    ),
    "enter a market outlook": (
        "analyst",
        lambda a: do_record_auxiliary_outlook(_acid_series(), "2025-07", 720.0, source="analyst", actor=a),
    ),
    "confirm a warning": (
        "analyst",
        lambda a: do_confirm_warning(make_producer(), "2025-06", "unit_mixup", reason="phoned", actor=a),
    ),
    "confirm several warnings": (
        "analyst",
        lambda a: do_confirm_warnings([make_producer()], "2025-06", "unit_mixup", reason="phoned", actor=a),
    ),
    "mark a finding for follow-up": (
        "analyst",
        lambda a: do_mark_follow_up(make_producer(), "2025-06", "unit_mixup", note="call Monday", actor=a),
    ),
    "clear a follow-up": (
        "analyst",
        lambda a: do_clear_follow_up(
            do_mark_follow_up(make_producer(), "2025-06", "unit_mixup", note="call", actor="t")[0].producer,
            "2025-06",
            "unit_mixup",
            actor=a,
        ),
    ),
    "enter a return in the form": (
        "analyst",
        lambda a: do_enter_return(
            ReturnValues(producer=_working_producer(), period="2025-06", output=0.0, status="halted"),
            actor=a,
            source="phone",
        ),
    ),
    "issue a respondent token": ("analyst", lambda a: do_issue_respondent_token(make_producer(), actor=a)),
    "delete commentary": (
        "analyst",
        lambda a: releases.do_delete_commentary(
            releases.do_set_commentary("2025-06", "", "end", "Text.", actor="ana")[0], actor=a
        ),
    ),
    "write commentary": (
        "analyst",
        lambda a: releases.do_set_commentary("2025-06", "copper_cathode", "drivers", "Text.", actor=a),
    ),
    "store a vintage": (
        "analyst",
        lambda a: releases.do_create_release("2025-06", pl.DataFrame([figure_row()]), actor=a),
    ),
    "submit": ("analyst", lambda a: releases.do_submit_for_review(_release(), actor=a)),
    "approve": ("editor", lambda a: releases.do_approve_release(_release("in_review"), actor=a)),
    "reject": ("editor", lambda a: releases.do_reject_release(_release("in_review"), actor=a, note="recheck")),
    "withdraw an approval": (
        "editor",
        lambda a: releases.do_withdraw_approval(_release("approved"), actor=a, note="recheck"),
    ),
    "publish": (
        "editor",
        lambda a: releases.do_publish_release(
            _release("approved"), actor=a, release_at=timezone.now() + timedelta(days=1)
        ),
    ),
    "reschedule": (
        "editor",
        lambda a: releases.do_reschedule_release(_scheduled(), actor=a, release_at=timezone.now() + timedelta(days=2)),
    ),
    "withdraw": ("editor", lambda a: releases.do_withdraw_release(_scheduled(), actor=a, note="hold it")),
    "set a subscriber's password": (
        "administrator",
        lambda a: subscriptions.do_set_password(
            subscriptions.do_add_subscriber("reader", _org(), actor="admin").user, "a long passphrase 9", actor=a
        ),
    ),
    "create an organisation": ("administrator", lambda a: subscriptions.do_create_organisation("Org", actor=a)),
    "grant a subscription": (
        "administrator",
        lambda a: subscriptions.do_grant_subscription(_org(), "base", groups=["base_metals"], actor=a),
    ),
    "add a subscriber": ("administrator", lambda a: subscriptions.do_add_subscriber("reader", _org(), actor=a)),
}


def _user(role: str | None) -> User:
    user = User.objects.create_user(f"u-{role or 'nobody'}", password="x")
    if role is not None:
        user.groups.add(Group.objects.get(name=ROLE_GROUPS[role]))
    return User.objects.get(pk=user.pk)  # fresh: no cached permissions


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", [*ROLE_GROUPS, None])
def test_each_role_may_do_its_actions_and_no_other(role: str | None, action: str) -> None:
    needs, do = ACTIONS[action]
    user = _user(role)
    if role == needs:
        do(user)
    else:
        with pytest.raises(PermissionDenied, match=f"needs the {needs}s role"):
            do(user)


@pytest.mark.parametrize("action", list(ACTIONS))
def test_the_command_line_and_superusers_may_do_everything(action: str) -> None:
    _, do = ACTIONS[action]
    do("command line")
    boss = User.objects.create_superuser("boss", password="x")
    if action in (
        "create an organisation",
        "store a vintage",
        "register a producer",
        "publish",
        "reschedule",
        "withdraw",
        "set a subscriber's password",
        "enter a return in the form",
    ):
        return  # the same again is a no-op, a second vintage, or a second schedule of the month
    do(boss)


def test_analysts_and_editors_see_unreleased_figures_administrators_do_not() -> None:
    assert is_analyst(_user("analyst")) and is_analyst(_user("editor"))
    assert not is_analyst(_user("administrator")) and not is_analyst(_user(None))


def test_a_refused_action_writes_nothing() -> None:
    from metalstat.core.models import AuditEntry
    from metalstat.registry.models import Producer

    with pytest.raises(PermissionDenied):
        do_upsert_producer("CU77", name="X", product="copper_cathode", actor=_user("editor"))
    assert not Producer.objects.filter(code="CU77").exists()
    assert not AuditEntry.objects.filter(object_repr__contains="CU77").exists()


@pytest.mark.django_db
def test_a_team_member_is_put_in_a_role_by_an_administrator_only() -> None:
    from django.contrib.auth.models import User
    from django.core.exceptions import PermissionDenied, ValidationError

    from metalstat.core.models import AuditEntry
    from metalstat.core.roles import allowed, do_add_team_member

    ana = do_add_team_member("ana2", "analysts", actor="setup")
    assert allowed(ana, "run_month") and not allowed(ana, "review_release")
    assert not ana.has_usable_password()
    assert AuditEntry.objects.filter(model="auth.user", object_id=str(ana.pk)).count() == 1
    again = do_add_team_member("ana2", "analysts", actor="setup")  # already in it: nothing new
    assert again.pk == ana.pk and AuditEntry.objects.filter(model="auth.user", object_id=str(ana.pk)).count() == 1
    with pytest.raises(PermissionDenied, match="administrators"):
        do_add_team_member("ed2", "editors", actor=ana)
    assert not User.objects.filter(username="ed2").exists()
    with pytest.raises(ValidationError, match="no role 'owners'"):
        do_add_team_member("ed2", "owners", actor="setup")
