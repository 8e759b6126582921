"""``/api/v1/respondent/returns``: a producer's token sends and reads that producer's returns
only, under the same rules as every path, with a receipt, an audit entry naming the channel
and a line in the access log; API keys and respondent tokens never open each other's routes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from metalstat.core.models import AuditEntry
from metalstat.subscriptions.actions import do_create_api_key
from metalstat.subscriptions.models import AccessLog
from metalstat.survey.models import SurveyReturn, ValidationConfirmation
from metalstat.survey.respondents import do_issue_respondent_token, do_revoke_respondent_token
from tests.releases.test_run_month import _panel

pytestmark = pytest.mark.django_db
URL = "/api/v1/respondent/returns"


@pytest.fixture
def panel(db: Any) -> None:
    """Four copper smelters (CU-A … CU-D), steady at 20,000 t a month from 2024 to May 2025."""
    cache.clear()
    _panel()


def client(secret: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def send(secret: str, **body: Any) -> Any:
    return client(secret).post(URL, json.dumps(body), content_type="application/json")


def test_a_return_sent_gets_a_receipt_and_is_stored_with_the_channel(panel: None) -> None:
    _, secret = do_issue_respondent_token("CU-A", actor="office")
    sent = send(secret, period="2025-06", output=20_500, schedule=20_000, status="normal")
    assert sent.status_code == 201, sent.content
    receipt = sent.json()["receipt"]
    assert (receipt["producer"], receipt["period"], receipt["revision"], receipt["outcome"]) == (
        "CU-A",
        "2025-06",
        1,
        "created",
    )
    assert receipt["changed"]["output"] == {"from": None, "to": 20_500.0} and receipt["at"]
    stored = SurveyReturn.objects.get(producer__code="CU-A", period="2025-06-01")
    assert (stored.output, stored.source) == (20_500.0, "api")
    assert sent.json()["return"]["schedule_after_next"] is None and sent.json()["return"]["schedule_breakdown"] == {}
    entry = AuditEntry.objects.get(object_id="CU-A/2025-06")
    assert entry.source == "respondents' channel (API)" and entry.actor.startswith("CU-A (respondent")
    # A revision: the receipt says what changed, from what to what.
    again = send(secret, period="2025-06", output=20_400, schedule=20_000, schedule_after_next=20_300)
    assert again.status_code == 201
    assert again.json()["receipt"]["revision"] == 2
    assert again.json()["receipt"]["changed"] == {
        "output": {"from": 20_500.0, "to": 20_400.0},
        "schedule_after_next": {"from": None, "to": 20_300.0},
    }
    # The access log names the producer's token, with no figures.
    logged = AccessLog.objects.filter(path=URL).order_by("at", "pk")
    assert [(a.status, a.user.split(" ")[0], a.series) for a in logged] == [(201, "CU-A", ""), (201, "CU-A", "")]


def test_a_token_reads_and_writes_only_its_own_producer(panel: None) -> None:
    _, secret_a = do_issue_respondent_token("CU-A", actor="office")
    _, secret_b = do_issue_respondent_token("CU-B", actor="office")
    assert send(secret_b, period="2025-06", output=19_000, schedule=19_000).status_code == 201
    # A names B in the body: refused, nothing written for either.
    named = send(secret_a, producer="CU-B", period="2025-06", output=1_000)
    assert named.status_code == 403 and named["Content-Type"] == "application/problem+json"
    assert SurveyReturn.objects.get(producer__code="CU-B", period="2025-06-01").output == 19_000
    assert not SurveyReturn.objects.filter(producer__code="CU-A", period="2025-06-01").exists()
    # Naming itself is fine.
    assert send(secret_a, producer="CU-A", period="2025-06", output=20_100, schedule=20_000).status_code == 201
    # A reads A's months only: 2024-01 .. 2025-06, newest first, none of B's June.
    own = client(secret_a).get(URL).json()
    assert own["producer"] == "CU-A"
    assert [r["period"] for r in own["returns"]][:2] == ["2025-06", "2025-05"] and len(own["returns"]) == 18
    assert own["returns"][0]["output"] == 20_100.0
    assert "CU-B" not in json.dumps(own) and "19000" not in json.dumps(own)


def test_history_lists_every_revision_of_each_month(panel: None) -> None:
    _, secret = do_issue_respondent_token("CU-A", actor="office")
    send(secret, period="2025-06", output=20_500, schedule=20_000)
    send(secret, period="2025-06", output=20_400, schedule=20_000)
    latest = client(secret).get(URL).json()["returns"][0]
    assert latest["revision"] == 2 and "history" not in latest
    listed = client(secret).get(URL, {"history": "true"}).json()["returns"][0]
    assert [(h["revision"], h["output"]) for h in listed["history"]] == [(1, 20_500.0), (2, 20_400.0)]
    assert client(secret).get(URL, {"since": "2025"}).status_code == 400
    # Sent from revision 1 while revision 2 stands: a conflict, nothing written.
    stale = send(secret, period="2025-06", output=20_300, schedule=20_000, expected_revision=1)
    assert stale.status_code == 409 and stale.json()["title"] == "Conflict"
    assert SurveyReturn.objects.filter(producer__code="CU-A", period="2025-06-01").count() == 2


def test_revoked_unknown_and_foreign_credentials_are_refused(panel: None, django_user_model: Any) -> None:
    token, secret = do_issue_respondent_token("CU-A", actor="office")
    do_revoke_respondent_token(token, actor="office")
    revoked = client(secret).get(URL)
    assert revoked.status_code == 401 and "revoked" in revoked.json()["detail"]
    assert send(secret, period="2025-06", output=20_000).status_code == 401
    assert client("resp_nothing").get(URL).status_code == 401
    assert Client().get(URL).status_code == 401
    # A subscriber's API key does not open the respondents' channel …
    user = django_user_model.objects.create_user("reader")
    _, key = do_create_api_key(user, "k", actor="office")
    refused = client(key).get(URL)
    assert refused.status_code == 401 and "not a respondent token" in refused.json()["detail"]
    # … and a respondent token opens no data route (nor the webhooks).
    _, live = do_issue_respondent_token("CU-A", actor="office")
    for path in ("/api/v1/series", "/api/v1/releases", "/api/v1/webhooks"):
        answer = client(live).get(path)
        assert answer.status_code == 401 and "respondent token opens only" in answer.json()["detail"], path
    assert not SurveyReturn.objects.filter(period="2025-06-01").exists()


def test_an_error_answer_lists_every_field_problem(panel: None) -> None:
    _, secret = do_issue_respondent_token("CU-A", actor="office")
    typed = send(
        secret,
        period="",
        output="lots",
        colour="red",
        breakdown={"series": 5},
        schedule_breakdown=[1],
        schedule_after_next="more",
        status=1,
    )
    assert typed.status_code == 422 and typed["Content-Type"] == "application/problem+json"
    named = {p["name"] for p in typed.json()["invalid_params"]}
    assert named == {"period", "output", "colour", "breakdown", "schedule_breakdown", "schedule_after_next", "status"}
    # Copper cathode's returns carry no breakdown, planned or actual.
    planned = send(secret, period="2025-06", output=20_000, schedule=20_000, schedule_breakdown={"grade": {"A": 1}})
    assert planned.status_code == 422
    assert [p["name"] for p in planned.json()["invalid_params"]] == ["schedule_breakdown"]
    not_json = client(secret).post(URL, "[1, 2]", content_type="application/json")
    assert not_json.status_code == 400 and "JSON object" in not_json.json()["detail"]
    cleaned = send(secret, period="2025-06", output=-5, status="bogus")
    assert cleaned.status_code == 422
    assert {p["name"] for p in cleaned.json()["invalid_params"]} == {"output", "status"}
    # 90,000 t in a month is above the smelter's 365,000 t/year: a rule's error, on output.
    ruled = send(secret, period="2025-06", output=90_000, schedule=20_000)
    assert ruled.status_code == 422
    assert [(p["name"], p["rule"]) for p in ruled.json()["invalid_params"]] == [("output", "above_capacity")]
    assert send(secret, period="June", output=1).json()["invalid_params"][0]["name"] == "period"
    assert not SurveyReturn.objects.filter(period="2025-06-01").exists()


def test_a_warning_needs_a_confirmation_which_is_stored(panel: None) -> None:
    _, secret = do_issue_respondent_token("CU-A", actor="office")
    # 12,000 t after 20,000 t a month, 20,000 t scheduled: warnings, no reason given.
    asked = send(secret, period="2025-06", output=12_000)
    assert asked.status_code == 422 and asked.json()["needs"] == "confirm"
    assert {p["rule"] for p in asked.json()["invalid_params"]} == {"unexplained_swing", "far_from_schedule"}
    assert not SurveyReturn.objects.filter(period="2025-06-01").exists()
    confirmed = send(secret, period="2025-06", output=12_000, confirm="furnace relined for two weeks")
    assert confirmed.status_code == 201
    assert set(confirmed.json()["receipt"]["confirmed"]) == {"unexplained_swing", "far_from_schedule"}
    kept = ValidationConfirmation.objects.filter(producer__code="CU-A", period="2025-06-01")
    assert {(c.rule, c.reason) for c in kept} == {
        ("unexplained_swing", "furnace relined for two weeks"),
        ("far_from_schedule", "furnace relined for two weeks"),
    }
    assert all(c.confirmed_by.startswith("CU-A (respondent") for c in kept)


def test_query_counts_do_not_grow_with_the_returns(panel: None) -> None:
    _, secret = do_issue_respondent_token("CU-A", actor="office")
    caller = client(secret)
    with CaptureQueriesContext(connection) as listed:
        assert caller.get(URL, {"history": "true"}).status_code == 200
    # the token, the months in force, their revisions, the access log row
    assert len(listed.captured_queries) <= 4, [q["sql"] for q in listed.captured_queries]
    with CaptureQueriesContext(connection) as sent:
        assert send(secret, period="2025-06", output=20_100, schedule=20_000).status_code == 201
    first = len(sent.captured_queries)
    send(secret, period="2025-07", output=20_000, schedule=20_000)
    with CaptureQueriesContext(connection) as later:
        assert send(secret, period="2025-08", output=20_050, schedule=20_000).status_code == 201
    with CaptureQueriesContext(connection) as revised:
        assert send(secret, period="2025-08", output=20_060, schedule=20_000).status_code == 201
    # a fixed number per return (20 today: the token, the rules' inputs, the write, its audit)
    assert len(later.captured_queries) == len(revised.captured_queries) == first <= 25


def test_a_token_is_rate_limited_like_a_key(panel: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METALSTAT_API_RATE", "2")
    _, secret = do_issue_respondent_token("CU-A", actor="office")
    _, other = do_issue_respondent_token("CU-B", actor="office")
    answers = [client(secret).get(URL) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert "token resp_" in answers[2].json()["detail"] and int(answers[2]["Retry-After"]) >= 1
    assert client(other).get(URL).status_code == 200  # counted per token
