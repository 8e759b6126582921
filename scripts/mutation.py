"""Mutation testing of ``metalstat.engine`` with cosmic-ray, file by file, resumable.

    python scripts/mutation.py [run] [--files validate impute ...]   # run what is pending
    python scripts/mutation.py report                                # summarise the sessions

Each run copies ``src/``, ``tests/`` and ``pyproject.toml`` into ``.mutation/tree`` and mutates
only that copy (cosmic-ray rewrites the module on disk for each mutant; the work tree is never
touched, even if the run is killed). One cosmic-ray session per engine file lives in
``.mutation/sessions/<file>.sqlite``:

- a session is created (``cosmic-ray init``) when missing or when its engine file changed;
- when the tests changed since a session last ran, its survivors are put back to pending, so
  new tests are tried on exactly the mutants they are meant to kill;
- ``cosmic-ray exec`` runs only pending mutants, so an interrupted run resumes where it stopped.

Mutants run one at a time (the machine is shared). Each runs the engine's tests with ``-x``,
the tests most likely to kill a mutant of that file first and the property tests last.
The report (``.mutation/report.md``) gives killed / survived / timed out per file and lists
every survivor with its diff.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".mutation"
TREE = WORK / "tree"
SESSIONS = WORK / "sessions"
BIN = Path(sys.executable).parent
ENGINE = "src/metalstat/engine"

# Engine files in the order they are run (the statistics first), and for each the engine test
# files that can fail when it is wrong, those most likely to kill a mutant first (with -x the
# run stops at the first failure). validate.py only changes findings, so only the tests that
# read findings run for it; everything that feeds the figures runs the property tests last.
CYCLE = ["test_cycle_method.py", "test_breakdowns.py", "test_engine_boundaries.py"]
FILES: dict[str, list[str]] = {
    "validate": ["test_validate.py", "test_validate_boundaries.py", "test_rules_command.py"],
    "impute": ["test_engine_boundaries.py", *CYCLE],
    "cells": ["test_engine_boundaries.py", *CYCLE],
    "estimate": ["test_engine_boundaries.py", *CYCLE],
    "indicators": ["test_engine_boundaries.py", *CYCLE],
    "forecast": ["test_forecast.py", "test_forecast_benchmarks.py", *CYCLE],
    "calendar": [*CYCLE, "test_forecast.py"],
    "inputs": [*CYCLE, "test_validate.py"],
    "auxiliary": ["test_auxiliary.py"],
    "figures": CYCLE,
    "cycle": ["test_disclosure.py", *CYCLE, "test_forecast_benchmarks.py"],
}
# Run last for every file that feeds the figures (not for validate.py and auxiliary.py).
LAST = ["test_properties.py"]
# Excluded before the run (recorded as skipped): replacing an operator by one the engine never
# uses (**, %, //, <<, >>, ^) or a comparison by an identity test (is / is not). On polars
# expressions these raise at once, so they only add run time; + - * / & | and every
# comparison are still swapped for each other.
EXCLUDE_OPERATORS = [
    r"core/ReplaceBinaryOperator_.*_(Pow|Mod|FloorDiv|LShift|RShift|BitXor)$",
    r"core/ReplaceComparisonOperator_.*_(Is|IsNot)$",
]
TIMEOUT = 300.0  # seconds for one mutant's test run (the unmutated run takes about a minute)
PROPERTY_EXAMPLES = "4"
NOT_SAMPLED = "not sampled"  # examples per property test in a mutant's run (CI uses 12)


def _sha(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(str(p.relative_to(ROOT)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def _tests_sha() -> str:
    return _sha([*ROOT.glob("tests/**/*.py"), ROOT / "pyproject.toml"])


IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")


def _sync() -> None:
    if TREE.exists():
        shutil.rmtree(TREE)
    TREE.mkdir(parents=True)
    shutil.copytree(ROOT / "src", TREE / "src", ignore=IGNORE)
    _sync_tests()


def _sync_tests() -> None:
    """Between two files' runs (no mutant applied): the tests as they are now."""
    if (TREE / "tests").exists():
        shutil.rmtree(TREE / "tests")
    shutil.copytree(ROOT / "tests", TREE / "tests", ignore=IGNORE)
    shutil.copy(ROOT / "pyproject.toml", TREE / "pyproject.toml")


