"""The demo's subscriber has alerts, and the command line has the worker and the deliveries."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner

from metalstat.cli import cli
from metalstat.delivery.models import AlertPreference


def test_the_demo_subscriber_gets_english_email_on_three_products(db: Any) -> None:
    from metalstat.demo.dissemination import DEMO_EMAIL, demo_subscriber

    user, secret, password = demo_subscriber()
    pref = AlertPreference.objects.select_related("subscriber__user").get(subscriber__user__username=user)
    assert pref.email and pref.language == "en"
    assert pref.products == ["aluminium", "copper_cathode", "nickel_sulphate"]
    assert pref.subscriber.user.email == DEMO_EMAIL
    assert secret.startswith("mstat_")
    assert pref.subscriber.user.check_password(password)


def test_the_command_line_has_the_worker_and_the_delivery_commands() -> None:
    runner = CliRunner()
    assert "task queue" in runner.invoke(cli, ["worker", "--help"]).output
    release = runner.invoke(cli, ["release", "--help"]).output
    for step in ("deliveries", "reschedule", "withdraw", "publish"):
        assert step in release
