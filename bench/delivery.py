"""Release-time delivery at scale: one release to 10,000 subscribers, each with an e-mail (the
file mailbox) and a webhook (a receiver on 127.0.0.1), sent by one worker, then by two.

    .venv/bin/python bench/delivery.py [--subscribers 10000] [--workers 1 2] [--lead 15]

For each worker count: a fresh database (SQLite in a temporary folder; the PostgreSQL server
of DATABASE_URL, in a database of its own, when set), the subscribers written in bulk, a
receiver thread answering 204 and counting message IDs, June 2025 published ``--lead`` seconds
ahead, then ``metalstat worker`` processes started. It waits until every delivery is sent and
measures, from the delivery log, the time from the release time to the last delivery (and the
median), and checks that every subscriber got one message and every endpoint one call.
Prints one JSON line per run.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[1]
VENV = Path(sys.executable).parent


class Receiver:
    def __init__(self) -> None:
        self.ids: Counter[str] = Counter()
        lock = threading.Lock()
        ids = self.ids

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with lock:
                    ids[self.headers.get("webhook-id", "")] += 1
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def _database(tmp: Path, tag: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {
        "METALSTAT_DATA_DIR": str(tmp / "data"),
        "METALSTAT_EMAIL": "file",
        "METALSTAT_EMAIL_DIR": str(tmp / "outbox"),
        "METALSTAT_WEBHOOK_ALLOW_LOOPBACK": "1",
        "PYTHONPATH": str(ROOT),
    }
    given = os.environ.get("DATABASE_URL", "")
    if given:
        import psycopg

        base, _, db = given.rpartition("/")
        name = f"{db.split('?')[0]}_bench_delivery_{tag}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"{base}/{name}"
    return env


SEED = """
import sys
from datetime import timedelta
from metalstat.core.startup import setup_django
setup_django(migrate=True)
from django.contrib.auth.models import User
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from metalstat.delivery.models import AlertPreference, Webhook
from metalstat.delivery.webhooks import new_secret
from metalstat.subscriptions.actions import do_create_organisation, do_grant_subscription
from metalstat.subscriptions.models import Subscriber
from tests.delivery.conftest import approved, publish
n, url, lead = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
org = do_create_organisation("Desk One", actor="bench")
do_grant_subscription(org, "Base metals", groups=["base_metals"], actor="bench")
unusable = make_password(None)
User.objects.bulk_create(
    [User(username=f"r{i:05d}", email=f"r{i:05d}@desk.example", password=unusable) for i in range(n)], batch_size=1000
)
users = list(User.objects.filter(username__startswith="r").order_by("username"))
Subscriber.objects.bulk_create([Subscriber(user=u, organisation=org) for u in users], batch_size=1000)
subs = list(Subscriber.objects.order_by("pk"))
AlertPreference.objects.bulk_create(
    [AlertPreference(subscriber=s, language="zh-Hans" if i % 2 else "en") for i, s in enumerate(subs)], batch_size=1000
)
Webhook.objects.bulk_create([Webhook(subscriber=s, url=url, secret=new_secret()) for s in subs], batch_size=1000)
release = publish(approved(), timezone.now() + timedelta(seconds=lead))
print(release.pk)
"""

RESULT = """
import json
from metalstat.core.startup import setup_django
setup_django(migrate=False)
from metalstat.delivery.models import Delivery, DeliveryAttempt
rows = list(Delivery.objects.values_list("channel", "status", "release_at", "sent_at"))
print(json.dumps({
    "total": len(rows),
    "sent": sum(1 for r in rows if r[1] == "sent"),
    "spread": {
        c: sorted((r[3] - r[2]).total_seconds() for r in rows if r[0] == c and r[3]) for c in ("email", "webhook")
    },
    "attempts": DeliveryAttempt.objects.count(),
    "workers": len(set(DeliveryAttempt.objects.values_list("worker", flat=True))),
}))
"""


def _python(env: dict[str, str], code: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr)
    return done.stdout.strip().splitlines()[-1]


def _waiting(env: dict[str, str]) -> int:
    sql = "SELECT count(*) FROM delivery_delivery WHERE status <> 'sent'"
    url = env.get("DATABASE_URL")
    if url:
        import psycopg

        with psycopg.connect(url) as conn:
            row = conn.execute(sql).fetchone()
    else:
        import sqlite3

        with sqlite3.connect(Path(env["METALSTAT_DATA_DIR"]) / "metalstat.sqlite3", timeout=30) as conn:
            row = conn.execute(sql).fetchone()
    return int(row[0]) if row else 0


def run(subscribers: int, workers: int, lead: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        env = _database(tmp, f"w{workers}")
        receiver = Receiver()
        started = time.perf_counter()
        _python(env, SEED, str(subscribers), receiver.url, str(lead))
        seeded = time.perf_counter() - started
        procs = [
            subprocess.Popen(
                [str(VENV / "metalstat"), "worker", "--interval", "0.2", "--worker-id", f"bench-{i}"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for i in range(workers)
        ]
        try:
            time.sleep(lead)
            deadline = time.monotonic() + 3600
            while _waiting(env) or not (tmp / "outbox").exists():
                if time.monotonic() > deadline:
                    raise SystemExit("not every delivery was sent within an hour")
                time.sleep(1.0)
        finally:
            for p in procs:
                p.send_signal(signal.SIGTERM)
            for p in procs:
                p.wait(60)
            receiver.server.shutdown()
        result = json.loads(_python(env, RESULT))
        files = len(list((tmp / "outbox").glob("*.eml")))
    spread = result["spread"]
    every = sorted(spread["email"] + spread["webhook"])
    return {
        "database": "postgresql" if os.environ.get("DATABASE_URL") else "sqlite",
        "subscribers": subscribers,
        "workers": workers,
        "deliveries": result["total"],
        "sent": result["sent"],
        "attempts": result["attempts"],
        "workers_seen": result["workers"],
        "emails_in_mailbox": files,
        "webhook_calls": sum(receiver.ids.values()),
        "webhook_ids_called_twice": sum(1 for c in receiver.ids.values() if c > 1),
        "release_to_last_s": round(every[-1], 1),
        "median_s": round(statistics.median(every), 1),
        "email_last_s": round(spread["email"][-1], 1),
        "webhook_last_s": round(spread["webhook"][-1], 1),
        "seed_s": round(seeded, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--lead", type=float, default=15.0, help="seconds from publishing to the release time")
    args = parser.parse_args()
    for n in args.workers:
        result = run(args.subscribers, n, args.lead)
        assert result["sent"] == result["deliveries"] == 2 * args.subscribers, result
        assert result["emails_in_mailbox"] == args.subscribers, result
        assert result["webhook_calls"] == args.subscribers and not result["webhook_ids_called_twice"], result
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
