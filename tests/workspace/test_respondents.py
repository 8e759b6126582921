"""The respondents' channel: a producer's token submits and reads that producer's returns
only, under the same rules, with a receipt and an audit entry naming the channel."""

from __future__ import annotations

import pytest
from django.test import Client

from metalstat.core.models import AuditEntry
from metalstat.survey.entry import NeedsReason
from metalstat.survey.models import RespondentToken, SurveyReturn
from metalstat.survey.respondents import BadToken, do_issue_respondent_token, submit_own_return

pytestmark = pytest.mark.django_db
URL = "/workspace/respond/"


def test_analysts_issue_and_revoke_tokens_others_cannot(as_role, panel: None) -> None:  # type: ignore[no-untyped-def]
    assert as_role("editor").post("/workspace/producers/CU-A/tokens/").status_code == 403
    analyst = as_role("analyst")
    page = analyst.post("/workspace/producers/CU-A/tokens/")
    secret = page.context["secret"]
    token = RespondentToken.objects.get()
    assert secret.startswith("resp_") and token.digest != secret
    assert secret not in str(AuditEntry.objects.filter(model="survey.respondenttoken").values_list("after", flat=True))
    assert Client().post(URL, {"token": secret}).status_code == 200
    analyst.post("/workspace/producers/CU-A/tokens/", {"revoke": token.pk})
    assert Client().post(URL, {"token": secret}).status_code == 403


def test_a_token_writes_and_reads_only_its_own_producer(panel: None) -> None:
    _, secret_a = do_issue_respondent_token("CU-A", actor="office")
    client = Client()
    # A tries to send a return for CU-B: the producer comes from the token, so it is CU-A's.
    sent = client.post(URL, {"token": secret_a, "producer": "CU-B", "period": "2025-06", "output": "20500"})
    assert sent.status_code == 200
    assert SurveyReturn.objects.filter(period="2025-06-01", producer__code="CU-A").get().output == 20_500
    assert not SurveyReturn.objects.filter(period="2025-06-01", producer__code="CU-B").exists()
    receipt = sent.context["receipt"]
    assert (receipt["outcome"], receipt["return"].revision) == ("created", 1)
    # Its own returns only: 17 months of CU-A (2024-01 .. 2025-06, 24 at most shown).
    own = sent.context["returns"]
    assert {r.producer.code for r in own} == {"CU-A"} and own[0].period.isoformat() == "2025-06-01"
    html = sent.content.decode()
    assert "CU-B" not in html and "CU-C" not in html
    entry = AuditEntry.objects.get(object_id="CU-A/2025-06")
    assert entry.source == "respondents' channel (form)" and entry.actor.startswith("CU-A (respondent")


def test_the_same_rules_apply_and_bad_tokens_are_refused(panel: None) -> None:
    _, secret = do_issue_respondent_token("CU-A", actor="office")
    # 90,000 t in a month is above 365,000 t/year: refused, nothing written.
    bad = Client().post(URL, {"token": secret, "period": "2025-06", "output": "90000"})
    assert bad.status_code == 400 and "above_capacity" in bad.content.decode()
    assert not SurveyReturn.objects.filter(period="2025-06-01").exists()
    # A warning (far from its schedule) needs the producer's reason, as an analyst's form asks.
    with pytest.raises(NeedsReason):
        submit_own_return(secret, {"period": "2025-06", "output": 12_000.0}, channel="form")
    assert not SurveyReturn.objects.filter(period="2025-06-01").exists()
    outcome, receipt, warnings = submit_own_return(
        secret, {"period": "2025-06", "output": 12_000.0}, channel="form", confirm="a furnace relined"
    )
    assert receipt.output == 12_000 and receipt.source == "api"
    assert outcome == "created" and {w.rule for w in warnings} == {"unexplained_swing", "far_from_schedule"}
    with pytest.raises(BadToken):
        submit_own_return(secret + "x", {"period": "2025-06", "output": 1.0}, channel="form")
    assert Client().post(URL, {"token": "resp_nothing"}).status_code == 403
