"""The release workflow: a vintage of figures from draft to publication, and commentary.

draft -> in_review -> approved -> published (-> superseded). Every step is atomic, takes
keyword-only ``actor`` and writes an AuditEntry with the release before and after. A
release's figures are written once, when it is created, and never change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import polars as pl
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Field, Max
from django.utils import timezone

from metalstat.catalog.vocabulary import CONF_STATUS, KINDS, OBS_STATUS
from metalstat.core.changelog import Actor, actor_name, model_label, record_change, save_audited, snapshot
from metalstat.core.choices import AuditAction
from metalstat.core.concurrency import check_version, version_of
from metalstat.core.locks import serialised
from metalstat.core.outcomes import CREATED, UNCHANGED, UPDATED
from metalstat.core.periods import as_period
from metalstat.core.roles import require
from metalstat.core.validators import validate_product_code
from metalstat.engine.estimate import PRODUCER_DIMS
from metalstat.engine.figures import FIGURES
from metalstat.engine.impute import CELL_STATUSES
from metalstat.engine.validate import FINDINGS, RULES_BY_ID
from metalstat.releases.choices import CommentaryMode, Language, ReleaseStatus
from metalstat.releases.models import CellStatus, Commentary, Figure, Finding, Release, SampleUnit
from metalstat.releases.queries import FIGURE_KEY, LIVE_STATUSES
from metalstat.releases.signals import release_timed

FIGURE_BATCH = 2000


class ReleaseError(ValueError):
    """A release step that its state does not allow (e.g. publishing a draft)."""


def _locked(release: Release | int) -> Release:
    pk = release.pk if isinstance(release, Release) else release
    try:
        return Release.objects.select_for_update().get(pk=pk)
    except Release.DoesNotExist:
        raise ReleaseError(f"no release with id {pk}") from None


def _check_figures(figures: pl.DataFrame) -> pl.DataFrame:
    missing = [c for c in FIGURES if c not in figures.columns]
    if missing:
        raise ValidationError(f"figures: missing column(s) {', '.join(missing)}")
    try:
        frame = figures.select([pl.col(c).cast(t, strict=True) for c, t in FIGURES.items()])
    except pl.exceptions.PolarsError as exc:
        raise ValidationError(f"figures: a column has the wrong type: {exc}") from None
    # NaN is not a value anyone can publish: store it as missing.
    frame = frame.with_columns(pl.col(c).fill_nan(None) for c, t in FIGURES.items() if t == pl.Float64)
    problems: list[str] = []
    for column in ("product", "kind", "measure", "statistic", "period", "breakdown"):
        nulls = frame.get_column(column).null_count()
        if nulls:
            problems.append(f"figures: {nulls} row(s) without {column}")
    for column, allowed in (
        ("kind", KINDS),
        ("status", tuple(OBS_STATUS)),
        ("conf_status", tuple(CONF_STATUS)),
    ):
        bad = frame.filter(~pl.col(column).is_in(list(allowed))).get_column(column).unique()
        if len(bad):
            problems.append(f"figures: {column} {sorted(map(str, bad))} not in {list(allowed)}")
    dupes = frame.group_by(list(FIGURE_KEY)).len().filter(pl.col("len") > 1)
    if len(dupes):
        first = dupes.row(0, named=True)
        key = ", ".join(f"{k}={first[k]!r}" for k in FIGURE_KEY)
        problems.append(f"figures: {len(dupes)} key(s) given more than once, e.g. {key}")
    if problems:
        raise ValidationError(problems)
    return frame


def _column(model: type[Any], name: str) -> str:
    """The database column of one of a model's own fields."""
    field = model._meta.get_field(name)
    if not isinstance(field, Field):
        raise TypeError(f"{model.__name__}.{name} is not a field with a column")
    return str(field.column)


