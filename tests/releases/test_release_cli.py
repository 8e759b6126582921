"""``metalstat release``: the editor takes a draft vintage through review to an embargoed
publication from the command line."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from django.utils import timezone

from metalstat.cli import cli
from metalstat.releases.cycle import run_month
from metalstat.releases.models import Release
from metalstat.releases.queries import latest_published
from tests.releases.test_run_month import _panel

pytestmark = pytest.mark.django_db


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner(env={"COLUMNS": "200"}).invoke(cli, ["release", *args])


def test_review_approval_and_embargoed_publication() -> None:
    _panel()
    run_month("2025-05", actor="analyst", products=["copper_cathode"])
    # A draft cannot be approved: the refusal is one line, nothing changes.
    refused = invoke("approve", "2025-05", "--actor", "editor")
    assert refused.exit_code != 0 and "needs in_review" in refused.output
    assert invoke("submit", "2025-05", "--actor", "analyst").exit_code == 0
    assert invoke("approve", "2025-05", "--actor", "editor").exit_code == 0
    later = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    published = invoke("publish", "2025-05", "--actor", "editor", "--at", later)
    assert published.exit_code == 0, published.output
    assert "scheduled (embargoed until then)" in published.output
    release = Release.objects.get(period__year=2025, period__month=5)
    assert release.status == "published" and release.approved_by == "editor"
    # Before the release time the public sees no May figures; after it, it does.
    assert latest_published("2025-05") is None
    assert latest_published("2025-05", at=release.release_at + timedelta(minutes=1)) == release
    listed = invoke("list")
    assert "2025-05 v1" in listed.output and "published" in listed.output


def test_bad_input_gets_a_one_line_reason() -> None:
    assert "no release of 2025-04" in invoke("submit", "2025-04", "--actor", "a").output
    assert "YYYY-MM" in invoke("submit", "2025-4x", "--actor", "a").output
    _panel()
    run_month("2025-05", actor="analyst", products=["copper_cathode"])
    invoke("submit", "2025-05", "--actor", "analyst")
    invoke("approve", "2025-05", "--actor", "editor")
    bad = invoke("publish", "2025-05", "--actor", "editor", "--at", "tomorrow")
    assert bad.exit_code != 0 and "'YYYY-MM-DD HH:MM'" in bad.output
    # an approved vintage is not rejected: its approval is withdrawn, with the reason
    reject = invoke("reject", "2025-05", "--actor", "editor", "--note", "recheck tin")
    assert reject.exit_code != 0 and "withdraw its approval instead" in reject.output
    withdrawn = invoke("withdraw-approval", "2025-05", "--actor", "editor", "--note", "recheck tin")
    assert withdrawn.exit_code == 0 and "approval withdrawn, back to draft" in withdrawn.output
    release = Release.objects.get(period__year=2025, period__month=5)
    assert (release.status, release.approved_by, release.note) == ("draft", "", "recheck tin")