def _test_order(name: str) -> list[str]:
    present = {p.name for p in (ROOT / "tests/engine").glob("test_*.py")}
    last = [] if name in ("validate", "auxiliary") else LAST
    order = dict.fromkeys(f for f in [*FILES[name], *last] if f in present)
    return [f"tests/engine/{f}" for f in order]


def _config(name: str) -> Path:
    tests = " ".join(_test_order(name))
    cfg = SESSIONS / f"{name}.toml"
    cfg.write_text(
        "[cosmic-ray]\n"
        f'module-path = "{ENGINE}/{name}.py"\n'
        f"timeout = {TIMEOUT}\n"
        "excluded-modules = []\n"
        f'test-command = "{BIN}/python -m pytest -x -q -p no:cacheprovider -p no:django -p no:xdist {tests}"\n'
        "\n[cosmic-ray.distributor]\n"
        'name = "local"\n'
        "\n[cosmic-ray.filters.operators-filter]\n"
        f"exclude-operators = {json.dumps(EXCLUDE_OPERATORS)}\n"
    )
    return cfg


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = f"{TREE / 'src'}{os.pathsep}{TREE}"
    env["METALSTAT_PROPERTY_EXAMPLES"] = PROPERTY_EXAMPLES
    env.pop("DATABASE_URL", None)  # the engine's tests need no database
    return env


