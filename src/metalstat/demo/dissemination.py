"""What the demo leaves for the data API: late returns that replace imputed values, a
corrected vintage with a real revision, and a subscriber.

A real survey's answers come in late. Three copper cathode producers miss October 2024's
release: their returns are held back when the panel is loaded, the month is published with
them imputed (flagged, with the engine's method), then they arrive, the month is run again and
its second vintage goes out with November's release. The later months' runs read October as
its second vintage gives it (every month's value from its latest release, as
``releases.cycle.load_cycle_inputs`` reads them), so no later figure moves.

A real survey's months are revised. The demo revises one: after the eighteen months are
published, a copper producer corrects its May 2025 return (its output was 2 % higher than it
first reported); May is run again, every product, on the register as it now stands, and
published as May's second vintage on 1 July, after June's release, so the June release (the
one the demo's targets check) is untouched, while May as known at the end of May and May as
known now differ. Then a demo organisation subscribing to every product group, a subscriber
and an API key, printed once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import polars as pl

from metalstat.demo.pipeline import ACTOR, REVIEWER, release_time

if TYPE_CHECKING:
    from metalstat.demo.generator import DemoData
    from metalstat.engine.inputs import CycleInputs

LATE_MONTH = date(2024, 10, 1)
LATE_PRODUCT = "copper_cathode"
LATE_COUNT = 3
# The late returns come in on 18 November, between October's release and November's.
LATE_ARRIVAL = datetime.combine(date(2024, 11, 18), time(2, 0), tzinfo=UTC)


@dataclass(frozen=True)
class LateReturns:
    """Returns of one month that miss its first release: the rows of the generated panel
    (``returns``, ``parts``) that arrive only after it."""

    month: date
    product: str
    returns: pl.DataFrame
    parts: pl.DataFrame
    schedule_parts: pl.DataFrame

    @property
    def producers(self) -> list[str]:
        return sorted(self.returns.get_column("producer_id").to_list())

    def _late(self) -> pl.Expr:
        return (pl.col("period") == self.month) & pl.col("producer_id").is_in(self.producers)

    def withheld(self, data: DemoData) -> DemoData:
        """The panel as loaded before they arrive."""
        return replace(
            data,
            returns=data.returns.filter(~self._late()),
            return_parts=data.return_parts.filter(~self._late()),
            schedule_parts=data.schedule_parts.filter(~self._late()),
        )

    def without(self, inputs: CycleInputs) -> CycleInputs:
        """The month's cycle inputs as they stood at its first release."""
        return replace(
            inputs,
            returns=inputs.returns.filter(~self._late()),
            return_parts=inputs.return_parts.filter(~self._late()),
            schedule_parts=inputs.schedule_parts.filter(~self._late()),
        )

    def arrive(self) -> None:
        """Record them, late, through the survey's action (audited like any answer)."""
        from metalstat.survey.actions import ReturnValues, do_record_returns

        def by_producer(frame: pl.DataFrame) -> dict[str, dict[str, dict[str, float]]]:
            out: dict[str, dict[str, dict[str, float]]] = {}
            for pid, dim, value, qty in frame.select("producer_id", "dimension", "value", "quantity").iter_rows():
                out.setdefault(pid, {}).setdefault(dim, {})[value] = qty
            return out

        parts, planned = by_producer(self.parts), by_producer(self.schedule_parts)
        rows = [
            ReturnValues(
                producer=r["producer_id"],
                period=self.month,
                output=r["output"],
                output_metal=r["output_metal"],
                schedule=r["schedule"],
                schedule_metal=r["schedule_metal"],
                schedule_after_next=r["schedule_after_next"],
                operating_capacity=r["operating_capacity"],
                schedule_operating_capacity=r["schedule_operating_capacity"],
                status=r["status"],
                breakdown=parts.get(r["producer_id"], {}),
                schedule_breakdown=planned.get(r["producer_id"], {}),
                reason=r["reason"] or "",
                collected_at=LATE_ARRIVAL,
                collected_by=r["collected_by"] or "",
            )
            for r in self.returns.sort("producer_id").iter_rows(named=True)
        ]
        do_record_returns(rows, actor=ACTOR, source="phone", origin="metalstat demo (late returns)")


