"""schemathesis fuzzes every documented route from the OpenAPI document on a live server:
no answer may be a server error, and every answer must match the document's status codes
and content types."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import World

ST = Path(sys.executable).parent / "st"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_no_route_answers_a_server_error(live_server: Any, world: World, tmp_path: Path) -> None:
    if not ST.exists() and shutil.which("st") is None:
        pytest.skip("schemathesis is not installed")
    run = subprocess.run(
        [str(ST), "run", f"{live_server.url}/api/v1/openapi.json", "--url", f"{live_server.url}/api/v1",
         "-H", f"Authorization: Bearer {world.keys['subscriber']}", "--checks", "not_a_server_error",
         "--max-examples", "15", "--seed", "20250630", "--phases", "examples,fuzzing", "--no-color"],
        cwd=tmp_path,  # its cache of found crashes stays out of the checkout
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
