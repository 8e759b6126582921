"""What the demo leaves for the data API: a corrected vintage with a real revision, and a
subscriber.

A real survey's months are revised. The demo revises one: after the eighteen months are
published, a copper producer corrects its May 2025 return (its output was 2 % higher than it
first reported); May is run again, every product, on the register as it now stands, and
published as May's second vintage on 1 July, after June's release, so the June release (the
one the demo's targets check) is untouched, while May as known at the end of May and May as
known now differ. Then a demo organisation subscribing to every product group, a subscriber
and an API key, printed once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from metalstat.demo.pipeline import ACTOR, REVIEWER, release_time

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
