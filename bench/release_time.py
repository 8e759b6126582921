"""Load across a release time: 50 clients poll while a vintage goes live.

    .venv/bin/python bench/release_time.py [--clients 50] [--lead 20] [--after 20]

A fresh SQLite database in a temporary folder gets June 2025 (public) and July 2025, scheduled
``--lead`` seconds ahead; ``metalstat serve`` (2 workers) answers on loopback while the
clients poll copper cathode's latest production and the release calendar without pause until
``--after`` seconds past the release time. Every answer is checked: none may carry July before
its release time, none sent a second after it may still carry June only (the answers are never
cached past release time), none may be a server error. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

VENV = Path(sys.executable).parent
SERIES = "/api/v1/series/M.COPPER_CATHODE.ACT.PRODUCTION._T.LEVEL/observations"
NEW = b"2025-07.v1"


def _setup(data_dir: Path, lead: float) -> tuple[str, datetime]:
    os.environ["METALSTAT_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)
    from metalstat.core.startup import setup_django

    setup_django(migrate=True)
    import polars as pl
    from django.contrib.auth.models import User

    from metalstat.engine.figures import FIGURES
    from metalstat.releases.actions import (
        do_approve_release,
        do_create_release,
        do_publish_release,
        do_submit_for_review,
    )
    from metalstat.subscriptions.actions import (
        do_add_subscriber,
        do_create_api_key,
        do_create_organisation,
        do_grant_subscription,
    )

    def row(period: str, value: float) -> dict[str, object]:
        return {"product": "copper_cathode", "kind": "actual", "measure": "production", "breakdown": "",
                "statistic": "level", "period": period, "value": value, "unit": "mt", "status": "P",
                "flags": "P", "conf_status": "F", "coverage": 1.0, "response_rate": 1.0,
                "imputed_share": 0.0, "n_producers": 10}  # fmt: skip

    def publish(period: str, rows: list[dict[str, object]], at: datetime) -> None:
        release = do_create_release(period, pl.DataFrame(rows, schema=FIGURES), actor="bench")
        do_submit_for_review(release, actor="bench")
        do_approve_release(release, actor="bench2")
        do_publish_release(release, actor="bench2", release_at=at, backfill=True)

    now = datetime.now(UTC)
    publish("2025-06", [row("2025-05", 1000.0), row("2025-06", 1100.0)], now - timedelta(hours=1))
    release_at = now + timedelta(seconds=lead)
    publish("2025-07", [row("2025-06", 1110.0), row("2025-07", 1200.0)], release_at)
    org = do_create_organisation("Bench desk", actor="bench")
    do_grant_subscription(org, "all", groups=["base_metals"], actor="bench")
    user = do_add_subscriber("bench-reader", org, actor="bench").user
    assert isinstance(user, User)
    return do_create_api_key(user, "bench", actor="bench")[1], release_at


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--lead", type=float, default=20.0)
    parser.add_argument("--after", type=float, default=20.0)
    parser.add_argument("--port", type=int, default=8121)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="metalstat-release-time-"))
    # the server starts before the scheduled time: give it time to boot
    key, release_at = _setup(data_dir, args.lead + 15.0)
    env = {**os.environ, "METALSTAT_DATA_DIR": str(data_dir), "METALSTAT_API_RATE": "100000000"}
    server = subprocess.Popen([str(VENV / "metalstat"), "serve", "--port", str(args.port), "--workers", "2"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)  # fmt: skip
    headers = {"Authorization": f"Bearer {key}"}
    results: list[tuple[float, float, str, int, bool]] = []
    lock = threading.Lock()
    stop_at = release_at.timestamp() + args.after

    def client(path: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
        mine = []
        while time.time() < stop_at:
            sent = time.time()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                body = response.read()
                mine.append((sent, time.time(), path, response.status, NEW in body))
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
                mine.append((sent, time.time(), path, 599, False))
        with lock:
            results.extend(mine)

    try:
        deadline = time.time() + 60
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", args.port, timeout=5)
                c.request("GET", "/api/v1/releases", headers=headers)
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                sys.exit("the server did not start")
            time.sleep(0.5)
        threads = [threading.Thread(target=client, args=(SERIES if i % 5 else "/api/v1/releases",))
                   for i in range(args.clients)]  # fmt: skip
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    t0 = release_at.timestamp()
    early = [r for r in results if r[4] and r[1] < t0]  # July seen before its time
    stale = [r for r in results if not r[4] and r[0] > t0 + 1.0 and r[3] == 200]  # June only, late
    errors = [r for r in results if r[3] >= 500]
    latencies = sorted(r[1] - r[0] for r in results)
    print(json.dumps({
        "bench": "release time", "clients": args.clients, "requests": len(results),
        "requests_per_s": round(len(results) / (args.lead + 15.0 + args.after), 1),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 1) if latencies else None,
        "new_vintage_before_release_time": len(early), "old_vintage_after_1s": len(stale),
        "server_errors": len(errors),
        "first_new_after_release_ms": round((min((r[1] for r in results if r[4]), default=t0) - t0) * 1000, 1),
    }))  # fmt: skip
    if early or stale or errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
