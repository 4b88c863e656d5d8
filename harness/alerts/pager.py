"""The pager: the primary on-call's end of Alertmanager's webhook. It keeps every
notification it receives, with the time it arrived, and hands them out again on
GET /pages - what the harness records into a scenario's history as "page" events.

Standard library only: it runs as a script in the stack's python image
(`python pager.py [PORT]`), from a read-only mount of this file."""

from __future__ import annotations

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGES: list[dict] = []
LOCK = threading.Lock()
MAX_PAGES = 10_000  # bounded: a stack kept up for days does not grow without end


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        """POST /page/<receiver>: one Alertmanager notification; 200 when kept."""
        if not self.path.startswith("/page/"):
            return self._answer(404, {"error": "POST /page/<receiver>"})
        try:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        except ValueError:
            return self._answer(400, {"error": "not JSON"})
        page = {"received_at": time.time(), "receiver": self.path[len("/page/"):], "status": body.get("status"),
                "alerts": [{"name": a.get("labels", {}).get("alertname"), "status": a.get("status"),
                            "section": a.get("labels", {}).get("section"),
                            "runbook_url": a.get("annotations", {}).get("runbook_url")}
                           for a in body.get("alerts", [])]}
        with LOCK:
            PAGES.append(page)
            del PAGES[:-MAX_PAGES]
        self._answer(200, {"kept": len(PAGES)})

    def do_GET(self) -> None:  # noqa: N802
        """GET /pages: every page kept, oldest first; GET /health: 200."""
        if self.path == "/health":
            return self._answer(200, {"status": "ok"})
        if self.path != "/pages":
            return self._answer(404, {"error": "GET /pages"})
        with LOCK:
            pages = list(PAGES)
        self._answer(200, pages)

    def _answer(self, status: int, body) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt: str, *args) -> None:
        sys.stderr.write(json.dumps({"level": "INFO", "message": fmt % args}) + "\n")


def main(argv: list[str]) -> int:
    port = int(argv[1]) if len(argv) > 1 else 9095
    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    print(json.dumps({"level": "INFO", "message": f"pager listening on {port}"}), flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
