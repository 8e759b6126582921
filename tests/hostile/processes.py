"""A throwaway metalstat database driven by real ``metalstat`` processes.

The fault and concurrency tests need what an in-process test cannot give: two processes
writing at once, and a process killed with SIGKILL. Each test gets its own database: a
SQLite file in a temporary data folder, or, when the suite runs on PostgreSQL
(``DATABASE_URL`` set), a fresh database on the same server, dropped afterwards.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url
import psycopg

METALSTAT = [sys.executable, "-c", "from metalstat.cli import main; main()"]
PRODUCT = "copper_cathode"
PERIOD = "2025-06"
PLACE = ("Jiangxi", "east China", "private", "copper concentrate", "China")


@dataclass
class Site:
    """One database and the environment that points ``metalstat`` at it."""

    data_dir: Path
    database_url: str  # "" on SQLite

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env |= {"METALSTAT_DATA_DIR": str(self.data_dir), "METALSTAT_ACTOR": "tester", "METALSTAT_DEBUG": "0"}
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [*METALSTAT, *args],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(self, *args: str, check: bool = True, **env: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([*METALSTAT, *args], env=self.env | env, capture_output=True, text=True, timeout=300)
        if check and done.returncode != 0:
            raise AssertionError(f"metalstat {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
        return done

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Rows of a read-only query, straight from the database (not through Django)."""
        if self.database_url:
            with psycopg.connect(self.database_url) as conn:
                return [tuple(r) for r in conn.execute(sql).fetchall()]
        conn = sqlite3.connect(self.data_dir / "metalstat.sqlite3")
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()


def _admin_url(url: str) -> str:
    parts = dj_database_url.parse(url)
    return f"postgresql://{parts['USER']}@{parts['HOST']}:{parts['PORT']}/postgres"


def make_site(tmp_path: Path) -> tuple[Site, Any]:
    """A site with its database created and migrated; returns it and a cleanup callable."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        site = Site(data_dir, "")
        site.run("init")
        return site, lambda: shutil.rmtree(data_dir, ignore_errors=True)
    name = f"metalstat_faults_{uuid.uuid4().hex[:10]}"
    admin = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = dj_database_url.parse(url)
    site = Site(data_dir, f"postgres://{parts['USER']}@{parts['HOST']}:{parts['PORT']}/{name}")
    site.run("init")

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return site, drop


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    lines = [",".join(header), *(",".join(str(v) for v in row) for row in rows)]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def codes(n: int) -> list[str]:
    return [f"CU{i:04d}" for i in range(1, n + 1)]


def load_register(site: Site, folder: Path, n: int) -> None:
    """``n`` copper cathode producers in the panel from 2024, each of 36,500 t a year."""
    producers = write_csv(
        folder / "producers.csv",
        ["code", "name", "name_zh", "product", "province", "region", "nature", "feedstock", "country"],
        [[c, f"Copper Works {c}", f"铜业{c}", PRODUCT, *PLACE] for c in codes(n)],
    )
    capacity = write_csv(
        folder / "capacity.csv", ["producer", "valid_from", "capacity"], [[c, "2020-01-01", 36500] for c in codes(n)]
    )
    panel = write_csv(folder / "panel.csv", ["producer", "first_period"], [[c, "2024-01"] for c in codes(n)])
    for kind, path in (("producers", producers), ("capacity", capacity), ("panel", panel)):
        site.run("import", kind, str(path))


def returns_file(path: Path, n: int, output: int) -> Path:
    """A June 2025 return of ``output`` t for each of the ``n`` producers."""
    return write_csv(
        path,
        ["producer", "period", "output", "schedule", "status"],
        [[c, PERIOD, output, output, "normal"] for c in codes(n)],
    )


def outputs_in_force(site: Site) -> list[float]:
    """The output of the latest revision of every June 2025 return, by producer."""
    return [
        float(r[0]) if r[0] is not None else float("nan")
        for r in site.query(
            "SELECT r.output FROM survey_surveyreturn r "
            "WHERE r.period = '2025-06-01' AND r.revision = ("
            "  SELECT MAX(r2.revision) FROM survey_surveyreturn r2"
            "  WHERE r2.producer_id = r.producer_id AND r2.period = r.period)"
            " ORDER BY r.producer_id"
        )
    ]


def kill_delays(low: float, high: float, n: int = 3) -> tuple[int, list[float]]:
    """Seconds after start at which to kill a process: drawn afresh locally, fixed in CI (so a
    landing never depends on the draw); the seed goes into every assertion message."""
    seed = 0 if os.environ.get("CI") else random.SystemRandom().randrange(1_000_000)
    rng = random.Random(seed)  # noqa: S311 - a timing, not a secret
    return seed, sorted(rng.uniform(low, high) for _ in range(n))
