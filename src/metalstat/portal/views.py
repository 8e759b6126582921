"""The portal's pages: thin over ``portal.pages`` and ``portal.account`` (reads),
``subscriptions.actions`` and ``delivery.actions`` (the only writes). Nothing here decides who sees what."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from metalstat.delivery.actions import (
    do_delete_webhook,
    do_disable_webhook,
    do_issue_feed_token,
    do_register_webhook,
    do_set_alert_preferences,
)
from metalstat.delivery.models import Webhook
from metalstat.engine.inputs import month_start
from metalstat.portal import account as account_reads
from metalstat.portal import delivery_texts, pages
from metalstat.releases.queries import NotVisible, release_id
from metalstat.report.figureset import shift_month
from metalstat.report.language import Language
from metalstat.subscriptions.actions import do_create_api_key, do_revoke_api_key
from metalstat.subscriptions.models import ApiKey, Subscriber


def _page(request: HttpRequest, template: str, reader: pages.Reader, **ctx: Any) -> HttpResponse:
    response = render(request, template, {"reader": reader, **ctx})
    # Pages are per reader and change at release time: never kept by a shared cache.
    response["Cache-Control"] = "private, no-cache"
    return response


def _reader(request: HttpRequest) -> tuple[pages.Reader, Language]:
    return pages.reader_of(request.user), pages.report_language(get_language())


def home(request: HttpRequest) -> HttpResponse:
    reader, lang = _reader(request)
    release = pages.latest_release(reader)
    rows = pages.overview(reader, release, lang) if release is not None else []
    before = pages.previous_release(reader, release) if release is not None else None
    revised = pages.revisions_since(reader, release, before, lang) if release and before else []
    return _page(
        request,
        "portal/home.html",
        reader,
        release=release,
        release_label=release_id(release) if release else "",
        release_month=lang.month(f"{release.period:%Y-%m}") if release else "",
        released=pages.when(release.release_at, lang) if release else None,
        embargoed=release is not None and pages.embargoed(release),
        rows=rows,
        next_month=lang.month(shift_month(f"{release.period:%Y-%m}", 1), short=True) if release else "",
        any_entitled=any(r.entitled for r in rows),
        before=release_id(before) if before else "",
        revised=revised,
    )


def product(request: HttpRequest, code: str) -> HttpResponse:
    reader, lang = _reader(request)
    start, end = request.GET.get("start") or None, request.GET.get("end") or None
    for value in (start, end):
        if value is not None and not _is_month(value):
            raise Http404(_("not a month (YYYY-MM): %(value)s") % {"value": value})
    try:
        page = pages.product_page(reader, code, lang, start, end)
    except KeyError:
        raise Http404(_("no product %(code)s") % {"code": code}) from None
    section = None
    latest = pages.latest_release(reader)
    current = latest is not None and f"{latest.period:%Y-%m}" == page.last
    if page.entitled and page.found and current and latest and pages.reaches_report(reader, code):
        section = pages.drafted_section(reader, latest, lang, code)
    base = request.build_absolute_uri("/api/v1/")
    return _page(
        request,
        "portal/product.html",
        reader,
        page=page,
        section=section,
        breakdown_tables=(
            (_("Operating rates"), page.rates),
            (_("Shares"), page.shares),
            (_("Producers in the sample"), page.counts),
        ),
        latest=latest,
        embargoed=latest is not None and pages.embargoed(latest) and page.found and page.entitled,
        api_base=base,
        chart_range=f"{lang.month(page.start, short=True)} – {lang.month(page.end, short=True)}" if page.start else "",
        formats=(("csv", "CSV"), ("xlsx", "XLSX"), ("json", "JSON"), ("sdmx-csv", "SDMX-CSV")),
        preview_param="&preview=1" if reader.preview else "",
    )


def _is_month(text: str) -> bool:
    try:
        month_start(text)
    except ValueError:
        return False
    return len(text) == 7


def release(request: HttpRequest, period: str, vintage: int | None = None) -> HttpResponse:
    reader, lang = _reader(request)
    if not _is_month(period):
        raise Http404(_("not a month (YYYY-MM): %(value)s") % {"value": period})
    try:
        found = pages.release_of(reader, period, vintage)
    except NotVisible:
        raise Http404(_("no release of %(period)s") % {"period": period}) from None
    rows = pages.overview(reader, found, lang)
    whole = pages.entitled_to_all(reader, [r.product.code for r in rows])
    report = pages.drafted_report(reader, found, lang) if whole else None
    vintages = [
        {**v, "at": pages.when(v["release_at"], lang), "current": v.get("vintage") == found.vintage}
        for v in pages.vintages_of(reader, period)
    ]
    return _page(
        request,
        "portal/release.html",
        reader,
        release=found,
        release_label=release_id(found),
        release_month=lang.month(period),
        released=pages.when(found.release_at, lang),
        embargoed=pages.embargoed(found),
        rows=rows,
        report=report,
        whole=whole,
        vintages=vintages,
        next_month=lang.month(shift_month(period, 1), short=True),
    )


def release_pdf(request: HttpRequest, period: str, vintage: int) -> HttpResponse:
    """The month's report as PDF, drafted from the vintage and laid out on request (only
    for a reader entitled to every product it quotes)."""
    from metalstat.report.render import render_html, render_pdf

    reader, lang = _reader(request)
    try:
        found = pages.release_of(reader, period, vintage)
    except NotVisible:
        raise Http404(_("no release of %(period)s") % {"period": period}) from None
    rows = pages.overview(reader, found, lang)
    if not pages.entitled_to_all(reader, [r.product.code for r in rows]):
        raise Http404(_("the whole report needs a subscription to every product"))
    body = render_pdf(render_html(pages.drafted_report(reader, found, lang), annex=False))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="report-{period}.v{vintage}.{lang.code}.pdf"'
    response["Cache-Control"] = "private, no-cache"
    return response


def calendar(request: HttpRequest) -> HttpResponse:
    reader, lang = _reader(request)
    found = pages.calendar(reader)
    rows = [
        {
            **r,
            "at": pages.when(r["release_at"], lang),
            "month": lang.month(r["period"]) if r.get("period") else "",
            "scheduled": r["release_at"] > timezone.now(),
        }
        for r in found["rows"]
    ]
    return _page(request, "portal/calendar.html", reader, rows=rows)


@login_required
def account(
    request: HttpRequest,
    *,
    created: tuple[ApiKey, str] | None = None,
    error: str = "",
    alert_error: str = "",
    webhook_error: str = "",
    new_hook: Webhook | None = None,
    feed_url: str = "",
    status: int = 200,
) -> HttpResponse:
    reader, lang = _reader(request)
    keys = list(ApiKey.objects.filter(user_id=int(str(request.user.pk))).order_by("-created_at"))
    subscriber = account_reads.subscriber_of(request.user)
    response = _page(
        request,
        "portal/account.html",
        reader,
        keys=keys,
        created=created,
        error=error,
        grants=pages.grants_shown(reader.ent, lang),
        api_base=request.build_absolute_uri("/api/v1/"),
        subscriber=subscriber,
        alerts=account_reads.alerts_of(subscriber, reader, lang) if subscriber else None,
        endpoints=account_reads.endpoints_of(subscriber) if subscriber else [],
        alert_error=alert_error,
        webhook_error=webhook_error,
        new_hook=new_hook,
        feed_url=feed_url,
        saved=request.GET.get("saved") == "alerts",
        hook_deleted=request.GET.get("deleted") == "webhook",
    )
    response.status_code = status
    return response


def _shown_once(request: HttpRequest, **created: Any) -> HttpResponse:
    """The account page with a secret just made (a key, a webhook's signing secret): kept by no cache."""
    response = account(request, **created)
    response["Cache-Control"] = "no-store"
    return response


def _own_subscriber(request: HttpRequest) -> Subscriber:
    subscriber = account_reads.subscriber_of(request.user)
    if subscriber is None:
        raise Http404("alerts and webhooks belong to a subscriber")
    return subscriber


@login_required
@require_POST
def set_alerts(request: HttpRequest) -> HttpResponse:
    """E-mail on or off, its language, the products followed (only those the reader's
    entitlements cover; none chosen: every entitled product)."""
    subscriber = _own_subscriber(request)
    reader, lang = _reader(request)
    chosen = request.POST.getlist("products")
    covered = {code for code, _name in account_reads.followable(reader, lang)}
    outside = sorted(set(chosen) - covered)
    if outside:
        msg = _("Not covered by your subscriptions: %(codes)s") % {"codes": ", ".join(outside)}
        return account(request, alert_error=msg, status=400)
    try:
        do_set_alert_preferences(
            subscriber,
            email=request.POST.get("email") == "on",
            language=request.POST.get("language", ""),
            products=chosen,
            actor=request.user,
        )
    except ValidationError as exc:
        return account(request, alert_error="; ".join(exc.messages), status=400)
    return redirect(reverse("portal:account") + "?saved=alerts#alerts-h")


@login_required
@require_POST
def issue_feed_token(request: HttpRequest) -> HttpResponse:
    """A new address for the subscriber's personal feed (the old one stops working), shown in
    this response only: the token in it is kept as a digest."""
    _pref, token = do_issue_feed_token(_own_subscriber(request), actor=request.user)
    return _shown_once(request, feed_url=request.build_absolute_uri(reverse("feed-personal", args=[token])))


@login_required
@require_POST
def register_webhook(request: HttpRequest) -> HttpResponse:
    """A new endpoint through delivery's action (HTTPS on a public address only); its
    signing secret is in this response, which no cache keeps."""
    subscriber = _own_subscriber(request)
    try:
        hook = do_register_webhook(subscriber, request.POST.get("url", ""), actor=request.user)
    except ValidationError as exc:
        reasons = exc.message_dict.get("url", exc.messages) if hasattr(exc, "error_dict") else exc.messages
        return account(request, webhook_error=delivery_texts.reasons(reasons), status=400)
    return _shown_once(request, new_hook=hook)


@login_required
@require_POST
def disable_webhook(request: HttpRequest, pk: int) -> HttpResponse:
    hook = get_object_or_404(Webhook, pk=pk, subscriber=_own_subscriber(request), deleted_at=None)
    do_disable_webhook(hook, actor=request.user)
    return redirect(reverse("portal:account") + "#hooks-h")


@login_required
@require_POST
def delete_webhook(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one of the reader's own endpoints (anyone else's, or a deleted one: not found);
    its calls stay in the delivery log, with the address they went to."""
    try:
        do_delete_webhook(_own_subscriber(request), pk, actor=request.user)
    except Webhook.DoesNotExist:
        raise Http404("no such webhook") from None
    return redirect(reverse("portal:account") + "?deleted=webhook#hooks-h")


@login_required
@require_POST
def create_key(request: HttpRequest) -> HttpResponse:
    """A new API key: its secret is in this response only, never stored nor shown again."""
    try:
        created = do_create_api_key(request.user, request.POST.get("name", ""), actor=request.user)
    except ValidationError as exc:
        return account(request, error="; ".join(exc.messages))
    return _shown_once(request, created=created)


@login_required
@require_POST
def revoke_key(request: HttpRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(ApiKey, pk=pk, user_id=int(str(request.user.pk)))
    do_revoke_api_key(key, actor=request.user)
    return redirect("portal:account")


def explore(request: HttpRequest) -> HttpResponse:
    """The series explorer's choice (product, kind, measure, breakdown, statistic): to the
    series' permalink page."""
    from metalstat.catalog import load_catalog
    from metalstat.catalog.vocabulary import MEASURES, STATISTICS
    from metalstat.releases.series import series_id

    reader, lang = _reader(request)
    q = request.GET
    if q.get("product"):
        sid = series_id(
            q.get("product", ""),
            q.get("kind", "actual"),
            q.get("measure", ""),
            q.get("breakdown", ""),
            q.get("statistic", ""),
        )
        return redirect("portal:series", sid=sid)
    products = [(p.code, lang.product_name(p)) for p in load_catalog()]
    return _page(request, "portal/explore.html", reader, products=products, measures=MEASURES, statistics=STATISTICS)


def series(request: HttpRequest, sid: str) -> HttpResponse:
    reader, lang = _reader(request)
    start, end, period = (request.GET.get(k) or None for k in ("start", "end", "period"))
    for value in (start, end, period):
        if value is not None and not _is_month(value):
            raise Http404(_("not a month (YYYY-MM): %(value)s") % {"value": value})
    chosen = request.GET.getlist("vintage")  # release IDs; only those that changed the series are taken
    page = pages.series_page(reader, sid, lang, start, end, period, chosen)
    if not page.found:
        raise Http404(_("no series %(sid)s") % {"sid": sid})
    return _page(
        request,
        "portal/series.html",
        reader,
        page=page,
        embargoed=page.embargoed_at is not None,
        released=pages.when(page.embargoed_at, lang),
        max_overlaid=pages.MAX_OVERLAID,
        api_base=request.build_absolute_uri("/api/v1/"),
        formats=(("csv", "CSV"), ("xlsx", "XLSX"), ("json", "JSON"), ("sdmx-csv", "SDMX-CSV")),
        preview_param="&preview=1" if reader.preview else "",
    )
