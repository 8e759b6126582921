"""Faults with real processes: two writers at once, and a writer killed with SIGKILL.

Whatever happens, the database is either wholly before or wholly after each write: two
imports take turns (each checked against what the other wrote), two runs of a month take
distinct vintage numbers, and a killed import or publish leaves nothing half written. Each
test builds its own database (SQLite file, or a fresh PostgreSQL database when the suite runs
on PostgreSQL), so it runs on both.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hostile.processes import (
    PERIOD,
    Site,
    kill_delays,
    load_register,
    make_site,
    outputs_in_force,
    returns_file,
)

pytestmark = pytest.mark.slow

PRODUCERS = 400  # enough rows that the two imports' checks and writes overlap


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    made, cleanup = make_site(tmp_path)
    load_register(made, tmp_path, PRODUCERS)
    yield made
    cleanup()


def _together(site: Site, *commands: tuple[str, ...]) -> list[tuple[int, str, str]]:
    procs = [site.start(*c) for c in commands]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        results.append((p.returncode, out, err))
    return results


def _no_traceback(results: list[tuple[int, str, str]]) -> None:
    for _, out, err in results:
        assert "Traceback" not in out + err, err


def test_two_imports_of_different_values_take_turns(site: Site, tmp_path: Path) -> None:
    a = returns_file(tmp_path / "a.csv", PRODUCERS, 2500)
    b = returns_file(tmp_path / "b.csv", PRODUCERS, 2600)
    results = _together(site, ("import", "returns", str(a)), ("import", "returns", str(b)))
    _no_traceback(results)
    assert [code for code, _, _ in results] == [0, 0], results
    summaries = sorted(out for _, out, _ in results)
    # One wrote first (every return new), the other revised every one of them: never a
    # stale "unchanged" computed before the other's write.
    assert any(f"{PRODUCERS} created, 0 revised, 0 unchanged" in s for s in summaries), summaries
    assert any(f"0 created, {PRODUCERS} revised, 0 unchanged" in s for s in summaries), summaries
    # The import that revised wrote last: its values are in force.
    last = 2500 if f"{PRODUCERS} revised" in results[0][1] else 2600
    assert set(outputs_in_force(site)) == {float(last)}
    assert site.query("SELECT COUNT(*) FROM survey_surveyreturn")[0][0] == 2 * PRODUCERS


def test_two_imports_of_the_same_file_write_it_once(site: Site, tmp_path: Path) -> None:
    a = returns_file(tmp_path / "a.csv", PRODUCERS, 2500)
    results = _together(site, ("import", "returns", str(a)), ("import", "returns", str(a)))
    _no_traceback(results)
    assert [code for code, _, _ in results] == [0, 0], results
    outs = sorted(out for _, out, _ in results)
    assert any(f"{PRODUCERS} created" in s for s in outs) and any(f"{PRODUCERS} unchanged" in s for s in outs), outs
    assert site.query("SELECT COUNT(*) FROM survey_surveyreturn")[0][0] == PRODUCERS


def test_two_runs_of_a_month_take_distinct_vintages(site: Site, tmp_path: Path) -> None:
    site.run("import", "returns", str(returns_file(tmp_path / "a.csv", PRODUCERS, 2500)))
    results = _together(site, ("run", PERIOD), ("run", PERIOD))
    _no_traceback(results)
    assert [code for code, _, _ in results] == [0, 0], results
    vintages = site.query("SELECT vintage FROM releases_release WHERE period = '2025-06-01' ORDER BY vintage")
    assert vintages == [(1,), (2,)]


def test_a_writer_waiting_past_the_timeout_is_refused_in_one_line(site: Site, tmp_path: Path) -> None:
    """An import that cannot get the lock in time says so, writes nothing, shows no traceback."""
    a = returns_file(tmp_path / "a.csv", PRODUCERS, 2500)
    holder = site.start("import", "returns", str(a))
    time.sleep(0.1)
    done = site.run("import", "returns", str(a), check=False, METALSTAT_LOCK_TIMEOUT="0.001")
    holder.communicate(timeout=300)
    assert holder.returncode == 0
    if done.returncode == 0:
        pytest.skip("the first import finished before the second began waiting (machine too fast to race)")
    assert done.returncode == 1
    assert "another import or run was writing" in done.stderr and "Traceback" not in done.stderr


def _kill_after(site: Site, delay: float, *command: str) -> None:
    proc = site.start(*command)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)


def test_an_import_killed_at_any_point_leaves_all_or_nothing(site: Site, tmp_path: Path) -> None:
    a = returns_file(tmp_path / "a.csv", PRODUCERS, 2500)
    b = returns_file(tmp_path / "b.csv", PRODUCERS, 2600)
    site.run("import", "returns", str(a))
    seed, delays = kill_delays(0.3, 6.0)
    for delay in delays:
        _kill_after(site, delay, "import", "returns", str(b))
        values = set(outputs_in_force(site))
        # Before (every answer 2,500) or after (every answer 2,600): never a mix.
        assert values in ({2500.0}, {2600.0}), (seed, delay, values)
        count = site.query("SELECT COUNT(*) FROM survey_surveyreturn")[0][0]
        assert count == (PRODUCERS if values == {2500.0} else 2 * PRODUCERS), (seed, delay)
        if values == {2600.0}:
            break
    # Whatever the kills did, the import can still be run to its end afterwards.
    site.run("import", "returns", str(b))
    assert set(outputs_in_force(site)) == {2600.0}


def test_a_publish_killed_at_any_point_leaves_the_release_before_or_after(site: Site, tmp_path: Path) -> None:
    site.run("import", "returns", str(returns_file(tmp_path / "a.csv", PRODUCERS, 2500)))
    site.run("run", PERIOD)
    site.run("release", "submit", PERIOD, "--actor", "analyst")
    site.run("release", "approve", PERIOD, "--actor", "editor")
    seed, delays = kill_delays(0.2, 3.0)
    for delay in delays:
        _kill_after(site, delay, "release", "publish", PERIOD, "--at", "2030-01-01 09:30", "--actor", "editor")
        rows = site.query("SELECT status, release_at FROM releases_release WHERE period = '2025-06-01'")
        assert len(rows) == 1
        status, release_at = rows[0]
        assert (status, release_at is None) in {("approved", True), ("published", False)}, (seed, delay, rows)
        if status == "published":
            break
