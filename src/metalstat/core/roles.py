"""Who may do what: the three roles of the office as Django groups with permissions.

* **analysts**: the register, returns, findings, commentary, running the month and
  submitting its vintage; they see drafts and embargoed figures.
* **editors**: reviewing (approving, rejecting), scheduling and publishing releases; they see
  drafts and embargoed figures too.
* **administrators**: users, organisations and subscriptions.

The groups and their permissions are created by a data migration (``core`` 0003). Every
``do_*`` action calls :func:`require` with its actor: a signed-in user needs the permission;
a tool acting under its own name (the command line, an import, the demo) is privileged, as
whoever runs it has the database itself. Superusers hold every permission.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

ANALYSTS, EDITORS, ADMINISTRATORS = "analysts", "editors", "administrators"

# codename -> what it lets one do (the permission's name).
PERMISSIONS: dict[str, str] = {
    "edit_register": "edit the producer register",
    "record_returns": "record and correct survey returns",
    "confirm_findings": "confirm validation findings",
    "write_commentary": "write the analysts' commentary",
    "run_month": "run the month and submit its vintage",
    "view_unreleased": "see drafts and embargoed figures",
    "review_release": "approve or reject a release",
    "publish_release": "schedule and publish a release",
    "manage_users": "manage users",
    "manage_organisations": "manage subscriber organisations",
    "manage_subscriptions": "manage subscriptions and API keys",
}

ROLES: dict[str, tuple[str, ...]] = {
    ANALYSTS: (
        "edit_register",
        "record_returns",
        "confirm_findings",
        "write_commentary",
        "run_month",
        "view_unreleased",
    ),
    EDITORS: ("review_release", "publish_release", "view_unreleased"),
    ADMINISTRATORS: ("manage_users", "manage_organisations", "manage_subscriptions"),
}

APP_LABEL = "core"


def role_of(permission: str) -> str:
    """The role that holds a permission (the first, for one several roles hold)."""
    return next(role for role, perms in ROLES.items() if permission in perms)


def allowed(user: Any, permission: str) -> bool:
    """Whether a signed-in user holds the permission (directly, by a group, or as superuser)."""
    if permission not in PERMISSIONS:
        raise KeyError(f"no permission {permission!r}")
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return bool(user.has_perm(f"{APP_LABEL}.{permission}"))


def require(actor: Any, permission: str) -> None:
    """Refuse (PermissionDenied) an actor who may not do this. A tool's name (a string) is
    privileged; a user must hold the permission."""
    if permission not in PERMISSIONS:
        raise KeyError(f"no permission {permission!r}")
    if isinstance(actor, str):
        return
    if not allowed(actor, permission):
        name = actor.get_username() if getattr(actor, "is_authenticated", False) else "an anonymous user"
        raise PermissionDenied(f"{name} may not {PERMISSIONS[permission]}: that needs the {role_of(permission)} role")


def ensure_role_groups(using: str = "default") -> None:
    """Make the three groups with their permissions if they are missing (after a flush),
    and give each the permissions ``ROLES`` names."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    create_permissions(apps.get_app_config(APP_LABEL), verbosity=0, using=using)
    for name, codenames in ROLES.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.using(using).filter(content_type__app_label=APP_LABEL, codename__in=codenames)
        )


def do_add_team_member(username: str, role: str, *, actor: Any, email: str = "") -> Any:
    """Make (or find) the user ``username`` and put them in ``role`` (analysts, editors or
    administrators); audited. Needs the administrators' ``manage_users``."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from metalstat.core.changelog import record_change
    from metalstat.core.choices import AuditAction

    require(actor, "manage_users")
    if role not in ROLES:
        raise ValidationError({"role": f"no role {role!r}: one of {', '.join(ROLES)}"})
    with transaction.atomic():
        user, created = get_user_model().objects.get_or_create(username=username, defaults={"email": email})
        if created:
            user.set_unusable_password()
            user.save()
        if not user.groups.filter(name=role).exists():
            user.groups.add(Group.objects.get(name=role))
            record_change(
                user,
                AuditAction.CREATE if created else AuditAction.UPDATE,
                before=None,
                after={"username": username, "role": role},
                actor=actor,
            )
    return user