def _insert_rows(model: type[Any], release: Release, frame: pl.DataFrame) -> None:
    """Write rows belonging to a release in bulk (``frame``'s columns are the model's field
    names): COPY on PostgreSQL, one executemany on SQLite.

    A cycle can publish ~100k figures; Django's bulk_create needs 1,700 statements for that
    on SQLite (999 parameters each) and ~6 s on PostgreSQL, against well under a second here.
    """
    if frame.is_empty():
        return
    fields = frame.columns
    columns = [_column(model, "release")] + [_column(model, name) for name in fields]
    rows = ((release.pk, *row) for row in frame.iter_rows())
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    elif connection.vendor == "sqlite":
        placeholders = ", ".join(["%s"] * len(columns))
        # Quoted names from the model's metadata; the values are parameters.
        sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608
        with connection.cursor() as cursor:
            # django-stubs ask for a Sequence; Django and sqlite3 take any iterable of rows,
            # and streaming ~100k rows is the point here.
            cursor.executemany(sql, rows)  # type: ignore[arg-type]
    else:
        model.objects.bulk_create(
            (model(release=release, **dict(zip(fields, row, strict=True))) for row in frame.iter_rows()),
            batch_size=FIGURE_BATCH,
        )


def _insert_figures(release: Release, frame: pl.DataFrame) -> None:
    _insert_rows(Figure, release, frame)


@dataclass(frozen=True)
class Lineage:
    """What a vintage was made from, stored with it: the run's validation findings
    (engine ``validate.FINDINGS``), the status of every completed cell (``impute.CELL_STATUSES``;
    ``status`` may also say ``edited``) and the weighted sample (``estimate.weights``: one row
    per sample producer and month with its completed value, method, stratum, ``cap_avg`` and
    expansion weight ``w``)."""

    findings: pl.DataFrame
    cells: pl.DataFrame
    sample: pl.DataFrame


# The producer domains a sample unit is kept with (the engine's breakdown domains).
SAMPLE_DOMAINS = ("size_class", *PRODUCER_DIMS)


def _optional(frame: pl.DataFrame, column: str) -> pl.Expr:
    return (pl.col(column) if column in frame.columns else pl.lit(None, pl.Float64)).fill_nan(None)


def _lineage_frames(lineage: Lineage) -> list[tuple[type[Any], pl.DataFrame]]:
    missing = [
        f"{name}: {', '.join(c for c in need if c not in frame.columns)}"
        for name, frame, need in (
            ("findings", lineage.findings, list(FINDINGS)),
            ("cells", lineage.cells, list(CELL_STATUSES)),
            ("sample", lineage.sample, ["producer_id", "product", "period", "stratum", "value", "method", "w"]),
        )
        if any(c not in frame.columns for c in need)
    ]
    if missing:
        raise ValidationError([f"lineage {m} missing" for m in missing])
    rule_field = pl.col("rule").replace_strict(
        {r.id: r.field for r in RULES_BY_ID.values()}, default="", return_dtype=pl.Utf8
    )
    findings = lineage.findings.select(
        producer=pl.col("producer_id").cast(pl.Utf8),
        product="product",
        period="period",
        field=rule_field,
        rule="rule",
        severity="severity",
        value=pl.col("value").fill_nan(None),
        message=pl.col("message").fill_null(""),
        confirmed="confirmed",
    )
    cells = lineage.cells.select(
        producer=pl.col("producer_id").cast(pl.Utf8),
        product="product",
        period="period",
        field="field",
        status="status",
        method=pl.col("method").fill_null(""),
        value=pl.col("value").fill_nan(None),
    )
    sample = lineage.sample
    sample = sample.select(
        producer=pl.col("producer_id").cast(pl.Utf8),
        product="product",
        period="period",
        stratum=pl.col("stratum").cast(pl.Utf8).fill_null(""),
        value=pl.col("value").fill_nan(None),
        value_metal=_optional(sample, "value_metal"),
        method="method",
        capacity=_optional(sample, "cap_avg"),
        weight="w",
        operating_capacity=_optional(sample, "opcap"),
        potential=(_optional(sample, "cap_avg") * _optional(sample, "month_share")).fill_nan(None),
        domains=pl.struct([pl.col(d).cast(pl.Utf8) for d in SAMPLE_DOMAINS if d in sample.columns]).struct.json_encode()
        if any(d in sample.columns for d in SAMPLE_DOMAINS)
        else pl.lit("{}"),
    )
    return [(Finding, findings), (CellStatus, cells), (SampleUnit, sample)]


