"""What goes wrong in a command ends in one line with an exit status, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from django.db import OperationalError

from metalstat import cli
from metalstat.core.locks import Busy


def _run_raising(
    exc: BaseException, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    @click.command("boom")
    def boom() -> None:
        raise exc

    monkeypatch.setitem(cli.COMMANDS, "boom", "tests.project.test_command_errors:BOOM")
    monkeypatch.setattr(sys.modules[__name__], "BOOM", boom, raising=False)
    monkeypatch.setattr(sys, "argv", ["metalstat", "boom"])
    monkeypatch.setenv("METALSTAT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("METALSTAT_DEBUG", raising=False)
    with pytest.raises(SystemExit) as ended:
        cli.main()
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return int(ended.value.code or 0), err


def test_an_unforeseen_error_names_the_log_that_keeps_its_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _run_raising(ZeroDivisionError("division by zero"), monkeypatch, tmp_path, capsys)
    log = tmp_path / "logs" / "errors.log"
    assert code == 1
    assert err.splitlines()[0] == "Error: unexpected ZeroDivisionError: division by zero"
    assert str(log) in err
    kept = log.read_text("utf-8")
    assert "metalstat boom" in kept and "Traceback (most recent call last)" in kept and "ZeroDivisionError" in kept


def test_another_writer_holding_the_lock_is_a_refusal(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _run_raising(Busy("import of a.csv refused: another import"), monkeypatch, tmp_path, capsys)
    assert (code, err.strip()) == (1, "Error: import of a.csv refused: another import")
    assert not (tmp_path / "logs").exists()


@pytest.mark.parametrize(
    ("raised", "says"),
    [
        (OperationalError("database is locked"), "another process held the database for too long"),
        (OperationalError("no such table: survey_surveyreturn"), "run `metalstat init` first"),
        (OperationalError('relation "survey_surveyreturn" does not exist'), "run `metalstat init` first"),
        (OperationalError("connection failed: Connection refused"), "cannot reach the database"),
    ],
)
def test_database_troubles_a_user_can_fix_are_one_line(
    raised: BaseException,
    says: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, err = _run_raising(raised, monkeypatch, tmp_path, capsys)
    assert code == 1 and says in err and len(err.strip().splitlines()) == 1


def test_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    @click.command("boom")
    def boom() -> None:
        raise ZeroDivisionError("x")

    monkeypatch.setitem(cli.COMMANDS, "boom", "tests.project.test_command_errors:BOOM")
    monkeypatch.setattr(sys.modules[__name__], "BOOM", boom, raising=False)
    monkeypatch.setattr(sys, "argv", ["metalstat", "boom"])
    monkeypatch.setenv("METALSTAT_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        cli.main()


def _deploy_check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": "/usr/bin:/bin", "METALSTAT_DATA_DIR": str(tmp_path), "ALLOWED_HOSTS": "metals.example.com"}
    return subprocess.run(
        [sys.executable, "-m", "metalstat.project.manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=base | env,
        capture_output=True,
        text=True,
    )


def test_the_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    done = _deploy_check(tmp_path, METALSTAT_HTTPS="1")
    assert done.returncode == 0, done.stderr


def test_without_https_the_deploy_check_says_what_is_missing(tmp_path: Path) -> None:
    done = _deploy_check(tmp_path)
    assert done.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in done.stderr
