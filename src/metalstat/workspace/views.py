"""The workspace's pages: thin views over the board's reads and the apps' actions.

Every page needs a signed-in user with a role (``core.roles``); every change is an action
called with that user, which checks the role again (so a page cannot go around it).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from metalstat.catalog import load_catalog
from metalstat.catalog.vocabulary import BREAKDOWN_PREFIXES, RETURN_SOURCES, RETURN_STATUSES
from metalstat.core.concurrency import Conflict, version_of
from metalstat.core.periods import as_period
from metalstat.core.roles import allowed
from metalstat.core.tabular.columns import breakdown_header
from metalstat.core.tabular.errors import ImportRejected
from metalstat.core.tabular.runner import run_import
from metalstat.engine.calendar import add_months, days_in_month
from metalstat.engine.validate import RULES_BY_ID
from metalstat.registry.actions import as_producer
from metalstat.releases import actions as releases
from metalstat.releases.actions import do_set_commentary
from metalstat.releases.choices import CommentaryMode, Language
from metalstat.releases.cycle import CycleBlocked, HollowMonth, run_month
from metalstat.releases.models import CellStatus, Commentary, Release
from metalstat.survey.actions import (
    ReturnValues,
    do_clear_follow_up,
    do_confirm_warnings,
    do_mark_follow_up,
)
from metalstat.survey.entry import NeedsReason, do_enter_return, return_findings
from metalstat.survey.models import RespondentToken, SurveyReturn
from metalstat.survey.respondents import (
    BadToken,
    do_issue_respondent_token,
    do_revoke_respondent_token,
    own_returns,
    respondent,
    submit_own_return,
)
from metalstat.survey.returns_import import ReturnsHandler
from metalstat.workspace import board as boards
from metalstat.workspace.preview import SLOTS, NoPreview, commentary_preview
from metalstat.workspace.review import figure_lineage, month_review

LOGIN_URL = "workspace:login"
View = Callable[..., HttpResponseBase]


def role_required(permission: str) -> Callable[[View], View]:
    """Sign in first; then the user must hold ``permission`` (403 otherwise)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse(LOGIN_URL))
            if not allowed(request.user, permission):
                raise PermissionDenied(f"this page needs the permission to {permission.replace('_', ' ')}")
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def _period(month: str) -> date:
    try:
        return as_period(month)
    except ValidationError:
        raise PermissionDenied("not a month") from None


@role_required("view_unreleased")
def index(request: HttpRequest) -> HttpResponse:  # noqa: ARG001  (a view takes the request)
    last = SurveyReturn.objects.order_by("-period").values_list("period", flat=True).first()
    month = last or timezone.localdate().replace(day=1)
    return redirect("workspace:board", month=f"{month:%Y-%m}")


@role_required("view_unreleased")
def board(request: HttpRequest, month: str) -> HttpResponse:
    period = _period(month)
    b = boards.month_board(period)
    return render(request, "workspace/board.html", {"board": b, "month": month, "nav": "board"})


@role_required("view_unreleased")
def missing(request: HttpRequest, month: str) -> HttpResponse:
    period = _period(month)
    product = request.GET.get("product") or None
    rows = boards.chasing_list(period, product)
    if request.GET.get("format") == "xlsx":
        header = ["producer", "name", "product", "contact", "capacity", "last month output", "last month status"]
        body = [
            [r["code"], r["name"], r["product"], r["contact"], r["capacity"], r["last_output"], r["last_status"]]
            for r in rows
        ]
        data = boards.chasing_workbook(header, body, title=f"Returns missing for {month}")
        response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="chasing-{month}.xlsx"'
        return response
    return render(
        request, "workspace/missing.html", {"rows": rows, "month": month, "product": product, "nav": "missing"}
    )


@role_required("view_unreleased")
def findings(request: HttpRequest, month: str) -> HttpResponse:
    period = _period(month)
    product = request.GET.get("product") or None
    severity = request.GET.get("severity") or None
    if request.method == "POST":
        try:
            messages.success(request, _finding_step(request, period))
        except (ValidationError, PermissionDenied) as exc:
            for text in exc.messages if isinstance(exc, ValidationError) else [str(exc)]:
                messages.error(request, text)
        return redirect(request.get_full_path())
    rows = boards.open_findings(period, product, severity)
    for f in rows:
        f["follow_up_version"] = version_of(f["follow_up"])
    open_keys = {(f["producer_id"], f["rule"]) for f in rows}
    marks = [
        {"mark": m, "version": version_of(m), "open": (m.producer.code, m.rule) in open_keys}
        for m in boards.follow_ups(period, product)
    ]
    groups: dict[tuple[str, str], list[str]] = {}
    for f in rows:
        if f["severity"] == "warning":
            groups.setdefault((f["product"], f["rule"]), []).append(f["producer_id"])
    bulk = [{"product": p, "rule": r, "producers": codes} for (p, r), codes in sorted(groups.items()) if len(codes) > 1]
    return render(
        request,
        "workspace/findings.html",
        {
            "rows": rows,
            "bulk": bulk,
            "follow_ups": marks,
            "confirmed": boards.confirmations(period, product),
            "month": month,
            "product": product,
            "severity": severity,
            "nav": "findings",
        },
    )


