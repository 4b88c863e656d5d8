"""A counted load: so many requests, of known kinds, sent straight to one replica in
named phases, each phase bracketed by scrapes of that replica's /metrics - so a check
can set what a metric moved by in a phase against what was sent in it ("Total
requests": one per request; "Cache hit rate": one more hit for a second read than for a
first; "Active DB connections": so many held at once).

It records like every load: each request a "request" event (source "counted", with its
phase), each phase a "phase" event (its start, and its length as `latency`, so a window
holds it only whole). It never judges; harness.checks.counted does, afterwards."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Sequence

import requests

from runbook_drill.harness.observe.history import History
from runbook_drill.harness.polling import wait_until

SOURCE = "counted"
SCRAPE_GAP_S = 0.2  # a scrape that began this long after a phase's last answer counts it whole
SCRAPE_WAIT_S = 5.0  # at most this long for that scrape (a replica that stops answering /metrics)


@dataclass(frozen=True)
class Phase:
    """One phase: `requests` requests by `clients` threads, each of `method` to `path`
    (formatted with a user id, taken in turn from the last `ids` of the stack's users),
    with a valid token or a tampered one; with `hold_s`, each client sends again and
    again for that long instead (connections held at once)."""

    name: str
    path: str = "/users/{id}"
    method: str = "GET"
    requests: int = 0
    clients: int = 4
    ids: int = 40
    tampered: bool = False
    hold_s: float = 0.0
    body: dict = field(default_factory=dict)


def tampered(token: str) -> str:
    """A token whose signature no longer matches (what a stale or forged client sends)."""
    return token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")


@dataclass(frozen=True)
class CountedLoad:
    """The plan (a LoadPlan): the phases, in order, against replica `replica`."""

    phases: tuple[Phase, ...]
    replica: int = 0
    timeout_s: float = 5.0
    client: int = 900  # whose token: a subject of its own, apart from the load's users (rate limits)

    def build(self, history: History, target_url: str, auth_url: str, token: Callable[[int], str],
              ids: Sequence[str] = ()) -> "CountedRun":
        """Returns the run; `target_url` is the replica's own URL (the runner gives it
        for a plan with a `replica`)."""
        return CountedRun(self, history, target_url, token, list(ids))


class CountedRun:
    """Sends the phases in a thread, one after another, until done or stopped."""

    def __init__(self, plan: CountedLoad, history: History, url: str, token: Callable[[int], str],
                 ids: list[str]) -> None:
        self.plan, self.history, self.url, self.token = plan, history, url, token
        self.ids = ids
        self.source = f"replica-{plan.replica}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="load-counted", daemon=True)

    def start(self) -> "CountedRun":
        self._thread.start()
        return self

    def wait_ready(self, timeout: float = 30.0) -> None:
        return None

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.plan.timeout_s + SCRAPE_WAIT_S + 5)

    def _run(self) -> None:
        try:
            token = self.token(self.plan.client)
        except Exception as exc:  # no token, no traffic: recorded, never silent
            self.history.record("request", SOURCE, endpoint="/login", status=None, error=type(exc).__name__,
                                latency=0.0)
            return
        for phase in self.plan.phases:
            if self._stop.is_set() or not self._scraped_after(time.time()):
                return
            started = time.time()
            self._send(phase, tampered(token) if phase.tampered else token)
            ended = time.time()
            self.history.record("phase", SOURCE, t=started, name=phase.name, replica=self.source,
                                latency=ended - started)
            self._scraped_after(ended)

    def _scraped_after(self, moment: float) -> bool:
        """Waits until a scrape of the replica began SCRAPE_GAP_S after `moment`;
        returns whether one did within SCRAPE_WAIT_S."""
        def scraped() -> bool:
            return any(scrape_began(e) >= moment + SCRAPE_GAP_S for e in self.history.events("metrics", source=self.source))
        return wait_until(scraped, SCRAPE_WAIT_S, interval=0.05)

    def _send(self, phase: Phase, token: str) -> None:
        users = self.ids[-phase.ids:] or [str(i) for i in range(1, phase.ids + 1)]
        if phase.hold_s:
            deadline = time.monotonic() + phase.hold_s
            jobs = [(phase, token, users[i % len(users)], deadline) for i in range(phase.clients)]
        else:
            jobs = [(phase, token, users[i % len(users)], None) for i in range(phase.requests)]
        with ThreadPoolExecutor(max_workers=phase.clients, thread_name_prefix=f"counted-{phase.name}") as pool:
            list(pool.map(lambda job: self._client(*job), jobs))

    def _client(self, phase: Phase, token: str, user: str, until: float | None) -> None:
        """Sends one request, or - with `until` - one after another until then."""
        with requests.Session() as session:
            self._request(session, phase, token, user)
            while until is not None and time.monotonic() < until and not self._stop.is_set():
                self._request(session, phase, token, user)

    def _request(self, session: requests.Session, phase: Phase, token: str, user: str) -> None:
        path = phase.path.format(id=user)
        started = time.time()
        try:
            answer = session.request(phase.method, f"{self.url}{path}", json=phase.body or None,
                                     headers={"Authorization": f"Bearer {token}"}, timeout=self.plan.timeout_s)
            status, error = answer.status_code, ""
        except requests.RequestException as exc:
            status, error = None, type(exc).__name__
        self.history.record("request", SOURCE, t=started, endpoint=phase.path, method=phase.method, phase=phase.name,
                            status=status, error=error, latency=time.time() - started)


def scrape_began(scrape) -> float:
    """When a scrape's read of /metrics began (older journals: when it was recorded)."""
    return float(scrape.data.get("started", scrape.t))
