"""One return keyed in by an analyst (the workspace's form), under the same rules as every
other path: the values are cleaned as :func:`survey.actions.do_record_returns` cleans them,
confronted with the engine's validation rules as an import is
(:func:`survey.returns_import.engine_findings`); an error refuses the return, a warning needs
the analyst's reason, which is stored as its confirmation. Nothing is written unless all of it
is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl
from django.core.exceptions import ValidationError
from django.db import transaction

from metalstat.catalog import load_catalog
from metalstat.core.changelog import Actor
from metalstat.core.periods import as_period
from metalstat.core.roles import require
from metalstat.core.tabular.runner import Context
from metalstat.registry.actions import as_producer
from metalstat.survey.actions import ReturnValues, clean_return_values, do_confirm_warning, do_record_returns
from metalstat.survey.returns_import import engine_findings


@dataclass(frozen=True)
class Finding:
    """A rule that fires on the return being entered."""

    rule: str
    severity: str
    message: str


class NeedsReason(ValidationError):
    """The return raises warnings: give the reason the values stand to confirm them."""

    def __init__(self, warnings: list[Finding]) -> None:
        self.warnings = warnings
        super().__init__([f"warning ({w.rule}): {w.message}" for w in warnings])


class RuleErrors(ValidationError):
    """The return breaks validation rules (errors): it is refused; each finding is kept."""

    def __init__(self, errors: list[Finding]) -> None:
        self.findings = errors
        super().__init__([f"error ({f.rule}): {f.message}" for f in errors])


def return_findings(row: ReturnValues) -> list[Finding]:
    """The engine's findings on ``row`` as if it were recorded (errors, and warnings not yet
    confirmed). Raises ValidationError for values that cannot be stored at all."""
    producer = as_producer(row.producer)
    catalog = load_catalog()
    values, problems = clean_return_values(row, catalog.get(producer.product))
    if problems:
        raise ValidationError(problems)
    period = as_period(row.period)
    ctx = Context(catalog=catalog)
    ctx.producers[producer.code] = producer
    found = engine_findings([(producer.code, period, values)], ctx)
    return [
        Finding(rule=r["rule"], severity=r["severity"], message=r["message"])
        for r in found.sort(pl.col("severity"), "rule").iter_rows(named=True)
    ]


@dataclass(frozen=True)
class Entered:
    outcome: str  # created | revised | unchanged
    warnings: list[Finding]  # the warnings the return raised (confirmed, or left open)


@transaction.atomic
def do_enter_return(
    row: ReturnValues,
    *,
    actor: Actor,
    source: str,
    reason: str = "",
    origin: str = "",
    leave_warnings: bool = False,
) -> Entered:
    """Record one return entered in a form: ``created``, ``revised`` or ``unchanged``.

    Errors raise ValidationError listing each; warnings raise NeedsReason unless ``reason``
    is given, which then confirms every one of them (or, with ``leave_warnings``, as for a
    producer sending its own return, they are left open for the analysts). ``row.expected_revision``
    guards against a lost update (``core.concurrency.Conflict``)."""
    require(actor, "record_returns")
    found = return_findings(row)
    errors = [f for f in found if f.severity == "error"]
    if errors:
        raise RuleErrors(errors)
    warnings = [f for f in found if f.severity == "warning"]
    if warnings and not reason.strip() and not leave_warnings:
        raise NeedsReason(warnings)
    outcome = do_record_returns([row], actor=actor, source=source, origin=origin)[0]
    period: date = as_period(row.period)
    if reason.strip():
        for w in warnings:
            do_confirm_warning(row.producer, period, w.rule, reason=reason, actor=actor, origin=origin)
    return Entered(outcome=outcome, warnings=warnings)
