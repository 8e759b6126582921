"""A webhook receiver for trying metalstat's webhooks on one machine (the demo, the
benchmark): ``python -m metalstat.delivery.receiver PORT [SECRET]`` listens on 127.0.0.1,
answers 204, checks each call's signature with the reference library when given the secret,
and prints one line per call (message ID, signature verdict, release). It keeps the message
IDs it has seen and says when one comes again."""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


def serve(port: int, secret: str | None = None, *, quiet: bool = False) -> ThreadingHTTPServer:
    seen: set[str] = set()
    lock = threading.Lock()
    verifier = Webhook(secret) if secret else None

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            msg_id = headers.get("webhook-id", "")
            verdict = "unchecked"
            if verifier is not None:
                try:
                    verifier.verify(body, headers)
                    verdict = "signature ok"
                except WebhookVerificationError as exc:
                    verdict = f"BAD SIGNATURE ({exc})"
            with lock:
                again = msg_id in seen
                seen.add(msg_id)
            self.send_response(204)
            self.end_headers()
            if not quiet:
                release = json.loads(body or b"{}").get("data", {}).get("release", "?")
                print(f"{msg_id} {verdict} release {release}{' (again)' if again else ''}", flush=True)

        def log_message(self, *args: Any) -> None:
            pass

    return ThreadingHTTPServer(("127.0.0.1", port), Handler)


if __name__ == "__main__":
    server = serve(int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else None)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}/", flush=True)
    server.serve_forever()