def late_returns(
    data: DemoData, month: date = LATE_MONTH, product: str = LATE_PRODUCT, count: int = LATE_COUNT
) -> LateReturns | None:
    """The first ``count`` producers of ``product`` (by code) that answered ``month`` with
    some output: their answers come in late. None if the panel has no such month."""
    codes = data.producers.filter(pl.col("product") == product).get_column("producer_id")
    answered = data.returns.filter(
        (pl.col("period") == month) & pl.col("producer_id").is_in(codes.to_list()) & (pl.col("output") > 0)
    )
    chosen = answered.get_column("producer_id").sort().head(count).to_list()
    if not chosen:
        return None
    late = (pl.col("period") == month) & pl.col("producer_id").is_in(chosen)
    return LateReturns(
        month,
        product,
        data.returns.filter(late),
        data.return_parts.filter(late),
        data.schedule_parts.filter(late),
    )


CORRECTED_MONTH = date(2025, 5, 1)
CORRECTED_PRODUCT = "copper_cathode"
CORRECTION_FACTOR = 1.02  # the corrected output is 2 % above the first answer


@dataclass(frozen=True)
class Correction:
    producer: str
    first: float
    corrected: float
    release: Any  # the corrected vintage


def publish_correction() -> Correction:
    """A producer's corrected May return and May's second vintage, published on 1 July."""
    from metalstat.releases.actions import do_approve_release, do_publish_release, do_submit_for_review
    from metalstat.releases.cycle import run_month
    from metalstat.survey.actions import do_record_return
    from metalstat.survey.models import SurveyReturn

    answer = (
        SurveyReturn.objects.current()
        .filter(producer__product=CORRECTED_PRODUCT, period=CORRECTED_MONTH, output__gt=0)
        .select_related("producer")
        .order_by("producer__code")
        .first()
    )
    assert answer is not None and answer.output is not None, "the demo panel has copper returns in May"
    corrected = round(answer.output * CORRECTION_FACTOR, 1)
    do_record_return(
        answer.producer,
        CORRECTED_MONTH,
        output=corrected,
        output_metal=answer.output_metal,
        schedule=answer.schedule,
        schedule_metal=answer.schedule_metal,
        schedule_after_next=answer.schedule_after_next,
        operating_capacity=answer.operating_capacity,
        schedule_operating_capacity=answer.schedule_operating_capacity,
        status=answer.status,
        breakdown=answer.breakdown,
        schedule_breakdown=answer.schedule_breakdown,
        actor=ACTOR,
        source="phone",
        reason="correction: the plant re-checked its May output after the release",
        origin="metalstat demo (correction)",
    )
    run = run_month(
        f"{CORRECTED_MONTH:%Y-%m}",
        actor=ACTOR,
        note=f"correction: {answer.producer.code} corrected its May output",
    )
    do_submit_for_review(run.release, actor=ACTOR)
    do_approve_release(run.release, actor=REVIEWER)
    june_out = release_time(date(2025, 6, 1))
    do_publish_release(run.release, actor=REVIEWER, release_at=june_out + timedelta(days=1), backfill=True)
    return Correction(answer.producer.code, float(answer.output), corrected, run.release)


DEMO_EMAIL = "demo-subscriber@example.org"
DEMO_FOLLOWS = ("copper_cathode", "aluminium", "nickel_sulphate")


