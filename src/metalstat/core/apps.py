from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_role_groups(sender: AppConfig, **kwargs: Any) -> None:  # noqa: ARG001  (a signal receiver)
    from metalstat.core.roles import ensure_role_groups

    ensure_role_groups(using=kwargs.get("using", "default"))


class CoreConfig(AppConfig):
    name = "metalstat.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The groups are made by a migration (core 0003); after a database is flushed (as
        # the test runner does) they are made again here, with the roles as they are now.
        post_migrate.connect(_ensure_role_groups, sender=self, dispatch_uid="metalstat-role-groups")
