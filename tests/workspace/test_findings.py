"""The validation queue's follow-up marks and confirmations: a finding marked for follow-up
(with a note) shows as such and can be cleared, through audited, version-checked actions held
to the analyst role; a mark neither confirms a warning nor lets an error through; warnings
confirmed with a reason (by an analyst or by the producer through its channel) are listed."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from metalstat.core.concurrency import Conflict, version_of
from metalstat.core.models import AuditEntry
from metalstat.releases.cycle import CycleBlocked, run_month
from metalstat.survey.actions import do_clear_follow_up, do_mark_follow_up, do_record_return
from metalstat.survey.models import FindingFollowUp, ValidationConfirmation
from metalstat.survey.respondents import do_issue_respondent_token

pytestmark = pytest.mark.django_db
URL = "/workspace/2025-06/findings/"


def _june_returns() -> None:
    """June: A 21,000, B 19,000, D 12,000 against its 20,000 schedule (two warnings); C silent."""
    do_record_return("CU-A", "2025-06", output=21_000, actor="t", source="phone")
    do_record_return("CU-B", "2025-06", output=19_000, actor="t", source="phone")
    do_record_return("CU-D", "2025-06", output=12_000, actor="t", source="phone")


def _mark(client: Client, note: str, version: str = "", rule: str = "far_from_schedule") -> None:
    client.post(URL, {"step": "follow_up", "producer": "CU-D", "rule": rule, "note": note, "version": version})


def _clear(client: Client, version: str) -> None:
    client.post(URL, {"step": "clear_follow_up", "producer": "CU-D", "rule": "far_from_schedule", "version": version})


def test_an_analyst_marks_a_finding_for_follow_up_and_clears_it(as_role, panel: None) -> None:  # type: ignore[no-untyped-def]
    _june_returns()
    analyst = as_role("analyst")
    _mark(analyst, "Wang calls the plant on Monday")
    mark = FindingFollowUp.objects.get()
    assert (mark.producer.code, mark.rule, mark.note, mark.marked_by) == (
        "CU-D",
        "far_from_schedule",
        "Wang calls the plant on Monday",
        "u-analyst",
    )
    page = analyst.get(URL)
    rows = {(r["producer_id"], r["rule"]): r for r in page.context["rows"]}
    assert rows[("CU-D", "far_from_schedule")]["follow_up"] == mark
    assert rows[("CU-D", "unexplained_swing")]["follow_up"] is None
    # still an open warning: a mark confirms nothing
    assert rows[("CU-D", "far_from_schedule")]["severity"] == "warning"
    html = page.content.decode()
    assert 'id="follow-ups"' in html and "Wang calls the plant on Monday" in html
    assert [m["open"] for m in page.context["follow_ups"]] == [True]
    # the board says so beside the two open warnings, which a mark does not take away
    copper = analyst.get("/workspace/2025-06/").context["board"].rows[0]
    assert (copper.warnings, copper.follow_ups) == (2, 1)
    # the note is changed from the version the analyst saw, then cleared
    _mark(analyst, "Plant says a furnace is relined", version_of(mark))
    mark.refresh_from_db()
    assert mark.note == "Plant says a furnace is relined"
    _clear(analyst, version_of(mark))
    assert not FindingFollowUp.objects.exists()
    assert analyst.get(URL).context["rows"][0]["follow_up"] is None
    entries = AuditEntry.objects.filter(model="survey.findingfollowup", object_id="CU-D/2025-06/far_from_schedule")
    assert [(e.action, e.actor, e.source) for e in entries.order_by("at", "id")] == [
        ("create", "u-analyst", "workspace"),
        ("update", "u-analyst", "workspace"),
        ("delete", "u-analyst", "workspace"),
    ]


def test_a_follow_up_needs_a_note_and_the_analyst_role(as_role, panel: None) -> None:  # type: ignore[no-untyped-def]
    _june_returns()
    for role in ("editor", "administrator"):
        _mark(as_role(role, f"u-{role}"), "call them")
    assert not FindingFollowUp.objects.exists()
    with pytest.raises(PermissionDenied):
        do_mark_follow_up("CU-D", "2025-06", "far_from_schedule", note="x", actor=as_role("editor", "u-e2").user)
    analyst = as_role("analyst")
    _mark(analyst, "  ")
    assert not FindingFollowUp.objects.exists()
    do_mark_follow_up("CU-D", "2025-06", "far_from_schedule", note="call", actor="t")
    mark = FindingFollowUp.objects.get()
    with pytest.raises(PermissionDenied):
        do_clear_follow_up("CU-D", "2025-06", "far_from_schedule", actor=as_role("editor", "u-e3").user)
    _clear(analyst, version_of(mark))
    assert not FindingFollowUp.objects.exists()


def test_a_second_analyst_over_a_newer_mark_is_refused(panel: None) -> None:
    _june_returns()
    first, _ = do_mark_follow_up("CU-D", "2025-06", "far_from_schedule", note="call Monday", actor="ana")
    seen = version_of(first)
    do_mark_follow_up("CU-D", "2025-06", "far_from_schedule", note="call Tuesday", actor="bo", expected_version=seen)
    with pytest.raises(Conflict, match="changed by bo") as refused:
        do_mark_follow_up("CU-D", "2025-06", "far_from_schedule", note="visit", actor="cy", expected_version=seen)
    assert "call Monday → call Tuesday" in refused.value.messages[0]
    with pytest.raises(Conflict):
        do_clear_follow_up("CU-D", "2025-06", "far_from_schedule", actor="cy", expected_version=seen)
    # someone who saw no mark yet ("") is refused too
    with pytest.raises(Conflict):
        do_mark_follow_up("CU-D", "2025-06", "far_from_schedule", note="x", actor="cy", expected_version="")
    assert FindingFollowUp.objects.get().note == "call Tuesday"


def test_a_follow_up_neither_blocks_a_warning_nor_lets_an_error_through(panel: None) -> None:
    _june_returns()
    do_mark_follow_up("CU-D", "2025-06", "far_from_schedule", note="call", actor="ana")
    # warnings (followed up or not) do not stop the run
    run = run_month("2025-06", actor="ana", products=["copper_cathode"])
    assert run.release.vintage == 1
    # an error does, with or without a follow-up: 90,000 t in June is above 365,000 t/year
    do_record_return("CU-C", "2025-06", output=90_000, actor="t", source="phone")
    do_mark_follow_up("CU-C", "2025-06", "above_capacity", note="unit mix-up? calling", actor="ana")
    with pytest.raises(CycleBlocked):
        run_month("2025-06", actor="ana", products=["copper_cathode"])


def test_warnings_sent_through_the_respondents_form_need_a_reason_shown_in_the_queue(as_role, panel: None) -> None:  # type: ignore[no-untyped-def]
    _, secret = do_issue_respondent_token("CU-D", actor="office")
    values = {"token": secret, "period": "2025-06", "output": "12000", "status": "normal"}
    asked = Client().post("/workspace/respond/", values)
    # 12,000 against a 20,000 schedule: the page asks for the reason and writes nothing
    assert asked.status_code == 400 and {w.rule for w in asked.context["warnings"]} == {
        "unexplained_swing",
        "far_from_schedule",
    }
    html = asked.content.decode()
    assert 'name="confirm_reason"' in html and 'value="12000"' in html
    assert not ValidationConfirmation.objects.exists()
    assert not AuditEntry.objects.filter(object_id="CU-D/2025-06").exists()
    sent = Client().post("/workspace/respond/", values | {"confirm_reason": "one furnace relined in June"})
    assert sent.status_code == 200 and sent.context["receipt"]["return"].output == 12_000
    confirmed = ValidationConfirmation.objects.filter(producer__code="CU-D", reason="one furnace relined in June")
    assert confirmed.count() == 2 and confirmed.first().confirmed_by.startswith("CU-D (respondent")
    # the analysts' queue: no open warning left, both confirmations listed with the producer's reason
    page = as_role("analyst").get(URL)
    assert page.context["rows"] == []
    assert [(c["producer"], c["rule"], c["reason"]) for c in page.context["confirmed"]] == [
        ("CU-D", "far_from_schedule", "one furnace relined in June"),
        ("CU-D", "unexplained_swing", "one furnace relined in June"),
    ]
    assert 'id="confirmed"' in page.content.decode()


def test_warnings_confirmed_in_the_analysts_form_show_in_the_queue(as_role, panel: None) -> None:  # type: ignore[no-untyped-def]
    analyst = as_role("analyst")
    form = {"output": "12000", "status": "normal", "source": "phone", "revision": "0"}
    asked = analyst.post("/workspace/2025-06/returns/CU-D/", form)
    assert asked.status_code == 400 and 'name="confirm_reason"' in asked.content.decode()
    assert analyst.post("/workspace/2025-06/returns/CU-D/", form | {"confirm_reason": "relined"}).status_code == 302
    confirmed = analyst.get(URL).context["confirmed"]
    assert {(c["rule"], c["reason"], c["by"]) for c in confirmed} == {
        ("far_from_schedule", "relined", "u-analyst"),
        ("unexplained_swing", "relined", "u-analyst"),
    }