def _release_snapshot(release: Release) -> dict[str, Any]:
    return snapshot(release, exclude=("metadata",))


@transaction.atomic
def do_create_release(
    period: date | str,
    figures: pl.DataFrame,
    *,
    actor: Actor,
    note: str = "",
    metadata: dict[str, Any] | None = None,
    lineage: Lineage | None = None,
) -> Release:
    """Store a month's figures as a new draft vintage (1, 2, ... within the month).

    ``figures`` is a frame in the engine's FIGURES shape; it is checked (columns, codes,
    unique keys) and written in batches. ``lineage``: the run's findings, cell statuses and
    weighted sample, written in the same transaction. The release starts as a draft.
    """
    require(actor, "run_month")
    period = as_period(period)
    frame = _check_figures(figures)
    extra = _lineage_frames(lineage) if lineage is not None else []
    who = actor_name(actor)
    # Two runs of a month take turns, so they cannot take the same vintage number (a row
    # lock cannot do it: the month's first vintage has no row to lock yet).
    with serialised(f"release:{period.isoformat()}", what=f"storing a vintage of {period:%Y-%m}"):
        last = Release.objects.filter(period=period).aggregate(v=Max("vintage"))["v"]
        release = Release.objects.create(
            period=period,
            vintage=(last or 0) + 1,
            status=ReleaseStatus.DRAFT,
            created_by=who,
            note=note,
            metadata=metadata or {},
        )
    _insert_figures(release, frame)
    for model, rows in extra:
        _insert_rows(model, release, rows)
    after = _release_snapshot(release) | {"figures": frame.height} | {m._meta.model_name: r.height for m, r in extra}
    record_change(release, AuditAction.CREATE, before=None, after=after, actor=who)
    return release


def _transition(
    release: Release | int,
    allowed_from: tuple[str, ...],
    to: str,
    *,
    actor: Actor,
    step: str,
    changes: dict[str, Any] | None = None,
) -> Release:
    locked = _locked(release)
    if locked.status not in allowed_from:
        raise ReleaseError(
            f"cannot {step} release {locked.label}: it is {locked.status} (needs {' or '.join(allowed_from)})"
        )
    before = _release_snapshot(locked)
    locked.status = to
    for name, value in (changes or {}).items():
        setattr(locked, name, value)
    locked.save()
    record_change(locked, AuditAction.UPDATE, before=before, after=_release_snapshot(locked), actor=actor)
    if isinstance(release, Release):
        release.refresh_from_db()
    return locked


@transaction.atomic
def do_submit_for_review(release: Release | int, *, actor: Actor, note: str = "") -> Release:
    """A draft goes to review."""
    require(actor, "run_month")
    changes: dict[str, Any] = {"submitted_at": timezone.now(), "submitted_by": actor_name(actor)}
    if note:
        changes["note"] = note
    return _transition(
        release,
        (ReleaseStatus.DRAFT,),
        ReleaseStatus.IN_REVIEW,
        actor=actor,
        step="submit",
        changes=changes,
    )