def _u(row: tuple[object, ...]) -> float:
    """A mutant's fixed place in [0, 1), from what it is (not from its random job id)."""
    digest = hashlib.sha256(repr(row).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _sample(session: Path, fraction: float) -> tuple[int, int]:
    """Keep the mutants whose place is below ``fraction`` (the same ones on every run, and a
    larger fraction keeps a superset); the others are marked skipped as "not sampled"."""
    with sqlite3.connect(session) as db:
        rows = db.execute(
            "SELECT m.job_id, m.module_path, m.operator_name, m.occurrence, m.start_pos_row, "
            "m.start_pos_col, r.worker_outcome, r.output FROM mutation_specs m "
            "LEFT JOIN work_results r ON r.job_id = m.job_id"
        ).fetchall()
        out = back = 0
        for job_id, *what, worker, output in rows:
            keep = _u(tuple(what)) < fraction
            if not keep and worker is None:
                db.execute(
                    "INSERT INTO work_results (job_id, worker_outcome, output) VALUES (?, ?, ?)",
                    (job_id, "SKIPPED", NOT_SAMPLED),
                )
                out += 1
            elif keep and output == NOT_SAMPLED:
                db.execute("DELETE FROM work_results WHERE job_id = ?", (job_id,))
                back += 1
    return out, back


def _reset_survivors(session: Path) -> int:
    with sqlite3.connect(session) as db:
        n = db.execute("DELETE FROM work_results WHERE test_outcome IN ('SURVIVED', 'survived')").rowcount
    return n


def run(names: list[str], fraction: float) -> None:
    SESSIONS.mkdir(parents=True, exist_ok=True)
    _sync()
    env = _env()
    check = subprocess.run(
        [str(BIN / "python"), "-c", "import metalstat; print(metalstat.__file__)"],
        cwd=TREE, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert check.stdout.strip().startswith(str(TREE)), f"tests would import {check.stdout}"
    for name in names:
        _sync_tests()
        tests_sha = _tests_sha()
        session, meta_path = SESSIONS / f"{name}.sqlite", SESSIONS / f"{name}.json"
        src_sha = _sha([ROOT / ENGINE / f"{name}.py"])
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
        cfg = _config(name)
        cr = str(BIN / "cosmic-ray")
        if not session.exists() or meta.get("src") != src_sha:
            session.unlink(missing_ok=True)
            subprocess.run([cr, "init", str(cfg), str(session)], cwd=TREE, env=env, check=True)
            subprocess.run(
                [str(BIN / "cr-filter-operators"), str(session), str(cfg)],
                cwd=TREE, env=env, check=True,
            )  # fmt: skip
            print(f"{name}: new session", flush=True)
        # Sample first (it sets aside only mutants never run), then put survivors back.
        out, back = _sample(session, fraction)
        if out or back:
            print(f"{name}: sample {fraction:.0%}: {out} set aside, {back} brought back")
        if meta.get("tests") not in (None, tests_sha):
            print(f"{name}: tests changed, {_reset_survivors(session)} survivor(s) to retry")
        meta_path.write_text(json.dumps({"src": src_sha, "tests": tests_sha}))
        print(f"{name}: running pending mutants", flush=True)
        subprocess.run([cr, "exec", str(cfg), str(session)], cwd=TREE, env=env, check=True)
        report()


def _rows(session: Path) -> list[tuple[str, ...]]:
    with sqlite3.connect(session) as db:
        return db.execute(
            "SELECT m.operator_name, m.start_pos_row, m.start_pos_col, r.worker_outcome, "
            "r.test_outcome, r.output, r.diff FROM mutation_specs m "
            "LEFT JOIN work_results r ON r.job_id = m.job_id "
            "ORDER BY m.start_pos_row, m.start_pos_col, m.operator_name"
        ).fetchall()


def report() -> None:
    lines = [
        "| file | mutants | excluded operators | not sampled | run | killed | of which timed out "
        "| survived | incompetent | pending | score |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    survivors: list[str] = []
    totals = [0] * 9
    for name in FILES:
        session = SESSIONS / f"{name}.sqlite"
        if not session.exists():
            continue
        rows = _rows(session)
        worker = [str(r[3] or "").lower() for r in rows]
        outcome = [str(r[4] or "").lower() for r in rows]
        not_sampled = sum(w == "skipped" and r[5] == NOT_SAMPLED for w, r in zip(worker, rows, strict=True))
        skipped = sum(w == "skipped" for w in worker) - not_sampled
        pending = sum(w == "" for w in worker)
        killed = sum(o == "killed" for o in outcome)
        timeout = sum(o == "killed" and (r[5] or "") == "timeout" for o, r in zip(outcome, rows, strict=True))
        survived = sum(o == "survived" for o in outcome)
        incompetent = sum(o == "incompetent" or w in ("exception", "abnormal")
                          for o, w in zip(outcome, worker, strict=True))  # fmt: skip
        ran = killed + survived
        score = f"{100.0 * killed / ran:.1f} %" if ran else "-"
        counts = [
            len(rows),
            skipped,
            not_sampled,
            ran + incompetent,
            killed,
            timeout,
            survived,
            incompetent,
            pending,
        ]
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        lines.append(f"| {name}.py | " + " | ".join(map(str, counts)) + f" | {score} |")
        for r, o in zip(rows, outcome, strict=True):
            if o == "survived":
                survivors.append(f"### {name}.py:{r[1]}:{r[2]} {r[0]}\n\n```diff\n{r[6]}\n```\n")
    ran = totals[4] + totals[6]
    score = f"{100.0 * totals[4] / ran:.1f} %" if ran else "-"
    lines.append("| **all run** | " + " | ".join(map(str, totals)) + f" | {score} |")
    text = (
        "# Mutation testing of metalstat.engine\n\n"
        "Score = killed / (killed + survived); timeouts count as killed; skipped mutants were "
        "excluded by operator before the run; not sampled: outside the run's fixed sample "
        "(`--sample`).\n\n" + "\n".join(lines) + "\n\n## Survivors\n\n"
        + ("\n".join(survivors) if survivors else "None.\n")
    )  # fmt: skip
    WORK.mkdir(exist_ok=True)
    (WORK / "report.md").write_text(text)
    print("\n".join(lines))
    print(f"{len(survivors)} survivor(s); details in {WORK / 'report.md'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("command", nargs="?", default="run", choices=["run", "report"])
    ap.add_argument("--files", nargs="*", default=list(FILES), choices=list(FILES))
    ap.add_argument(
        "--sample", type=float, default=1.0,
        help="fraction of each file's mutants to run (fixed per mutant; 1.0: all)",
    )  # fmt: skip
    args = ap.parse_args()
    if args.command == "report":
        report()
    else:
        run(args.files, args.sample)


if __name__ == "__main__":
    main()