def demo_subscriber() -> tuple[str, str, str]:
    """A demo organisation with every product group, its subscriber (with alerts: English
    e-mail on a few products), a fresh key, and a fresh password for the portal (user name,
    key, password)."""
    import secrets

    from metalstat.catalog import load_catalog
    from metalstat.subscriptions.actions import (
        do_add_subscriber,
        do_create_api_key,
        do_create_organisation,
        do_grant_subscription,
        do_set_password,
    )

    org = do_create_organisation("Demo Trading Desk", actor=ACTOR)
    groups = sorted({p.group for p in load_catalog()})
    if not org.subscriptions.exists():
        do_grant_subscription(org, "All products, full history", groups=groups, actor=ACTOR)
    subscriber = do_add_subscriber("demo-subscriber", org, email=DEMO_EMAIL, actor=ACTOR)
    from metalstat.delivery.actions import do_set_alert_preferences

    do_set_alert_preferences(subscriber, language="en", products=DEMO_FOLLOWS, email=True, actor=ACTOR)
    _, secret = do_create_api_key(subscriber.user, "demo", actor=ACTOR)
    password = secrets.token_urlsafe(12)
    do_set_password(subscriber.user, password, actor=ACTOR)
    return subscriber.user.get_username(), secret, password


def schedule_june_again(minutes: float, webhook: str | None) -> tuple[Any, Any]:
    """June run again as a new vintage and published ``minutes`` from now, so that its
    delivery can be watched: the calendar has it at once, the worker sends it at its time.
    With ``webhook``, that endpoint is registered for the demo subscriber first."""
    from django.utils import timezone

    from metalstat.delivery.actions import do_register_webhook
    from metalstat.releases.actions import do_approve_release, do_publish_release, do_submit_for_review
    from metalstat.releases.cycle import run_month
    from metalstat.subscriptions.models import Subscriber

    hook = None
    if webhook:
        subscriber = Subscriber.objects.get(user__username="demo-subscriber")
        hook = do_register_webhook(subscriber, webhook, actor=ACTOR)
    run = run_month("2025-06", actor=ACTOR, note="demo: June again, to watch its release-time delivery")
    do_submit_for_review(run.release, actor=ACTOR)
    do_approve_release(run.release, actor=REVIEWER)
    release = do_publish_release(run.release, actor=REVIEWER, release_at=timezone.now() + timedelta(minutes=minutes))
    return release, hook


DEMO_TEAM = (("demo-analyst", "analysts"), ("demo-editor", "editors"))


def demo_team() -> list[tuple[str, str, str]]:
    """An analyst and an editor for the workspace (four eyes: one submits, the other
    approves), each with a fresh password: (user name, role, password)."""
    import secrets

    from metalstat.core.roles import do_add_team_member
    from metalstat.subscriptions.actions import do_set_password

    team = []
    for username, role in DEMO_TEAM:
        user = do_add_team_member(username, role, actor=ACTOR)
        password = secrets.token_urlsafe(12)
        do_set_password(user, password, actor=ACTOR)
        team.append((username, role, password))
    return team


@dataclass(frozen=True)
class LateSummary:
    """What the late returns changed: each producer's imputed and reported output, the
    national level as first published and with them, and the two vintages."""

    product: str
    month: date
    producers: list[tuple[str, str, float, float]]  # code, method, imputed, reported
    first: float
    revised: float
    first_release: Any
    revised_release: Any


def late_summary(done: list[Any], late: LateReturns) -> LateSummary:
    """From ``run_and_publish``'s months: the late month's two vintages, in order."""
    first, revised = (d for d in done if d.period == late.month)
    imputed = first.result.imputations.filter(
        (pl.col("period") == late.month) & pl.col("producer_id").is_in(late.producers)
    )
    reported = dict(late.returns.select("producer_id", "output").iter_rows())
    producers = [
        (code, method, value, reported[code])
        for code, method, value in imputed.select("producer_id", "method", "value").sort("producer_id").iter_rows()
    ]

    def level(d: Any) -> float:
        row = d.result.figures.filter(
            (pl.col("product") == late.product)
            & (pl.col("kind") == "actual")
            & (pl.col("measure") == "production")
            & (pl.col("statistic") == "level")
            & (pl.col("breakdown") == "")
            & (pl.col("period") == f"{late.month:%Y-%m}")
        )
        return float(row.get_column("value")[0])

    return LateSummary(
        late.product, late.month, producers, level(first), level(revised), first.release, revised.release
    )