@transaction.atomic
def do_reject_release(release: Release | int, *, actor: Actor, note: str) -> Release:
    """A reviewer sends a release in review back to draft, saying why. An approved release
    is not rejected: its approval is withdrawn (:func:`do_withdraw_approval`)."""
    require(actor, "review_release")
    if _locked(release).status == ReleaseStatus.APPROVED:
        raise ReleaseError(
            "cannot reject an approved release: withdraw its approval instead, with the reason "
            "(`metalstat release withdraw-approval`, or the workspace's release page)"
        )
    return _back_to_draft(release, ReleaseStatus.IN_REVIEW, "reject", actor=actor, note=note)


def _back_to_draft(
    release: Release | int, status: str, step: str, *, actor: Actor, note: str, **changes: Any
) -> Release:
    """An editor sends a release of ``status`` back to draft, with the reason as its note."""
    require(actor, "review_release")
    if not (note or "").strip():
        raise ValidationError({"note": f"say why ({step}): the release goes back to draft"})
    return _transition(
        release,
        (status,),
        ReleaseStatus.DRAFT,
        actor=actor,
        step=step,
        changes={"reviewed_by": actor_name(actor), "note": note, **changes},
    )


@transaction.atomic
def do_withdraw_approval(release: Release | int, *, actor: Actor, note: str) -> Release:
    """An editor takes back the approval of a release not yet scheduled, saying why: it goes
    back to draft (the analysts resubmit it, and another approval needs four eyes again),
    without its approver; the audit keeps who approved it and when. Its figures never change:
    a correction is a new vintage. A scheduled release is first withdrawn from its schedule
    (:func:`do_withdraw_release`); a live one cannot be taken back."""
    return _back_to_draft(
        release,
        ReleaseStatus.APPROVED,
        "withdraw the approval of",
        actor=actor,
        note=note,
        approved_by="",
        approved_at=None,
    )


@transaction.atomic
def do_approve_release(release: Release | int, *, actor: Actor) -> Release:
    """A release in review is approved, by another person than the one who submitted it.

    Four eyes: a signed-in user may never approve a release they submitted (or created). A
    tool acting under a name (the command line) is held to it only with
    ``METALSTAT_SEPARATE_APPROVER`` on, as the person behind a name cannot be told.
    """
    require(actor, "review_release")
    who = actor_name(actor)
    current = _locked(release)
    person = not isinstance(actor, str)
    separate = person or getattr(settings, "METALSTAT_SEPARATE_APPROVER", False)
    if separate and who in {current.submitted_by, current.created_by}:
        role = "submitted" if who == current.submitted_by else "created"
        raise PermissionDenied(f"{who} {role} release {current.label}; another person must approve it")
    return _transition(
        release,
        (ReleaseStatus.IN_REVIEW,),
        ReleaseStatus.APPROVED,
        actor=who,
        step="approve",
        changes={"reviewed_by": who, "approved_by": who, "approved_at": timezone.now()},
    )


# How far in the past a release time may be (clocks differ, a command takes time) before it
# is refused as rewriting history.
CLOCK_TOLERANCE = timedelta(minutes=5)


