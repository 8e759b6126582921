"""``metalstat rules`` lists the validation rules from the engine's one list."""

from __future__ import annotations

import json

from click.testing import CliRunner

from metalstat.cli import cli
from metalstat.engine.validate import RULES


def test_rules_json_lists_every_rule() -> None:
    result = CliRunner().invoke(cli, ["rules", "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert [r["id"] for r in listed] == [r.id for r in RULES]
    assert {r["severity"] for r in listed} == {"error", "warning"}


def test_rules_table_names_the_unit_mixup_warning() -> None:
    result = CliRunner(env={"COLUMNS": "200"}).invoke(cli, ["rules"])
    assert result.exit_code == 0
    assert "unit_mixup" in result.output and "above_capacity" in result.output
