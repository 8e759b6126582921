"""``/api/v1/respondent/returns``: a producer sends and reads its own returns with its
respondent token, thin over ``survey.respondents`` (the form page at ``/workspace/respond/``
uses the same functions). The token names the producer; API keys are refused here, and the
token is refused on every other route (``api.auth``)."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from metalstat.api import accesslog
from metalstat.api.formats import json_response
from metalstat.api.limits import count_request
from metalstat.api.problems import Problem
from metalstat.api.routes import api, json_body
from metalstat.catalog.vocabulary import RETURN_BREAKDOWNS, RETURN_QUANTITIES
from metalstat.core.concurrency import Conflict
from metalstat.subscriptions.models import AccessLog
from metalstat.survey.entry import NeedsReason, RuleErrors
from metalstat.survey.models import RespondentToken, SurveyReturn
from metalstat.survey.respondents import (
    PREFIX,
    BadToken,
    own_history,
    own_returns,
    respondent,
    submit_own_return,
    what_changed,
)
from metalstat.survey.returns_import import RULE_COLUMNS

CHANNEL = "API"
MONTHS = 24
QUANTITIES = RETURN_QUANTITIES
FIELDS = ("period", *QUANTITIES, "status", "reason", *RETURN_BREAKDOWNS, "expected_revision", "confirm", "producer")


def _unauthorized(detail: str) -> Problem:
    problem = Problem(401, detail)
    problem.headers["WWW-Authenticate"] = 'Bearer realm="metalstat respondents", error="invalid_token"'
    return problem


class Channel:
    """One request of the respondents' channel: the token, counted and logged."""

    def __init__(self, request: HttpRequest) -> None:
        self.started = time.perf_counter()
        self.request = request
        scheme, _, secret = str(request.headers.get("Authorization", "")).partition(" ")
        secret = secret.strip()
        if scheme.lower() != "bearer" or not secret:
            raise _unauthorized(f"send your respondent token as: Authorization: Bearer {PREFIX}…")
        if not secret.startswith(PREFIX):
            raise _unauthorized(f"not a respondent token (they begin {PREFIX}): API keys do not open this channel")
        try:
            self.token: RespondentToken = respondent(secret)
        except BadToken as bad:
            raise _unauthorized(str(bad.args[0])) from None
        self.secret = secret
        self.who = f"{self.token.producer.code} (respondent, token {self.token.prefix}…)"
        count_request(f"respondent-{self.token.pk}", f"token {self.token.prefix}…")

    def log(self, response: HttpResponse, *, rows: int = 0) -> HttpResponse:
        """The access log: who, the path, how it ended (no figures are involved)."""
        entry = AccessLog(
            user=self.who[:150],
            path=self.request.path,
            rows=rows,
            format="json",
            status=response.status_code,
            duration_ms=(time.perf_counter() - self.started) * 1000.0,
        )
        accesslog.record(entry)
        response["Cache-Control"] = "no-store"
        response["Vary"] = "Authorization"
        return response


def _return(row: SurveyReturn) -> dict[str, Any]:
    return {
        "period": f"{row.period:%Y-%m}",
        "revision": row.revision,
        **{name: getattr(row, name) for name in QUANTITIES},
        "status": row.status,
        "breakdown": row.breakdown,
        "schedule_breakdown": row.schedule_breakdown,
        "reason": row.reason,
        "source": row.source,
        "collected_at": row.collected_at,
    }


def _history_wanted(request: HttpRequest) -> bool:
    unknown = sorted(set(request.GET) - {"history"})
    if unknown:
        params = [{"name": n, "reason": "not a parameter of this route (it takes: history)"} for n in unknown]
        raise Problem(400, "unknown parameters: " + ", ".join(unknown), invalid_params=params)
    raw = request.GET.get("history", "false").lower()
    if raw not in ("1", "true", "0", "false"):
        raise Problem(400, "history is true or false", invalid_params=[{"name": "history", "reason": "true or false"}])
    return raw in ("1", "true")


@api.get("/respondent/returns", summary="Your own returns (respondent token)", tags=["respondents"])
def list_own_returns(request: HttpRequest) -> HttpResponse:
    """The token's producer's returns in force, newest month first (the last 24 months);
    ``history=true`` adds every revision of each month."""
    channel = Channel(request)
    history = _history_wanted(request)
    months = own_returns(channel.token, MONTHS)
    out = [_return(r) for r in months]
    if history:
        revisions = own_history(channel.token, months)
        for item, row in zip(out, months, strict=True):
            item["history"] = [_return(r) for r in revisions[row.period]]
    body = {"ok": True, "producer": channel.token.producer.code, "returns": out}
    return channel.log(json_response(body), rows=len(out))


