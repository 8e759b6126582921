"""What the demo leaves for the data API: a correction with a real revision, and a subscriber.

A real survey's month is revised: a return arrives after the release, and the month is
published again as a corrected vintage. The demo does that once, for May 2025: a copper
producer imputed in May's release sends its return late; May is run again on the register as
it now stands and published as May's second vintage on 1 July, after June's release, so the
June release (the one the demo's targets check) is untouched, while "May as known at the end
of May" and "May as known now" differ. Then a demo organisation subscribing to every product
group, a subscriber and an API key, printed once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from metalstat.demo.pipeline import ACTOR, REVIEWER, release_time

CORRECTED_MONTH = date(2025, 5, 1)
CORRECTED_PRODUCT = "copper_cathode"
LATE_FACTOR = 1.04  # the late return is 4 % above the value imputed for it


@dataclass(frozen=True)
class Correction:
    producer: str
    imputed: float
    reported: float
    release: Any  # the corrected vintage


def publish_correction(may_release: Any) -> Correction | None:
    """The late return and May's corrected vintage; None when May imputed no copper producer."""
    from metalstat.releases.actions import (
        do_approve_release,
        do_publish_release,
        do_submit_for_review,
    )
    from metalstat.releases.cycle import run_month
    from metalstat.survey.actions import do_record_return
    from metalstat.survey.models import SurveyReturn

    imputed = sorted(
        (i for i in may_release.metadata.get("imputations", []) if i["product"] == CORRECTED_PRODUCT and i["value"]),
        key=lambda i: i["producer"],
    )
    if not imputed:
        return None
    first = imputed[0]
    reported = round(float(first["value"]) * LATE_FACTOR, 1)
    before = SurveyReturn.objects.filter(producer__code=first["producer"], period=CORRECTED_MONTH).exists()
    do_record_return(
        first["producer"],
        CORRECTED_MONTH,
        output=reported,
        actor=ACTOR,
        source="phone",
        reason="late return: the plant answered after the May release",
        origin="metalstat demo (late return)",
    )
    assert not before, "an imputed producer had a return"
    run = run_month(
        f"{CORRECTED_MONTH:%Y-%m}",
        actor=ACTOR,
        products=[CORRECTED_PRODUCT],
        note=f"correction: late return of {first['producer']} replaces its imputed value",
    )
    do_submit_for_review(run.release, actor=ACTOR)
    do_approve_release(run.release, actor=REVIEWER)
    june_out = release_time(date(2025, 6, 1))
    do_publish_release(run.release, actor=REVIEWER, release_at=june_out + timedelta(days=1))
    return Correction(first["producer"], float(first["value"]), reported, run.release)


def demo_subscriber() -> tuple[str, str]:
    """A demo organisation with every product group, its subscriber, and a fresh key."""
    from metalstat.catalog import load_catalog
    from metalstat.subscriptions.actions import (
        do_add_subscriber,
        do_create_api_key,
        do_create_organisation,
        do_grant_subscription,
    )

    org = do_create_organisation("Demo Trading Desk", actor=ACTOR)
    groups = sorted({p.group for p in load_catalog()})
    if not org.subscriptions.exists():
        do_grant_subscription(org, "All products, full history", groups=groups, actor=ACTOR)
    subscriber = do_add_subscriber("demo-subscriber", org, actor=ACTOR)
    _, secret = do_create_api_key(subscriber.user, "demo", actor=ACTOR)
    return subscriber.user.get_username(), secret
