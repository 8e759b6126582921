"""The portal's home and product pages on the demo database: server time, render in Chromium,
page weight, cold and warm, in one run.

    .venv/bin/python bench/portal.py [--demo-data DIR] [--repeat 20]

Without ``--demo-data`` it first runs ``metalstat demo`` into a temporary data folder. It gives
the demo subscriber a password, starts ``metalstat serve`` (gunicorn, one worker, 4 threads) on
a loopback port and signs in. Then, per page:

- **server, cold**: the first request after the server started (per-process caches empty: the
  series index is built at boot, the drafted report is not), time to first byte and to the
  last byte, by ``urllib`` on loopback;
- **server, warm**: the median and 90th percentile of ``--repeat`` more requests;
- **browser, cold**: Chromium with an empty cache: the navigation's time to first byte, to
  ``DOMContentLoaded`` and to ``load`` (the chart drawn), and the bytes transferred (HTML, CSS,
  JS; compressed as sent);
- **browser, warm**: the same page again, its static files from the browser's cache.

One JSON line per measurement, then a table to paste into docs/performance.md.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

VENV = Path(sys.executable).parent
PAGES = {"home": "/", "product": "/products/copper_cathode/"}
USER = "demo-subscriber"
PASSWORD = "bench-portal-password"  # noqa: S105 (set by this run on its own demo database)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def set_password(data_dir: Path) -> None:
    code = (
        "from metalstat.core.startup import setup_django; setup_django()\n"
        "from django.contrib.auth.models import User\n"
        "from metalstat.subscriptions.actions import do_set_password\n"
        f"do_set_password(User.objects.get(username={USER!r}), {PASSWORD!r}, actor='bench')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "METALSTAT_DATA_DIR": str(data_dir)})


def wait_for(url: str, timeout: float = 120.0) -> None:
    end = time.time() + timeout
    while time.time() < end:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer {url}")


def signed_in_opener(base: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base}/account/sign-in/") as r:
        page = r.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on the sign-in page"
    form = urllib.parse.urlencode(
        {"username": USER, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1), "next": "/"}
    ).encode()
    request = urllib.request.Request(f"{base}/account/sign-in/", data=form, headers={"Referer": f"{base}/"})
    with opener.open(request) as r:
        assert "Sign out" in r.read().decode(), "signing in failed"
    return opener


def timed_get(opener: urllib.request.OpenerDirector, url: str) -> tuple[float, float, int]:
    """Milliseconds to the first byte (headers read) and to the last, and the body's size."""
    start = time.perf_counter()
    with opener.open(url) as r:
        first = time.perf_counter()
        body = r.read()
        last = time.perf_counter()
        assert r.status == 200
    return (first - start) * 1000, (last - start) * 1000, len(body)


NAVIGATION = """() => {
  const n = performance.getEntriesByType("navigation")[0];
  const resources = performance.getEntriesByType("resource");
  const bytes = resources.reduce((s, r) => s + r.transferSize, n.transferSize);
  const decoded = resources.reduce((s, r) => s + r.decodedBodySize, n.decodedBodySize);
  return {ttfb_ms: n.responseStart - n.requestStart, dom_ms: n.domContentLoadedEventEnd - n.startTime,
          load_ms: n.loadEventEnd - n.startTime, transferred_bytes: bytes, decoded_bytes: decoded,
          files: resources.length + 1};
}"""


def browser_runs(base: str) -> list[dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(f"{base}/account/sign-in/")
        page.fill("#id_username", USER)
        page.fill("#id_password", PASSWORD)
        page.click("form.sign-in button[type=submit]")
        page.wait_for_url(f"{base}/")
        for state in ("cold", "warm"):
            for name, path in PAGES.items():
                if state == "cold":
                    cdp = context.new_cdp_session(page)
                    cdp.send("Network.clearBrowserCache")
                page.goto(f"{base}{path}", wait_until="load")
                page.wait_for_timeout(300)  # loadEventEnd is set after the load handlers
                out.append({"page": name, "where": "browser", "state": state, **page.evaluate(NAVIGATION)})
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demo-data", type=Path, help="a data folder `metalstat demo` has filled")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    data_dir = args.demo_data
    if data_dir is None:
        data_dir = Path(tempfile.mkdtemp(prefix="metalstat-bench-portal-"))
        subprocess.run(
            [str(VENV / "metalstat"), "demo", "--out", str(data_dir / "out")],
            check=True,
            env={**os.environ, "METALSTAT_DATA_DIR": str(data_dir)},
            stdout=subprocess.DEVNULL,
        )
    set_password(data_dir)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "METALSTAT_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    started = time.perf_counter()
    server = subprocess.Popen(
        [str(VENV / "metalstat"), "serve", "--port", str(port), "--workers", "1", "--threads", "4"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    rows: list[dict[str, Any]] = []
    try:
        wait_for(f"{base}/account/sign-in/")
        print(json.dumps({"serve_ready_s": round(time.perf_counter() - started, 2)}))
        opener = signed_in_opener(base)
        for name, path in PAGES.items():
            ttfb, full, size = timed_get(opener, base + path)
            cold = {
                "page": name,
                "where": "server",
                "state": "cold",
                "ttfb_ms": ttfb,
                "full_ms": full,
                "html_bytes": size,
            }
            rows.append(cold)
            ttfbs, fulls = [], []
            for _ in range(args.repeat):
                t, f, size = timed_get(opener, base + path)
                ttfbs.append(t)
                fulls.append(f)
            rows.append(
                {
                    "page": name,
                    "where": "server",
                    "state": "warm",
                    "ttfb_ms": statistics.median(ttfbs),
                    "ttfb_p90_ms": statistics.quantiles(ttfbs, n=10)[-1],
                    "full_ms": statistics.median(fulls),
                    "html_bytes": size,
                }
            )
        rows += browser_runs(base)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    for row in rows:
        print(json.dumps({k: round(v, 1) if isinstance(v, float) else v for k, v in row.items()}))
    print()
    print("| page | measured by | cache | TTFB ms | full ms | transferred KB | files |")
    print("|---|---|---|---:|---:|---:|---:|")
    for r in rows:
        full = r.get("full_ms", r.get("load_ms", 0.0))
        weight = r.get("transferred_bytes", r.get("html_bytes", 0)) / 1024
        print(
            f"| {r['page']} | {r['where']} | {r['state']} | {r['ttfb_ms']:.1f} | {full:.1f} | {weight:.1f} | "
            f"{r.get('files', 1)} |"
        )


if __name__ == "__main__":
    main()
