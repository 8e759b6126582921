"""Django start-up for the command line: the one place a command turns Django on."""

from __future__ import annotations

import os


def setup_django(migrate: bool = True) -> None:
    """Start Django for commands that use the database; create/upgrade the schema if asked."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metalstat.project.settings")
    import django
    from django.conf import settings

    django.setup()
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    if migrate:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
