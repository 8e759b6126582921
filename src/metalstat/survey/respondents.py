"""The respondents' channel: a producer sends its own return with its token.

A token names one producer: it submits that producer's returns and reads that producer's
returns only (the producer comes from the token, never from the request). Submissions go
through :func:`survey.entry.do_enter_return` (the same cleaning and rules as every path; an
error refuses the return; a warning needs the producer's reason, stored as its confirmation,
as an analyst's form asks), with an audit entry naming the channel.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import replace
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from metalstat.catalog.vocabulary import RETURN_VALUES
from metalstat.core.changelog import Actor, actor_name, record_change, snapshot
from metalstat.core.choices import AuditAction
from metalstat.core.periods import as_period
from metalstat.core.roles import require
from metalstat.registry.actions import as_producer
from metalstat.registry.models import Producer
from metalstat.survey.actions import ReturnValues
from metalstat.survey.entry import Finding, do_enter_return
from metalstat.survey.models import RespondentToken, SurveyReturn

PREFIX = "resp_"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def do_issue_respondent_token(producer: Producer | str, *, actor: Actor) -> tuple[RespondentToken, str]:
    """A new token for the producer: the stored token and its secret, shown only now."""
    require(actor, "record_returns")
    producer = as_producer(producer)
    secret = PREFIX + secrets.token_urlsafe(24)
    token = RespondentToken.objects.create(
        producer=producer, prefix=secret[: len(PREFIX) + 6], digest=_digest(secret), issued_by=actor_name(actor)
    )
    record_change(token, AuditAction.CREATE, before=None, after=snapshot(token, exclude=("digest",)), actor=actor)
    return token, secret


@transaction.atomic
def do_revoke_respondent_token(token: RespondentToken, *, actor: Actor) -> RespondentToken:
    require(actor, "record_returns")
    locked = RespondentToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is None:
        before = snapshot(locked, exclude=("digest",))
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor_name(actor)
        locked.save(update_fields=["revoked_at", "revoked_by"])
        record_change(
            locked, AuditAction.UPDATE, before=before, after=snapshot(locked, exclude=("digest",)), actor=actor
        )
    return locked


class BadToken(PermissionDenied):
    """No active token with that secret (unknown, mistyped or revoked): one answer for all."""

    def __init__(self) -> None:
        super().__init__("this token is not valid (unknown or revoked): ask the statistics office for a new one")


def respondent(secret: str) -> RespondentToken:
    """The active token with this secret, with its producer; BadToken otherwise."""
    found = (
        RespondentToken.objects.select_related("producer")
        .filter(digest=_digest((secret or "").strip()), revoked_at__isnull=True)
        .first()
    )
    if found is None:
        raise BadToken()
    return found


def own_returns(token: RespondentToken, limit: int = 24) -> list[SurveyReturn]:
    """The token's producer's returns in force, newest month first."""
    return list(SurveyReturn.objects.current().filter(producer=token.producer).order_by("-period")[:limit])


def own_history(token: RespondentToken, months: list[SurveyReturn]) -> dict[Any, list[SurveyReturn]]:
    """Every revision of the token's producer's returns of those months (one query), by
    month, oldest revision first."""
    periods = [m.period for m in months]
    found: dict[Any, list[SurveyReturn]] = {p: [] for p in periods}
    rows = SurveyReturn.objects.filter(producer=token.producer, period__in=periods).order_by("period", "revision")
    for row in rows:
        found[row.period].append(row)
    return found


def what_changed(receipt: SurveyReturn) -> dict[str, dict[str, Any]]:
    """The values of ``receipt`` that differ from the revision before it, as {field: {"from",
    "to"}} (a first revision: every value given, from None)."""
    before = (
        SurveyReturn.objects.filter(
            producer_id=receipt.producer_id, period=receipt.period, revision__lt=receipt.revision
        )
        .order_by("-revision")
        .first()
    )
    changes: dict[str, dict[str, Any]] = {}
    for name in RETURN_VALUES:
        old = getattr(before, name) if before is not None else None
        new = getattr(receipt, name)
        if before is None and new in (None, "", {}):
            continue
        if old != new:
            changes[name] = {"from": old, "to": new}
    return changes


def submit_own_return(
    secret: str,
    values: dict[str, Any],
    *,
    channel: str,
    confirm: str = "",
    leave_warnings: bool = False,
) -> tuple[str, SurveyReturn, list[Finding]]:
    """Record the token's producer's return; returns what happened, the return in force (the
    receipt) and the warnings it raised. ``values``: ReturnValues fields other than the
    producer (a ``producer`` given is ignored: the token decides). A warning needs
    ``confirm``, the producer's reason, stored as its confirmation
    (``survey.entry.NeedsReason`` otherwise), as an analyst's form asks; the form page and the
    API both ask for it. ``leave_warnings=True`` stores the return with its warnings open."""
    token = respondent(secret)
    code = token.producer.code
    fields = {k: v for k, v in values.items() if k in ReturnValues.__dataclass_fields__ and k != "producer"}
    row = replace(ReturnValues(producer=code, period=fields.pop("period")), **fields)
    who = f"{code} (respondent, token {token.prefix}…)"
    entered = do_enter_return(
        row,
        actor=who,
        source="api",
        origin=f"respondents' channel ({channel})",
        reason=confirm,
        leave_warnings=leave_warnings,
    )
    receipt = SurveyReturn.objects.current().get(producer=token.producer, period=as_period(row.period))
    return entered.outcome, receipt, entered.warnings
