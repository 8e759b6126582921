"""The data API under load, beside Datasette serving the same SQLite file, in one run.

    .venv/bin/python bench/api.py [--demo-data DIR] [--seconds 10] [--connections 8]

Without ``--demo-data`` it first runs ``metalstat demo`` into a temporary data folder. Then it
starts ``metalstat serve`` (gunicorn, 2 workers x 4 threads) and ``datasette`` (read-only, on
the same database file) on loopback ports, and drives each query with ``wrk`` for the same
time and concurrency: requests/s, p50 and p99 latency. metalstat checks the key, the
entitlements and the embargo on every request; Datasette checks nothing. One JSON line per
query and server.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

VENV = Path(sys.executable).parent
SERIES = "M.COPPER_CATHODE.ACT.PRODUCTION._T.LEVEL"
ALL_PRODUCTS = "M.*.ACT.PRODUCTION._T.LEVEL"

# Datasette's nearest equivalents: the same rows by SQL over the same tables.
LATEST_SQL = """
select f.period, f.value, f.status, f.conf_status, r.period as release_period, r.vintage
from releases_figure f join releases_release r on r.id = f.release_id
where f.product {product} and f.kind = 'actual' and f.measure = 'production'
  and f.breakdown = '' and f.statistic = 'level'
  and r.status in ('published', 'superseded') and r.release_at <= datetime('now')
  and not exists (
    select 1 from releases_figure g join releases_release s on s.id = g.release_id
    where g.product = f.product and g.kind = f.kind and g.measure = f.measure
      and g.breakdown = f.breakdown and g.statistic = f.statistic and g.period = f.period
      and s.status in ('published', 'superseded') and s.release_at <= datetime('now')
      and s.release_at > r.release_at)
order by f.product, f.period
"""
VINTAGES_SQL = """
select f.period, f.value, r.period as release_period, r.vintage, r.release_at
from releases_figure f join releases_release r on r.id = f.release_id
where f.product = 'copper_cathode' and f.kind = 'actual' and f.measure = 'production'
  and f.breakdown = '' and f.statistic = 'level'
  and r.status in ('published', 'superseded') and r.release_at <= datetime('now')
order by f.period, r.release_at
"""


def _wait(url: str, headers: dict[str, str] | None = None, timeout: float = 240.0) -> None:
    end = time.time() + timeout
    while time.time() < end:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5):
                return
        except Exception:
            time.sleep(0.5)
    raise SystemExit(f"no answer from {url}")


def _wrk(url: str, key: str | None, seconds: int, connections: int) -> dict[str, float]:
    cmd = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", url]
    if key:
        cmd[1:1] = ["-H", f"Authorization: Bearer {key}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def pct(p: str) -> float:
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)", out, re.M)
        assert m is not None, out
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests_per_s": rps,
        "p50_ms": pct("50"),
        "p99_ms": pct("99"),
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
    }


def _demo(data_dir: Path) -> str:
    env = {**os.environ, "METALSTAT_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [str(VENV / "metalstat"), "demo", "--out", str(data_dir / "out")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    m = re.search(r"(mstat_[A-Za-z0-9_\-]+)", out)
    assert m is not None, out[-2000:]
    return m.group(1)


def _key(data_dir: Path) -> str:
    """A fresh key for the demo subscriber of an existing demo database."""
    code = (
        "from metalstat.core.startup import setup_django; setup_django(migrate=False);"
        "from django.contrib.auth.models import User;"
        "from metalstat.subscriptions.actions import do_create_api_key;"
        "import secrets;"
        "print(do_create_api_key(User.objects.get(username='demo-subscriber'),"
        " 'bench-' + secrets.token_hex(4), actor='bench')[1])"
    )
    env = {**os.environ, "METALSTAT_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--demo-data", type=Path)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if shutil.which("wrk") is None or not (VENV / "datasette").exists():
        sys.exit("bench/api.py needs wrk (apt-get install wrk) and datasette (pip install '.[bench]')")
    data_dir = args.demo_data or Path(tempfile.mkdtemp(prefix="metalstat-bench-"))
    key = _key(data_dir) if args.demo_data else _demo(data_dir)
    db = data_dir / "metalstat.sqlite3"
    env = {**os.environ, "METALSTAT_DATA_DIR": str(data_dir), "METALSTAT_API_RATE": "100000000"}
    env.pop("DATABASE_URL", None)
    servers = [
        subprocess.Popen(
            [str(VENV / "metalstat"), "serve", "--port", "8101", "--workers", "2", "--threads", "4"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        ),
        subprocess.Popen(
            [
                str(VENV / "datasette"),
                "serve",
                "-i",
                str(db),
                "--port",
                "8102",
                "--setting",
                "sql_time_limit_ms",
                "10000",
                "--setting",
                "num_sql_threads",
                "4",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        ),
    ]
    try:
        ours = "http://127.0.0.1:8101/api/v1"
        _wait(f"{ours}/releases", {"Authorization": f"Bearer {key}"})
        _wait("http://127.0.0.1:8102/-/versions.json")
        with sqlite3.connect(db) as con:
            figures = con.execute("select count(*) from releases_figure").fetchone()[0]

        def ds(sql: str, fmt: str = "json") -> str:
            return f"http://127.0.0.1:8102/{db.stem}.{fmt}?" + urllib.parse.urlencode({"sql": sql, "_size": "max"})

        one = LATEST_SQL.format(product="= 'copper_cathode'")
        every = LATEST_SQL.format(product="is not null")
        cases = [
            ("one series latest, JSON", f"{ours}/series/{SERIES}/observations", ds(one)),
            ("one series latest, CSV", f"{ours}/series/{SERIES}/observations.csv", ds(one, "csv")),
            ("54 series by key pattern, JSON", f"{ours}/data/{ALL_PRODUCTS}", ds(every)),
            ("one series, all vintages, JSON", f"{ours}/series/{SERIES}/observations?view=all", ds(VINTAGES_SQL)),
        ]
        for name, mine, theirs in cases:
            for server, url, auth in (("metalstat", mine, key), ("datasette", theirs, None)):
                result = _wrk(url, auth, args.seconds, args.connections)
                print(
                    json.dumps(
                        {
                            "bench": name,
                            "server": server,
                            "figures": figures,
                            "connections": args.connections,
                            "seconds": args.seconds,
                            **result,
                        }
                    ),
                    flush=True,
                )
    finally:
        for p in servers:
            os.killpg(p.pid, signal.SIGTERM)
        for p in servers:
            p.wait(timeout=30)


if __name__ == "__main__":
    main()