def _finding_step(request: HttpRequest, period: date) -> str:
    """One change on the findings page, through its action: confirm warnings (one or many
    producers, one reason), mark a finding for follow-up, or clear the mark."""
    post = request.POST
    rule = post.get("rule", "")
    step = post.get("step", "confirm")
    if step == "confirm":
        producers = post.getlist("producer")
        n = do_confirm_warnings(
            producers, period, rule, reason=post.get("reason", ""), actor=request.user, origin="workspace"
        )
        return f"confirmed {rule} on {', '.join(producers)} ({n} changed)"
    code = post.get("producer", "")
    if step == "follow_up":
        _, outcome = do_mark_follow_up(
            code,
            period,
            rule,
            note=post.get("note", ""),
            actor=request.user,
            origin="workspace",
            expected_version=post.get("version", ""),
        )
        return f"{code} {rule}: marked for follow-up ({outcome})"
    if step == "clear_follow_up":
        do_clear_follow_up(
            code, period, rule, actor=request.user, origin="workspace", expected_version=post.get("version", "")
        )
        return f"{code} {rule}: follow-up cleared"
    raise ValidationError(f"unknown step {step!r}")


@role_required("view_unreleased")
def cells(request: HttpRequest, month: str) -> HttpResponse:
    """The cells of the month's newest vintage with a given status (imputed by default)."""
    period = _period(month)
    release = Release.objects.filter(period=period).order_by("-vintage").first()
    status = request.GET.get("status") or "imputed"
    qs = CellStatus.objects.none()
    if release is not None:
        qs = CellStatus.objects.filter(release=release, period=period, field="output", status=status)
        if request.GET.get("product"):
            qs = qs.filter(product=request.GET["product"])
    return render(
        request,
        "workspace/cells.html",
        {"rows": list(qs[:2000]), "release": release, "status": status, "month": month, "nav": "board"},
    )


@role_required("record_returns")
def upload(request: HttpRequest, month: str) -> HttpResponse:
    context: dict[str, Any] = {"month": month, "nav": "upload"}
    upload = request.FILES.get("file") if request.method == "POST" else None
    if isinstance(upload, UploadedFile):
        name = Path(upload.name or "upload").name
        suffix = Path(name).suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            context["errors"] = [{"reason": f"{name}: give a .xlsx workbook or a .csv file"}]
            return render(request, "workspace/upload.html", context, status=400)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"upload{suffix}"
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                result = run_import(
                    ReturnsHandler(),
                    path,
                    actor=request.user,
                    confirm=request.POST.get("reason") or None,
                    display_name=name,
                )
            except ImportRejected as rejected:
                context["rejected"] = rejected
                context["file"] = name
                return render(request, "workspace/upload.html", context, status=400)
        context["result"] = result
    return render(request, "workspace/upload.html", context)


def _number(text: str | None, label: str, problems: list[str]) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        return float(text.replace(",", ""))
    except ValueError:
        problems.append(f"{label}: {text!r} is not a number")
        return None


RULE_FIELDS = {rule.id: rule.field for rule in RULES_BY_ID.values()}
RETURN_FORM_FIELDS = (
    "output",
    "output_metal",
    "schedule",
    "schedule_metal",
    "schedule_after_next",
    "operating_capacity",
)


def _part_inputs(product_code: str) -> list[tuple[str, str, str, str]]:
    """The form's breakdown inputs of a product: (breakdown field, dimension, value, input
    name), the actual parts named dimension=value and the planned ones
    schedule:dimension=value, as the spreadsheet's columns are."""
    product = load_catalog().get(product_code)
    return [
        (name, d.name, v, breakdown_header(prefix + d.name, v))
        for name, prefix in BREAKDOWN_PREFIXES.items()
        for d in product.dimensions
        if d.source == "return"
        for v in d.value_names()
    ]


