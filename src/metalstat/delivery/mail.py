"""The release e-mail: the headline table of the products a subscriber follows and may read,
in their language, HTML and plain text, with links and an unsubscribe link.

Figures are read through ``releases.queries.release_figures`` as the subscriber (so only a
public release, confidential cells emptied) and kept to the products their entitlements cover
(``subscriptions.entitlements``) today.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import polars as pl
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import timezone

from metalstat.catalog import load_catalog
from metalstat.delivery.links import site_url
from metalstat.delivery.models import AlertLanguage, AlertPreference, AttemptOutcome, Delivery
from metalstat.delivery.outcomes import Outcome
from metalstat.releases.models import Release
from metalstat.releases.queries import is_analyst, release_figures, release_id
from metalstat.releases.series import series_id
from metalstat.subscriptions.entitlements import entitlements_of

UNSUBSCRIBE_SALT = "metalstat.delivery.unsubscribe"
HEADLINE = ("level", "mom_pct", "yoy_pct")

WORDS: dict[str, dict[str, str]] = {
    AlertLanguage.EN: {
        "subject": "metalstat: {month} statistics released ({id})",
        "intro": "The {month} release of metalstat went live at {at}.",
        "product": "Product",
        "level": "Production",
        "mom_pct": "Month on month",
        "yoy_pct": "Year on year",
        "release": "The release",
        "series": "Series",
        "calendar": "Release calendar",
        "feed": "Release feed",
        "unsubscribe": "Stop these e-mails",
        "none": "None of the products you follow is in this release.",
        "why": "You receive this because your organisation subscribes to metalstat.",
    },
    AlertLanguage.ZH_HANS: {
        "subject": "metalstat：{month}统计数据已发布（{id}）",
        "intro": "metalstat {month}数据已于{at}发布。",
        "product": "产品",
        "level": "产量",
        "mom_pct": "环比",
        "yoy_pct": "同比",
        "release": "本期发布",
        "series": "数据序列",
        "calendar": "发布日历",
        "feed": "发布订阅源",
        "unsubscribe": "退订此类邮件",
        "none": "您关注的产品均不在本期发布中。",
        "why": "您收到此邮件，是因为贵机构订阅了 metalstat。",
    },
}


def unsubscribe_token(subscriber_id: int) -> str:
    return signing.dumps({"s": subscriber_id}, salt=UNSUBSCRIBE_SALT, compress=True)


def subscriber_of_unsubscribe(token: str) -> int | None:
    try:
        found = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    value = found.get("s") if isinstance(found, dict) else None
    return value if isinstance(value, int) else None


def _month(release: Release, language: str) -> str:
    if language == AlertLanguage.ZH_HANS:
        return f"{release.period.year}年{release.period.month}月"
    return f"{release.period:%B %Y}"


def _number(value: Any, decimals: int, pct: bool) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:+.1f}%" if pct else f"{value:,.{decimals}f}"


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    unit: str
    cells: tuple[str, ...]
    link: str


# A live release's figures never change: its headline values are read once per release and
# kind of viewer (analyst or not) per process.
Headlines = dict[str, dict[str, float | None]]  # product -> statistic -> value
_HEADLINES: dict[tuple[int, Any, bool], Headlines] = {}


def headline_values(release: Release, user: Any, *, analyst: bool | None = None) -> Headlines:
    """The headline figures of each product in the release (its own month, production in
    total, or in the product's headline content), as the user may see them
    (``releases.queries.release_figures``: NotVisible for a release not public)."""
    key = (release.pk, release.created_at, is_analyst(user) if analyst is None else analyst)
    found = _HEADLINES.get(key)
    if found is None:
        frame = release_figures(release, user=user, periods=[f"{release.period:%Y-%m}"]).filter(
            (pl.col("kind") == "actual") & (pl.col("measure") == "production") & pl.col("statistic").is_in(HEADLINE)
        )
        by_key: dict[tuple[str, str], dict[str, float | None]] = {}
        for row in frame.iter_rows(named=True):
            by_key.setdefault((row["product"], row["breakdown"]), {})[row["statistic"]] = row["value"]
        catalog = load_catalog()
        found = {}
        for code in catalog.codes():
            # the total, else the product's headline content (metal or physical)
            for breakdown in ("", f"content={catalog.get(code).headline_content}"):
                if (code, breakdown) in by_key:
                    found[code] = by_key[(code, breakdown)]
                    break
        if len(_HEADLINES) > 16:
            _HEADLINES.clear()
        _HEADLINES[key] = found
    return found


def headline_rows(release: Release, user: Any, products: list[str], language: str) -> list[Row]:
    """The headline figures (production level, month-on-month and year-on-year change) of the
    followed products the user is entitled to, as the user may see them."""
    catalog = load_catalog()
    rights = entitlements_of(user)
    headlines = headline_values(release, user, analyst=rights.analyst)
    zh = language == AlertLanguage.ZH_HANS
    rows: list[Row] = []
    for code in catalog.codes():
        if code not in headlines or (products and code not in products):
            continue
        sid = series_id(code, "actual", "production", "", "level")
        if not rights.covers(sid, code):
            continue
        product = catalog.get(code)
        values = headlines[code]
        rows.append(
            Row(
                code=code,
                name=product.name_zh if zh else product.name,
                unit=product.unit_zh if zh else product.unit,
                cells=tuple(_number(values.get(s), product.decimals, s != "level") for s in HEADLINE),
                link=site_url(f"/api/v1/series/{sid}/observations"),
            )
        )
    return rows


def compose(delivery: Delivery, pref: AlertPreference) -> EmailMultiAlternatives | None:
    """The message of one e-mail delivery, or None when nothing the subscriber follows and may
    read is in the release."""
    release = delivery.release
    user = delivery.subscriber.user
    language = pref.language if pref.language in WORDS else AlertLanguage.EN
    words = WORDS[language]
    rows = headline_rows(release, user, list(pref.products), language)
    if not rows:
        return None
    rid = release_id(release)
    at = timezone.localtime(release.live_at)
    unsubscribe = site_url(f"/alerts/unsubscribe/{unsubscribe_token(delivery.subscriber_id)}")
    context = {
        "words": words,
        "language": "zh-Hans" if language == AlertLanguage.ZH_HANS else "en",
        "intro": words["intro"].format(month=_month(release, language), at=f"{at:%Y-%m-%d %H:%M %Z}"),
        "heads": [words[s] for s in HEADLINE],
        "rows": rows,
        "release_link": site_url(f"/api/v1/releases/{rid}"),
        "calendar_link": site_url("/calendar.ics"),
        "feed_link": site_url("/feeds/releases.atom"),
        "unsubscribe": unsubscribe,
    }
    message = EmailMultiAlternatives(
        subject=words["subject"].format(month=_month(release, language), id=rid),
        body=render_to_string("delivery/release_email.txt", context),
        from_email=str(settings.DEFAULT_FROM_EMAIL),
        to=[user.email],
        headers={
            "Message-ID": f"<{delivery.key}@metalstat>",
            "X-Metalstat-Delivery": delivery.key,
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string("delivery/release_email.html", context), "text/html")
    return message


def deliver(delivery: Delivery) -> Outcome:
    pref = AlertPreference.objects.filter(subscriber_id=delivery.subscriber_id).first()
    user = delivery.subscriber.user
    if pref is None or not pref.email:
        return Outcome(AttemptOutcome.SKIPPED, "unsubscribed before sending")
    if not user.is_active or not user.email:
        return Outcome(AttemptOutcome.SKIPPED, "no active address")
    message = compose(delivery, pref)
    if message is None:
        return Outcome(AttemptOutcome.SKIPPED, "nothing followed and entitled in the release")
    with get_connection() as connection:
        sent = connection.send_messages([message])
    if not sent:
        return Outcome(AttemptOutcome.FAILED, "the mail backend accepted nothing", retry_after=timedelta(minutes=5))
    return Outcome(AttemptOutcome.SENT, f"to {user.email}")
