"""A small thread-based load generator for scenarios: each client reads users through
the load balancer and records every request in the history (start, endpoint template,
status or exception, latency). The Locust generator (load/) is the full-size one; this
one needs no extra process. A request with no answer is recorded with status None -
"unknown", never "ok"."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from typing import Callable, Sequence

import requests

from runbook_drill.harness.errors import HarnessError
from runbook_drill.harness.observe.history import REPLICA_HEADER, History
from runbook_drill.harness.polling import wait_until


@dataclass
class LoadSpec:
    """How much traffic: clients, pause between a client's requests, per-request timeout,
    users to read (the first user_ids of the stack's seeded ids), share of list-page
    requests."""

    clients: int = 4
    think_s: float = 0.02
    timeout_s: float = 2.0
    user_ids: int = 500
    list_share: float = 0.1
    max_seconds: float = 600.0
    token: Callable[[str], str] | None = None  # from the client's token: the token to send (a tampered one)
    path: str | None = None  # one fixed request (recorded under this path) instead of the read mix
    one_client: bool = False  # every thread sends as client 0: one client's rate, whatever the machine's speed

    def build(self, history: History, target_url: str, auth_url: str,
              token: Callable[[int], str], ids: Sequence[str] = ()) -> "Generator":
        """Returns the in-process generator for this load (the runner's LoadPlan);
        `token(i)` is client i's token (each client its own, as real clients are);
        `ids` the users it may read (none: 1..user_ids)."""
        issued = (lambda i: token(0)) if self.one_client else token
        sends = (lambda i: self.token(issued(i))) if self.token else issued
        return Generator(history, lambda: target_url, sends, self, ids=ids)


class Generator:
    """Runs the load until stopped (or `max_seconds`); records into `history`."""

    def __init__(self, history: History, base_url: Callable[[], str], token: Callable[[int], str],
                 spec: LoadSpec, seed: int = 1, ids: Sequence[str] = ()) -> None:
        self.history, self.base_url, self.token, self.spec = history, base_url, token, spec
        self.ids = list(ids[:spec.user_ids]) or [str(i) for i in range(1, spec.user_ids + 1)]
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._client, args=(i, seed + i), daemon=True, name=f"load-{i}")
                         for i in range(spec.clients)]

    def start(self) -> "Generator":
        for thread in self._threads:
            thread.start()
        return self

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Returns once the first request has been recorded; raises HarnessError otherwise."""
        if not wait_until(lambda: bool(self.history.events("request")), timeout, interval=0.05):
            raise HarnessError(f"the load sent no request within {timeout:g}s")

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=self.spec.timeout_s + 5)

    def _client(self, index: int, seed: int) -> None:
        rng = random.Random(seed)
        session = requests.Session()
        try:
            token = self.token(index)
        except Exception as exc:  # no token, no traffic: recorded, never silent
            self.history.record("request", "load", endpoint="/login", status=None, error=type(exc).__name__,
                                latency=0.0)
            return
        deadline = time.monotonic() + self.spec.max_seconds
        while not self._stop.is_set() and time.monotonic() < deadline:
            if self.spec.path:
                endpoint, path = self.spec.path, self.spec.path
            elif rng.random() < self.spec.list_share:
                endpoint, path = "/users", f"/users?limit=20&after={rng.choice(self.ids)}"
            else:
                endpoint, path = "/users/{user_id}", f"/users/{rng.choice(self.ids)}"
            self._request(session, endpoint, path, token)
            self._stop.wait(self.spec.think_s)

    def _request(self, session: requests.Session, endpoint: str, path: str, token: str) -> None:
        started = time.time()
        try:
            answer = session.get(f"{self.base_url()}{path}", headers={"Authorization": f"Bearer {token}"},
                                 timeout=self.spec.timeout_s)
            status, error, replica = answer.status_code, "", answer.headers.get(REPLICA_HEADER) or ""
        except requests.RequestException as exc:
            status, error, replica = None, type(exc).__name__, None
        self.history.record("request", "load", t=started, endpoint=endpoint, status=status, error=error,
                            latency=time.time() - started, replica=replica)
