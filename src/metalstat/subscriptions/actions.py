"""The only ways subscriptions change: organisations, subscriptions, subscribers, API keys.

Atomic and audited like every action (``core.changelog``); an API key's secret is returned
once by :func:`do_create_api_key` and never stored, nor written to the change log.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from metalstat.catalog import load_catalog
from metalstat.core.changelog import Actor, record_change, save_audited, snapshot
from metalstat.core.choices import AuditAction
from metalstat.core.roles import require
from metalstat.releases.series import SeriesKeyError, parse_pattern
from metalstat.subscriptions.entitlements import forget_entitlements
from metalstat.subscriptions.models import ApiKey, Organisation, Subscriber, Subscription

KEY_PREFIX = "mstat_"
FORMATS = ("json", "csv", "xlsx", "sdmx-csv", "sdmx-json")


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def do_create_organisation(name: str, *, actor: Actor) -> Organisation:
    require(actor, "manage_organisations")
    name = name.strip()
    if not name:
        raise ValidationError({"name": "an organisation needs a name"})
    existing = Organisation.objects.filter(name=name).first()
    if existing is not None:
        return existing
    org = Organisation(name=name)
    save_audited(org, None, actor=actor)
    return org


def _check_grants(groups: Sequence[str], patterns: Sequence[str], formats: Sequence[str]) -> None:
    catalog = load_catalog()
    known = set(catalog.codes()) | {p.group for p in catalog}
    unknown = sorted(set(groups) - known)
    if unknown:
        raise ValidationError(
            {
                "groups": f"not a catalog group or product: {', '.join(unknown)} "
                f"(groups: {', '.join(sorted({p.group for p in catalog}))})"
            }
        )
    for p in patterns:
        try:
            parse_pattern(p)
        except SeriesKeyError as exc:
            raise ValidationError({"patterns": str(exc)}) from None
    bad = sorted(set(formats) - set(FORMATS))
    if bad:
        raise ValidationError({"formats": f"unknown format(s) {', '.join(bad)}: {FORMATS}"})


@transaction.atomic
def do_grant_subscription(
    organisation: Organisation,
    name: str,
    *,
    groups: Sequence[str] = (),
    patterns: Sequence[str] = (),
    history_months: int | None = None,
    formats: Sequence[str] = (),
    starts_on: date | None = None,
    ends_on: date | None = None,
    actor: Actor,
) -> Subscription:
    """Grant an organisation product groups (or products) and/or series key patterns."""
    require(actor, "manage_subscriptions")
    if not groups and not patterns:
        raise ValidationError({"groups": "a subscription grants groups, products or patterns"})
    _check_grants(groups, patterns, formats)
    if history_months is not None and history_months < 1:
        raise ValidationError({"history_months": "at least one month, or empty for all"})
    sub = Subscription(
        organisation=organisation,
        name=name,
        groups=sorted(set(groups)),
        patterns=[parse_pattern(p).text for p in patterns],
        history_months=history_months,
        formats=sorted(set(formats)),
        starts_on=starts_on or timezone.localdate(),
        ends_on=ends_on,
    )
    save_audited(sub, None, actor=actor)
    transaction.on_commit(forget_entitlements)  # this process reads the new grant at once
    return sub


@transaction.atomic
def do_add_subscriber(username: str, organisation: Organisation, *, email: str = "", actor: Actor) -> Subscriber:
    """Make (or find) the user and attach them to the organisation."""
    require(actor, "manage_users")
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=username, defaults={"email": email})
    if created:
        user.set_unusable_password()
        user.save()
        record_change(user, AuditAction.CREATE, before=None, after={"username": username}, actor=actor)
    sub = Subscriber.objects.filter(user=user).first()
    if sub is not None:
        if sub.organisation_id != organisation.pk:
            raise ValidationError({"organisation": f"{username} already reads for {sub.organisation}"})
        return sub
    sub = Subscriber(user=user, organisation=organisation)
    save_audited(sub, None, actor=actor)
    transaction.on_commit(forget_entitlements)
    return sub


@transaction.atomic
def do_set_password(user: Any, password: str, *, actor: Actor) -> Any:
    """Give a subscriber a password for the portal (checked by Django's validators); the
    change is audited, the password itself never written anywhere but as Django's hash."""
    if actor is not user:  # a subscriber may set their own
        require(actor, "manage_users")
    from django.contrib.auth.password_validation import validate_password

    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    record_change(user, AuditAction.UPDATE, before=None, after={"password": "set"}, actor=actor)
    return user


def _key_snapshot(key: ApiKey) -> dict[str, Any]:
    return snapshot(key, exclude=("digest",))


@transaction.atomic
def do_create_api_key(user: Any, name: str, *, expires_at: datetime | None = None, actor: Actor) -> tuple[ApiKey, str]:
    """A new key for ``user``: the stored key and its secret, which is shown only now."""
    if actor is not user:  # a subscriber may make their own keys
        require(actor, "manage_subscriptions")
    name = name.strip()
    if not name:
        raise ValidationError({"name": "name the key (e.g. the machine or notebook using it)"})
    if ApiKey.objects.filter(user=user, name=name).exists():
        raise ValidationError({"name": f"{user} already has a key named {name!r}"})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "the key would expire before it is used"})
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        user=user,
        name=name,
        prefix=secret[: len(KEY_PREFIX) + 6],
        digest=digest_of(secret),
        expires_at=expires_at,
    )
    record_change(key, AuditAction.CREATE, before=None, after=_key_snapshot(key), actor=actor)
    return key, secret


@transaction.atomic
def do_revoke_api_key(key: ApiKey, *, actor: Actor) -> ApiKey:
    if not (not isinstance(actor, str) and actor.pk == key.user_id):  # a subscriber may revoke their own
        require(actor, "manage_subscriptions")
    locked = ApiKey.objects.select_for_update().get(pk=key.pk)
    if locked.revoked_at is not None:
        return locked
    before = _key_snapshot(locked)
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    record_change(locked, AuditAction.UPDATE, before=before, after=_key_snapshot(locked), actor=actor)
    return locked