@transaction.atomic
def do_publish_release(
    release: Release | int, *, actor: Actor, release_at: datetime | None = None, backfill: bool = False
) -> Release:
    """Publish an approved release: its figures go live at ``release_at`` (now by default).

    A release time in the past (beyond CLOCK_TOLERANCE) is refused: an as-of query would say
    the vintage was live before anyone had it. History that really was released earlier (a
    desk moving its back series in, the demo) is loaded with ``backfill=True``, which the
    vintage records (``metadata["backfill"]``) and the change log keeps.

    Before ``release_at`` the release is scheduled: only analysts see it. When it goes live
    it replaces the month's previous vintage, which is marked superseded (now if the release
    time has passed, else by :func:`do_settle_releases`; visibility never waits for that).
    While one vintage of a month is scheduled, no other vintage of that month can be
    published, so live data cannot change under a staged embargo.
    """
    require(actor, "publish_release")
    now = timezone.now()
    release_at = release_at or now
    if timezone.is_naive(release_at):
        raise ValidationError({"release_at": "give the release time with its time zone"})
    if release_at < now - CLOCK_TOLERANCE and not backfill:
        raise ReleaseError(
            f"release time {release_at:%Y-%m-%d %H:%M %Z} is in the past: a vintage cannot go live before it is "
            "published. History that was really released then is loaded as a backfill (--backfill), "
            "which the vintage records"
        )
    current = _locked(release)
    if backfill:
        current.metadata = {
            **current.metadata,
            "backfill": {"by": actor_name(actor), "at": now.isoformat(), "release_at": release_at.isoformat()},
        }
        current.save(update_fields=["metadata"])
    siblings = Release.objects.select_for_update().filter(period=current.period, status__in=LIVE_STATUSES)
    for other in siblings.exclude(pk=current.pk):
        if other.vintage > current.vintage:
            raise ReleaseError(
                f"release {other.label} of the same month is already published; {current.label} is older"
            )
        if other.status == ReleaseStatus.PUBLISHED and other.live_at > now:
            raise ReleaseError(
                f"release {other.label} is scheduled for {other.live_at:%Y-%m-%d %H:%M %Z}; "
                "publish another vintage of the month after it goes live"
            )
        if release_at < other.live_at:
            raise ReleaseError(f"release time {release_at} is before that of {other.label} ({other.live_at})")
    published = _transition(
        release,
        (ReleaseStatus.APPROVED,),
        ReleaseStatus.PUBLISHED,
        actor=actor,
        step="publish",
        changes={
            "release_at": release_at,
            "published_at": now,
            "published_by": actor_name(actor),
        },
    )
    if release_at <= now:
        do_settle_releases(at=now, period=published.period, actor=actor)
    release_timed.send(Release, release=published, release_at=release_at, previous=None, backfill=backfill)
    return published


def _scheduled(release: Release | int, step: str) -> Release:
    """A published release whose release time has not come (the only kind that may move)."""
    current = _locked(release)
    if current.status != ReleaseStatus.PUBLISHED or current.release_at is None:
        raise ReleaseError(f"cannot {step} release {current.label}: it is {current.status}, not scheduled")
    if current.release_at <= timezone.now():
        raise ReleaseError(
            f"cannot {step} release {current.label}: it went live at {current.release_at:%Y-%m-%d %H:%M %Z}"
        )
    return current


@transaction.atomic
def do_reschedule_release(release: Release | int, *, actor: Actor, release_at: datetime) -> Release:
    """Move a scheduled release to another time (still in the future) before it goes live."""
    require(actor, "publish_release")
    if timezone.is_naive(release_at):
        raise ValidationError({"release_at": "give the release time with its time zone"})
    if release_at <= timezone.now():
        raise ReleaseError("a release is moved to a time still to come (publish now with release publish)")
    current = _scheduled(release, "reschedule")
    previous = current.live_at
    moved = _transition(
        current,
        (ReleaseStatus.PUBLISHED,),
        ReleaseStatus.PUBLISHED,
        actor=actor,
        step="reschedule",
        changes={"release_at": release_at},
    )
    release_timed.send(Release, release=moved, release_at=release_at, previous=previous, backfill=False)
    return moved


@transaction.atomic
def do_withdraw_release(release: Release | int, *, actor: Actor, note: str) -> Release:
    """Take a scheduled release back before it goes live: it returns to approved, without a
    release time, and nobody is told anything about it (its calendar entry is cancelled)."""
    require(actor, "publish_release")
    if not (note or "").strip():
        raise ValidationError({"note": "say why the release is withdrawn"})
    current = _scheduled(release, "withdraw")
    previous = current.live_at
    withdrawn = _transition(
        current,
        (ReleaseStatus.PUBLISHED,),
        ReleaseStatus.APPROVED,
        actor=actor,
        step="withdraw",
        changes={"release_at": None, "published_at": None, "published_by": "", "note": note},
    )
    release_timed.send(Release, release=withdrawn, release_at=None, previous=previous, backfill=False)
    return withdrawn