def _posted_return(request: HttpRequest, code: str, period: date, problems: list[str]) -> ReturnValues:
    """The return typed in the form: its numbers (problems noted) and its breakdowns."""
    numbers: dict[str, Any] = {f: _number(request.POST.get(f), f, problems) for f in RETURN_FORM_FIELDS}
    parts: dict[str, dict[str, dict[str, float]]] = {name: {} for name in BREAKDOWN_PREFIXES}
    for name, dim, value, field in _part_inputs(as_producer(code).product):
        quantity = _number(request.POST.get(field), field, problems)
        if quantity is not None:
            parts[name].setdefault(dim, {})[value] = quantity
    return ReturnValues(
        producer=code,
        period=period,
        status=request.POST.get("status", "normal"),
        reason=request.POST.get("reason", ""),
        expected_revision=int(request.POST.get("revision") or 0),
        breakdown=parts["breakdown"],
        schedule_breakdown=parts["schedule_breakdown"],
        **numbers,
    )


def _form(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    values = context["values"]
    context["inputs"] = [(f, "" if values.get(f) is None else values.get(f)) for f in RETURN_FORM_FIELDS]
    context["inputs"] += [
        (field, "" if values.get(field) is None else values.get(field))
        for _, _, _, field in _part_inputs(context["producer"].product)
    ]
    return render(request, "workspace/return_form.html", context, status=status)


@role_required("record_returns")
def return_form(request: HttpRequest, month: str, code: str) -> HttpResponse:
    period = _period(month)
    try:
        producer = as_producer(code)
    except ValidationError:
        raise PermissionDenied("no such producer") from None
    current = SurveyReturn.objects.current().filter(producer=producer, period=period).first()
    previous = SurveyReturn.objects.current().filter(producer=producer, period=add_months(period, -1)).first()
    context: dict[str, Any] = {
        "month": month,
        "producer": producer,
        "current": current,
        "previous": previous,
        "capacity": producer.capacity_at(date(period.year, period.month, days_in_month(period))),
        "history": boards.return_history(producer, period),
        "statuses": RETURN_STATUSES,
        "sources": [s for s in RETURN_SOURCES if s != "api"],
        "fields": RETURN_FORM_FIELDS,
        "revision": current.revision if current else 0,
        "values": {f: getattr(current, f) if current else None for f in RETURN_FORM_FIELDS}
        | {
            field: (getattr(current, name) or {}).get(dim, {}).get(value) if current else None
            for name, dim, value, field in _part_inputs(producer.product)
        }
        | {"status": current.status if current else "normal", "reason": current.reason if current else ""},
        "nav": "missing",
    }
    if request.method == "POST":
        problems: list[str] = []
        row = _posted_return(request, producer.code, period, problems)
        context["values"] = dict(request.POST.items())
        if not problems:
            try:
                entered = do_enter_return(
                    row,
                    actor=request.user,
                    source=request.POST.get("source", "phone"),
                    reason=request.POST.get("confirm_reason", ""),
                    origin="workspace form",
                )
            except NeedsReason as need:
                context["warnings"] = need.warnings
                return _form(request, context, status=400)
            except Conflict as conflict:
                context["conflict"] = conflict.messages[0]
                return _form(request, context, status=409)
            except ValidationError as exc:
                problems.extend(exc.messages)
            else:
                messages.success(request, f"{producer.code} {month}: {entered.outcome}")
                return redirect("workspace:return", month=month, code=producer.code)
        context["problems"] = problems
        return _form(request, context, status=400)
    return _form(request, context)


@role_required("view_unreleased")
def release(request: HttpRequest, month: str) -> HttpResponse:
    """The month's vintages and the steps of sign-off: run, submit, approve or reject,
    schedule."""
    period = _period(month)
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            _step(request, period, step)
        except (ValidationError, PermissionDenied, releases.ReleaseError, CycleBlocked, HollowMonth) as exc:
            texts = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            for text in texts:
                messages.error(request, text)
        return redirect("workspace:release", month=month)
    vintages = list(Release.objects.filter(period=period).order_by("-vintage"))
    return render(
        request,
        "workspace/release.html",
        {
            "month": month,
            "vintages": vintages,
            "latest": vintages[0] if vintages else None,
            "now": timezone.now(),
            "nav": "release",
            "can": {p: allowed(request.user, p) for p in ("run_month", "review_release", "publish_release")},
        },
    )


def _step(request: HttpRequest, period: date, step: str) -> None:
    user = request.user
    if step == "run":
        run = run_month(f"{period:%Y-%m}", actor=user)
        messages.success(request, f"stored {run.release.label} as a draft")
        return
    target = Release.objects.get(pk=int(request.POST.get("release") or 0), period=period)
    if step == "submit":
        releases.do_submit_for_review(target, actor=user, note=request.POST.get("note", ""))
    elif step == "approve":
        releases.do_approve_release(target, actor=user)
    elif step == "reject":
        releases.do_reject_release(target, actor=user, note=request.POST.get("note", ""))
    elif step == "withdraw_approval":
        releases.do_withdraw_approval(target, actor=user, note=request.POST.get("note", ""))
    elif step == "withdraw":
        releases.do_withdraw_release(target, actor=user, note=request.POST.get("note", ""))
    elif step == "publish":
        at = _release_time(request.POST.get("release_at", ""))
        releases.do_publish_release(target, actor=user, release_at=at)
    else:
        raise ValidationError(f"unknown step {step!r}")
    messages.success(request, f"{target.label}: {step} done")


def _release_time(text: str) -> datetime:
    parsed = parse_datetime(text.replace("T", " ")) if text.strip() else None
    if parsed is None:
        raise ValidationError({"release_at": "give the release time as YYYY-MM-DD HH:MM"})
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


@role_required("view_unreleased")
def review(request: HttpRequest, month: str) -> HttpResponse:
    period = _period(month)
    return render(
        request,
        "workspace/review.html",
        {"review": month_review(period, user=request.user), "month": month, "nav": "review"},
    )


@role_required("view_unreleased")
def lineage(request: HttpRequest, month: str, product: str) -> HttpResponse:
    """Where a figure comes from: ``?measure=production|operating_capacity|operating_rate``
    and ``&breakdown=`` a producer-domain cell (``region=east China``); the headline level by
    default."""
    period = _period(month)
    try:
        found = figure_lineage(
            period,
            product,
            user=request.user,
            measure=request.GET.get("measure") or "production",
            breakdown=request.GET.get("breakdown", ""),
        )
    except KeyError:
        raise Http404(f"no product {product!r}") from None
    return render(
        request,
        "workspace/lineage.html",
        {"lineage": found, "month": month, "product": product, "nav": "review"},
    )


COMMENTARY_FIELDS = ("product", "slot", "language", "mode", "text", "version")


def _preview_context(request: HttpRequest, period: date) -> dict[str, Any]:
    """The drafted section of the product being written about, in both languages, with the
    unsaved text of the form in place (``workspace.preview``; nothing written)."""
    post = request.POST
    try:
        sections = commentary_preview(
            period,
            post.get("product", ""),
            post.get("slot", ""),
            post.get("text", ""),
            language=post.get("language") or Language.EN,
            mode=post.get("mode") or CommentaryMode.REPLACE,
            user=request.user,
            author=request.user.get_username(),
        )
    except NoPreview as nothing:
        return {"preview_problem": str(nothing)}
    return {"preview": sections}


@role_required("write_commentary")
def commentary_preview_fragment(request: HttpRequest, month: str) -> HttpResponse:
    """The commentary form's live preview (POSTed by its script as the analyst types): an
    HTML fragment with the product's drafted section in English and Chinese."""
    period = _period(month)
    if request.method != "POST":
        return HttpResponse("post the commentary form to preview it", status=405, content_type="text/plain")
    return render(request, "workspace/commentary_preview.html", _preview_context(request, period))


@role_required("view_unreleased")
def commentary(request: HttpRequest, month: str) -> HttpResponse:
    """The month's analysts' paragraphs; writing one needs the analyst role
    (``releases.actions.do_set_commentary`` checks it) and the version it was opened at."""
    period = _period(month)
    context: dict[str, Any] = {
        "month": month,
        "nav": "commentary",
        "slots": SLOTS,
        "languages": Language.choices,
        "modes": CommentaryMode.choices,
        "products": [(p.code, p.name) for p in load_catalog()],
        "editing": {},
    }
    status = 200
    if request.method == "POST" and request.POST.get("preview"):
        # the form's Preview button (without script): the page again, the text kept, nothing saved
        if not allowed(request.user, "write_commentary"):
            raise PermissionDenied("the preview is for the analysts writing commentary")
        context["editing"] = {k: request.POST.get(k, "") for k in COMMENTARY_FIELDS}
        context |= _preview_context(request, period)
    elif request.method == "POST":
        fields = {k: request.POST.get(k, "") for k in COMMENTARY_FIELDS}
        try:
            _, outcome = do_set_commentary(
                period,
                fields["product"],
                fields["slot"],
                fields["text"],
                language=fields["language"] or Language.EN,
                mode=fields["mode"] or CommentaryMode.REPLACE,
                actor=request.user,
                origin="workspace",
                expected_version=fields["version"],
            )
        except Conflict as conflict:
            context["conflict"] = conflict.messages[0]
            context["editing"] = fields
            status = 409
        except (ValidationError, PermissionDenied) as exc:
            context["problems"] = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            context["editing"] = fields
            status = 403 if isinstance(exc, PermissionDenied) else 400
        else:
            messages.success(request, f"{fields['product'] or 'report'} {fields['slot']}: {outcome}")
            return redirect("workspace:commentary", month=month)
    entries = list(Commentary.objects.filter(period=period).order_by("product", "slot", "language", "mode"))
    context["entries"] = [(c, version_of(c)) for c in entries]
    return render(request, "workspace/commentary.html", context, status=status)


@role_required("record_returns")
def tokens(request: HttpRequest, code: str) -> HttpResponse:
    """Issue or revoke a producer's respondent token (analysts); the secret is shown once."""
    try:
        producer = as_producer(code)
    except ValidationError:
        raise PermissionDenied("no such producer") from None
    context: dict[str, Any] = {"producer": producer, "month": None}
    if request.method == "POST":
        if request.POST.get("revoke"):
            token = RespondentToken.objects.get(pk=int(request.POST["revoke"]), producer=producer)
            do_revoke_respondent_token(token, actor=request.user)
            messages.success(request, f"token {token.prefix}… revoked")
        else:
            _, secret = do_issue_respondent_token(producer, actor=request.user)
            context["secret"] = secret
    context["tokens"] = list(RespondentToken.objects.filter(producer=producer))
    return render(request, "workspace/tokens.html", context)


def respond(request: HttpRequest) -> HttpResponse:
    """A producer's own page: with its token it sends its return and sees its own returns
    only. No sign-in: the token is the credential, and it names the producer."""
    context: dict[str, Any] = {
        "statuses": RETURN_STATUSES,
        "inputs": [(f, "") for f in RETURN_FORM_FIELDS],
        "month": None,
    }
    if request.method != "POST":
        return render(request, "workspace/respond.html", context)
    secret = request.POST.get("token", "")
    context["token"] = secret
    try:
        token = respondent(secret)
    except BadToken as bad:
        context["problems"] = [str(bad)]
        return render(request, "workspace/respond.html", context, status=403)
    context["producer"] = token.producer
    if request.POST.get("period"):
        problems: list[str] = []
        numbers = {f: _number(request.POST.get(f), f, problems) for f in RETURN_FORM_FIELDS}
        values: dict[str, Any] = {
            "period": request.POST["period"],
            "status": request.POST.get("status", "normal"),
            "reason": request.POST.get("reason", ""),
            **numbers,
        }
        context["values"] = dict(request.POST.items())
        if not problems:
            try:
                outcome, receipt, warnings = submit_own_return(
                    secret, values, channel="form", confirm=request.POST.get("confirm_reason", "")
                )
            except NeedsReason as need:
                context["warnings"] = need.warnings
            except ValidationError as exc:
                problems.extend(exc.messages)
            else:
                context["receipt"] = {"outcome": outcome, "return": receipt, "warnings": warnings}
                context["values"] = {}
        context["problems"] = problems
    context["returns"] = own_returns(token)
    kept = context.get("values", {})
    context["inputs"] = [(f, kept.get(f, "")) for f in RETURN_FORM_FIELDS]
    failed = context.get("problems") or context.get("warnings")
    return render(request, "workspace/respond.html", context, status=400 if failed else 200)


@role_required("record_returns")
def return_check(request: HttpRequest, month: str, code: str) -> JsonResponse:
    """The form's instant messages: what the rules say of the values typed so far (nothing
    is written). ``problems``: values that cannot be stored; ``findings``: the engine's rules,
    each with the field it is about."""
    period = _period(month)
    problems: list[str] = []
    try:
        row = _posted_return(request, code, period, problems)
    except ValidationError:
        raise PermissionDenied("no such producer") from None
    found: list[dict[str, str]] = []
    if not problems:
        try:
            found = [
                {"rule": f.rule, "severity": f.severity, "message": f.message, "field": RULE_FIELDS.get(f.rule, "")}
                for f in return_findings(row)
            ]
        except ValidationError as exc:
            problems.extend(exc.messages)
    return JsonResponse({"problems": problems, "findings": found})
