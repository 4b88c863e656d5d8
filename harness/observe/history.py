"""The history: every timestamped event the observers, the load and the faults record.
Nothing judges while recording; checks read the history afterwards.

It is also the one shape every reader works on: a journal's history is read back with
`History.from_json()`, and the questions every reader asks - which requests are User
API traffic, answered or not, in a window; since when a probe has answered as it does
for good - are answered here, once."""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable


@dataclass(frozen=True)
class Event:
    """One observation: when (Unix seconds), what kind, from which source, and its data."""

    t: float
    kind: str
    source: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Window:
    """A time interval [start, end) in Unix seconds."""

    name: str
    start: float
    end: float

    def holds(self, event: "Event") -> bool:
        """True when the event happened inside the window; an event with a duration
        (a request, a probe) must have started and finished inside it, so an answer
        that straddles a fault's injection is not counted as steady state."""
        end = event.t + float(event.data.get("latency") or 0.0)
        return self.start <= event.t and end < self.end


# Set by the load balancer on every answer a replica gave (harness/stack/config/haproxy.cfg);
# a request recorded through it keeps the value as "replica": "" when the load balancer
# answered itself (no server available), None when nothing answered.
REPLICA_HEADER = "X-Drill-Replica"


def answered_by_lb(event: "Event") -> bool:
    """True when the load balancer answered the request itself ("no server available"):
    known only for requests recorded with the header's value (not for old journals, nor
    for traffic sent to a replica directly)."""
    return event.data.get("status") is not None and event.data.get("replica") == ""


LOGIN_PREFIX = "/login"  # logins go to the auth service (through the ingress): not User API traffic


def is_api_request(event: Event) -> bool:
    """True when the event is a request to the User API (a login is the auth service's)."""
    return event.kind == "request" and not str(event.data.get("endpoint", "")).startswith(LOGIN_PREFIX)


def lasting_from(events: list[Event], holds) -> Event | None:
    """Returns the first of `events` (in time order) from which `holds(event)` is true of
    every later one too - since when something has been so for good (None: not at the end)."""
    start = None
    for event in events:
        if not holds(event):
            start = None
        elif start is None:
            start = event
    return start


def source_matches(pattern: str | None, source: str) -> bool:
    """True when `source` is `pattern`, or starts with it when it ends in "*" (None: any)."""
    if pattern is None:
        return True
    return source.startswith(pattern[:-1]) if pattern.endswith("*") else source == pattern


class History:
    """A thread-safe, append-only list of events."""

    def __init__(self) -> None:
        self._events: list[Event] = []
        self._lock = threading.Lock()
        self.windows: dict[str, Window] = {}

    def record(self, kind: str, source: str, t: float | None = None, **data: Any) -> Event:
        event = Event(time.time() if t is None else t, kind, source, data)
        with self._lock:
            self._events.append(event)
        return event

    def mark(self, name: str, start: float, end: float) -> Window:
        """Names a window (steady, fault, recovery, ...) for the checks to read."""
        self.windows[name] = Window(name, start, end)
        return self.windows[name]

    def events(self, kind: str | None = None, window: Window | None = None,
               source: str | None = None) -> list[Event]:
        """Returns the events of `kind` (and `source`) inside `window`, in time order.
        A source ending in "*" is a prefix: "replica-*" is every replica, as
        `kubectl logs -l app=user-api` reads all pods of the deployment."""
        with self._lock:
            chosen: Iterable[Event] = list(self._events)
        return sorted((e for e in chosen if (kind is None or e.kind == kind)
                       and source_matches(source, e.source)
                       and (window is None or window.holds(e))), key=lambda e: e.t)

    def requests(self, window: Window | None = None, endpoint: str | None = None,
                 method: str | None = None) -> tuple[list[Event], list[Event]]:
        """Returns the User API requests inside `window` (logins left out), optionally of
        one endpoint template and method, as (answered, unanswered): a request with no
        answer (a client timeout) is unknown, never ok."""
        events = [e for e in self.events("request", window) if is_api_request(e)
                  and (endpoint is None or e.data.get("endpoint") == endpoint)
                  and (method is None or e.data.get("method", "GET") == method)]
        answered = [e for e in events if e.data.get("status") is not None]
        return answered, [e for e in events if e.data.get("status") is None]

    def requests_ended(self, start: float, end: float) -> list[Event]:
        """Returns the User API requests that ended - answered or given up - in [start,
        end), by end time: one still queued is not recorded yet, and counting by start
        would leave the slowest out."""
        return [e for e in self.events("request") if is_api_request(e)
                and start <= e.t + float(e.data.get("latency") or 0.0) < end]

    def probes(self, window: Window | None, source: str | None, path: str) -> list[Event]:
        """Returns the probes of `path` by `source` inside `window`, in time order."""
        return [e for e in self.events("probe", window, source) if e.data.get("path") == path]

    def ready_for_good_since(self, source: str, path: str, window: Window) -> float | None:
        """Returns when `source`'s probes of `path` began answering 200 for good within
        `window`: the answer of the first such probe, not its sending - a request sent
        while that probe was in flight may still have found no server up (None: not
        ready at the window's end)."""
        first = lasting_from(self.probes(window, source, path), lambda e: e.data.get("status") == 200)
        return None if first is None else first.t + float(first.data.get("latency") or 0.0)

    def to_json(self) -> dict[str, Any]:
        return {"windows": {n: asdict(w) for n, w in self.windows.items()},
                "events": [asdict(e) for e in self.events()]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "History":
        """Returns the history a journal holds (`to_json`'s form), windows included."""
        history = cls()
        history._events = [Event(e["t"], e["kind"], e["source"], e.get("data") or {}) for e in data["events"]]
        history.windows = {name: Window(name, w["start"], w["end"]) for name, w in data["windows"].items()}
        return history
