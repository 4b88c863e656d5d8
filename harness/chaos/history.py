"""The history: every timestamped event the observers, the load and the faults record.
Nothing judges while recording; checks read the history afterwards."""

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

    def to_json(self) -> dict[str, Any]:
        return {"windows": {n: asdict(w) for n, w in self.windows.items()},
                "events": [asdict(e) for e in self.events()]}
