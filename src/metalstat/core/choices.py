"""Choice lists of the shared plumbing, and the one way to build a choice list from a vocabulary."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models


class AuditAction(models.TextChoices):
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    DELETE = "delete", "Delete"


def text_choices(module: str, name: str, members: Iterable[tuple[str, tuple[str, str]]]) -> type[models.TextChoices]:
    """A ``TextChoices`` class named ``name`` with ``(MEMBER, (value, label))`` members.

    This is the functional Enum API, so a choice list can follow the shared vocabulary instead of
    repeating it. ``module`` is the caller's ``__name__``: the class is placed there, as if it had
    been written in that module. Members are reached as ``Choices["MEMBER"]`` (typed), since a
    class built at run time has no attributes a type checker can see.
    """
    # django-stubs only types TextChoices(value[, label]) (looking up a member), not the functional
    # Enum API that builds a class from a name and a list of members.
    choices: type[models.TextChoices] = models.TextChoices(  # type: ignore[call-overload]
        name, list(members), module=module, qualname=name
    )
    return choices
