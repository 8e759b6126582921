"""Settings: declared once, documented in the README, safe by default."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import metalstat
from metalstat.core.environment import SETTINGS

README = Path(metalstat.__file__).parents[2] / "README.md"
SRC = Path(metalstat.__file__).parent


def _readme_rows() -> dict[str, tuple[str, str]]:
    rows = {}
    for line in README.read_text("utf-8").splitlines():
        m = re.match(r"^\| `([A-Z_]+)` \| (.*?) \| (.*) \|$", line)
        if m:
            rows[m[1]] = (m[2], m[3])
    return rows


def test_every_setting_is_in_the_readme_table_with_its_default_and_help() -> None:
    rows = _readme_rows()
    assert set(rows) == {s.name for s in SETTINGS}
    for s in SETTINGS:
        shown, meaning = rows[s.name]
        assert shown == (s.shown_default or (f"`{s.default}`" if s.default else "unset")), s.name
        assert meaning == s.help, s.name


def test_no_module_reads_the_environment_around_the_declaration() -> None:
    """Every variable goes through core.environment.value, so the table is the whole list."""
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.name == "environment.py" and path.parent.name == "core":
            continue
        text = path.read_text("utf-8")
        for m in re.finditer(r"os\.environ(?:\.get)?\(?\[?\s*[\"']([A-Z_]+)", text):
            if m[1] != "DJANGO_SETTINGS_MODULE":
                offenders.append(f"{path.relative_to(SRC)}: {m[1]}")
    assert offenders == []


def _settings_in_a_fresh_process(tmp_path: Path, **env: str) -> str:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='metalstat.project.settings';"
        "from django.conf import settings; print(settings.DEBUG, settings.SECRET_KEY)"
    )
    base = {"PATH": "/usr/bin:/bin", "METALSTAT_DATA_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], env=base | env, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_debug_is_off_and_a_secret_key_is_made_once_unless_given(tmp_path: Path) -> None:
    first = _settings_in_a_fresh_process(tmp_path)
    debug, key = first.split(" ", 1)
    assert debug == "False"
    assert len(key) >= 50
    key_file = tmp_path / "secret_key"
    assert key_file.read_text("utf-8").strip() == key
    assert key_file.stat().st_mode & 0o077 == 0  # readable by its owner only
    assert _settings_in_a_fresh_process(tmp_path) == first  # the same key next time
    assert _settings_in_a_fresh_process(tmp_path, METALSTAT_DEBUG="1", SECRET_KEY="k") == "True k"