_RETURN_BODY = json_body(
    {
        "period": {"type": "string", "description": "the month, YYYY-MM"},
        **{q: {"type": "number", "nullable": True, "minimum": 0} for q in QUANTITIES},
        "status": {"type": "string", "description": "normal, halted, new, closed, …"},
        "reason": {"type": "string", "description": "your own words on a change"},
        "breakdown": {"type": "object", "description": '{"dimension": {"value": quantity}}'},
        "schedule_breakdown": {
            "type": "object",
            "description": 'next month\'s schedule by the same parts: {"dimension": {"value": quantity}}',
        },
        "expected_revision": {"type": "integer", "description": "the revision you started from"},
        "confirm": {"type": "string", "description": "why the values stand, if they raise warnings"},
        "producer": {"type": "string", "description": "optional: your own code (the token decides)"},
    },
    required=["period"],
)


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise Problem(400, 'the body is not a JSON object: send {"period": "YYYY-MM", "output": …}')
    return body


def _refused(detail: str, params: list[dict[str, Any]], **extra: Any) -> Problem:
    return Problem(422, detail, invalid_params=params, **extra)


def _field_of(message: str) -> tuple[str, str]:
    """A cleaning problem ("output: 'x' is not a number") as (field, reason)."""
    name, sep, reason = message.partition(": ")
    name = name.split(" ")[0] if sep else "return"
    return (name, reason) if sep else (name, message)


def _check_fields(channel: Channel, body: dict[str, Any]) -> list[dict[str, Any]]:
    params = [{"name": k, "reason": "not a field of a return"} for k in sorted(body) if k not in FIELDS]
    named = body.get("producer")
    if named is not None and named != channel.token.producer.code:
        raise Problem(403, f"this token sends {channel.token.producer.code}'s returns only, not {named!r}")
    if not isinstance(body.get("period"), str) or not body["period"].strip():
        params.append({"name": "period", "reason": "give the month as YYYY-MM"})
    for name in QUANTITIES:
        value = body.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            params.append({"name": name, "reason": f"{value!r} is not a number"})
    for name in ("status", "reason", "confirm"):
        if name in body and not isinstance(body[name], str):
            params.append({"name": name, "reason": "a string"})
    for name in RETURN_BREAKDOWNS:
        breakdown = body.get(name, {})
        if not isinstance(breakdown, dict) or not all(
            isinstance(parts, dict)
            and all(q is None or (isinstance(q, int | float) and not isinstance(q, bool)) for q in parts.values())
            for parts in breakdown.values()
        ):
            params.append({"name": name, "reason": 'an object: {"dimension": {"value": quantity}}'})
    revision = body.get("expected_revision")
    if revision is not None and (isinstance(revision, bool) or not isinstance(revision, int)):
        params.append({"name": "expected_revision", "reason": "a whole number"})
    return params


@api.post(
    "/respondent/returns",
    summary="Send your own return (respondent token)",
    tags=["respondents"],
    openapi_extra=_RETURN_BODY,
)
def send_own_return(request: HttpRequest) -> HttpResponse:
    """One month's return, under the same rules as every path: errors answer 422 naming each
    field; warnings answer 422 until ``confirm`` gives the reason the values stand (stored as
    their confirmation). 201: the receipt (producer, period, revision, what changed, time)."""
    channel = Channel(request)
    body = _body(request)
    params = _check_fields(channel, body)
    if params:
        said = "; ".join(f"{p['name']}: {p['reason']}" for p in params)
        raise _refused(f"the return was not recorded: {said}", params)
    values = {k: v for k, v in body.items() if k not in ("confirm", "producer")}
    confirm = str(body.get("confirm") or "")
    try:
        outcome, receipt, warnings = submit_own_return(
            channel.secret, values, channel=CHANNEL, confirm=confirm, leave_warnings=False
        )
    except NeedsReason as needs:
        params = [
            {"name": RULE_COLUMNS.get(w.rule) or "return", "rule": w.rule, "severity": "warning", "reason": w.message}
            for w in needs.warnings
        ]
        channel.log(HttpResponse(status=422))
        raise _refused(
            'the values raise warnings: if they stand, send them again with "confirm": "<why>"',
            params,
            needs="confirm",
        ) from None
    except RuleErrors as errors:
        params = [
            {"name": RULE_COLUMNS.get(f.rule) or "return", "rule": f.rule, "severity": "error", "reason": f.message}
            for f in errors.findings
        ]
        channel.log(HttpResponse(status=422))
        raise _refused("the return was not recorded: it breaks validation rules", params) from None
    except Conflict as conflict:
        channel.log(HttpResponse(status=409))
        raise Problem(409, "; ".join(conflict.messages)) from None
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            params = [{"name": k, "reason": m} for k, ms in exc.message_dict.items() for m in ms]
        else:
            params = [dict(zip(("name", "reason"), _field_of(m), strict=True)) for m in exc.messages]
        channel.log(HttpResponse(status=422))
        raise _refused("the return was not recorded: " + "; ".join(exc.messages), params) from None
    answer = {
        "ok": True,
        "receipt": {
            "producer": channel.token.producer.code,
            "period": f"{receipt.period:%Y-%m}",
            "outcome": outcome,
            "revision": receipt.revision,
            "changed": what_changed(receipt) if outcome != "unchanged" else {},
            "confirmed": [w.rule for w in warnings],
            "at": timezone.now(),
            "channel": f"respondents' channel ({CHANNEL})",
        },
        "return": _return(receipt),
    }
    return channel.log(json_response(answer, status=201 if outcome != "unchanged" else 200))