@transaction.atomic
def do_settle_releases(*, at: datetime | None = None, period: date | str | None = None, actor: Actor = "system") -> int:
    """Mark superseded every published release whose month has a newer live vintage.

    Bookkeeping only (the status shown in lists); which vintage is live is always computed
    from release times. Returns how many releases changed.
    """
    require(actor, "publish_release")
    at = at or timezone.now()
    changed = 0
    published = Release.objects.select_for_update().filter(status=ReleaseStatus.PUBLISHED, release_at__lte=at)
    if period is not None:
        published = published.filter(period=as_period(period))
    for old in published.order_by("period", "vintage"):
        newer = (
            Release.objects.filter(
                period=old.period,
                vintage__gt=old.vintage,
                status__in=LIVE_STATUSES,
                release_at__lte=at,
            )
            .order_by("release_at")
            .first()
        )
        if newer is None:
            continue
        before = _release_snapshot(old)
        old.status = ReleaseStatus.SUPERSEDED
        old.superseded_at = newer.release_at
        old.save(update_fields=["status", "superseded_at"])
        record_change(old, AuditAction.UPDATE, before=before, after=_release_snapshot(old), actor=actor)
        changed += 1
    return changed


def next_vintage(period: date | str) -> int:
    """The vintage number the month's next release will get."""
    last = Release.objects.filter(period=as_period(period)).aggregate(v=Max("vintage"))["v"]
    return (last or 0) + 1


@transaction.atomic
def do_set_commentary(
    period: date | str,
    product: str,
    slot: str,
    text: str,
    *,
    language: str = Language.EN,
    mode: str = CommentaryMode.REPLACE,
    actor: Actor,
    origin: str = "",
    expected_version: str | None = None,
) -> tuple[Commentary, str]:
    """Write an analyst's paragraph for a slot of a product's section (product "" for the
    whole report); the same slot and mode again replaces the text. ``expected_version``: the
    version the editor started from ("" for a new paragraph); when someone saved the slot
    since, Conflict (``core.concurrency``), nothing written."""
    require(actor, "write_commentary")
    period = as_period(period)
    if product:
        validate_product_code(product)
    if mode not in CommentaryMode.values:
        raise ValidationError({"mode": f"{mode!r} is not one of {', '.join(CommentaryMode.values)}"})
    if language not in Language.values:
        raise ValidationError({"language": f"{language!r} is not one of {', '.join(Language.values)}"})
    if not (text or "").strip():
        raise ValidationError({"text": "a commentary needs text (delete it to drop it)"})
    who = actor_name(actor)
    commentary = (
        Commentary.objects.select_for_update()
        .filter(period=period, product=product, language=language, slot=slot, mode=mode)
        .first()
    )
    check_version(
        f"the {slot} commentary of {product or 'the report'} ({language}, {period:%Y-%m})",
        version_of(commentary),
        expected_version,
        model_label=model_label(Commentary),
        object_id=str(commentary.pk) if commentary is not None else "",
    )
    if commentary is not None and commentary.text == text.strip():
        return commentary, UNCHANGED
    created = commentary is None
    before = None if commentary is None else snapshot(commentary)
    if commentary is None:
        commentary = Commentary(period=period, product=product, language=language, slot=slot, mode=mode)
    commentary.text = text.strip()
    commentary.author = who
    save_audited(commentary, before, actor=who, origin=origin)
    return commentary, CREATED if created else UPDATED


@transaction.atomic
def do_delete_commentary(commentary: Commentary | int, *, actor: Actor, origin: str = "") -> None:
    require(actor, "write_commentary")
    obj = commentary if isinstance(commentary, Commentary) else Commentary.objects.get(pk=commentary)
    record_change(obj, AuditAction.DELETE, before=snapshot(obj), after=None, actor=actor, origin=origin)
    obj.delete()
