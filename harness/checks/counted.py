"""Metric checks under a counted load (harness.observe.counted): what a metric moved by
in named phases, set against what was sent in them - a metric is judged by what it
counts, not only by existing and moving. A phase's move is the difference between the
last scrape recorded before it began and the first scrape begun after its last answer
(SCRAPE_GAP_S later), so every request of the phase is in it and no other of its
kind: the counted load is the only traffic to its replica's /users routes.

A request with no answer makes the phase's count unknowable: the verdict is unknown."""

from __future__ import annotations

from typing import Callable

from runbook_drill.harness.checks.base import FAIL, PASS, UNKNOWN, Check, samples
from runbook_drill.harness.checks.metrics import USERS_ROUTES, for_history, sample_total
from runbook_drill.harness.observe.counted import SCRAPE_GAP_S, SOURCE, scrape_began
from runbook_drill.harness.observe.history import Event, History, Window

DURATION = "http_request_duration_seconds"
COUNTS = ("_total", "_count", "_sum")  # metrics that only ever count up from 0


def successes(requests: list[Event]) -> int:
    """How many of the requests were answered 2xx."""
    return sum(1 for e in requests if 200 <= e.data["status"] < 300)


def answered(requests: list[Event]) -> int:
    """How many of the requests were answered, whatever the status ("Total requests"
    counts the ones that failed as well)."""
    return sum(1 for e in requests if e.data["status"] is not None)


def failures(requests: list[Event]) -> int:
    """How many of the requests were answered 4xx or 5xx."""
    return sum(1 for e in requests if e.data["status"] >= 400)


def nothing(requests: list[Event]) -> int:
    """Zero, whatever was sent: a metric that must not move for these requests."""
    return 0


def phase_run(history: History, win: Window, phase: str) -> Event | None:
    """Returns the record of `phase` run whole in `win` (None: it was not)."""
    return next((e for e in history.events("phase", win, SOURCE) if e.data.get("name") == phase), None)


def phase_requests(history: History, win: Window, phase: str) -> list[Event]:
    """Returns the counted requests of `phase` in `win`."""
    return [e for e in history.events("request", win, SOURCE) if e.data.get("phase") == phase]


def phase_move(history: History, phase: Event, name: str, labels: dict[str, str]) -> float | None:
    """Returns how much the metric moved on the phase's replica across the phase (None:
    no scrape before it, or none begun after it, holds the metric)."""
    scrapes = history.events("metrics", source=phase.data["replica"])
    end = phase.t + phase.data["latency"] + SCRAPE_GAP_S
    before = [s for s in scrapes if s.t < phase.t]
    after = [s for s in scrapes if scrape_began(s) >= end]
    if not before or not after:
        return None
    labels = for_history(labels, history, name)
    first, last = sample_total(before[-1], name, labels), sample_total(after[0], name, labels)
    # A count with no series yet is 0 (client_golang exports none before its first event):
    # known so when it has a series after the phase, or in any scrape of the replica (a
    # count with no event at all around the phase - after a restart - moved by nothing).
    if first is None and name.endswith(COUNTS):
        exported = last is not None or any(sample_total(e, name, labels) is not None for e in scrapes)
        first, last = (0.0, 0.0 if last is None else last) if exported else (first, last)
    return None if first is None or last is None else last - first


def _moves(history: History, win: Window, phases: tuple[str, ...], name: str,
           labels: dict[str, str]) -> dict[str, float] | str:
    """Returns {phase: the metric's move in it}, or the reason it cannot be read."""
    moves = {}
    for phase in phases:
        ran = phase_run(history, win, phase)
        if ran is None:
            return f"phase {phase!r} did not run in the window"
        moved = phase_move(history, ran, name, labels)
        if moved is None:
            return f"no scrapes of {name} around phase {phase!r}"
        moves[phase] = moved
    return moves


def _sent(history: History, win: Window, phases: tuple[str, ...]) -> list[Event] | str:
    """Returns the requests of the phases, or the reason they cannot be counted."""
    sent: list[Event] = []
    for phase in phases:
        found = phase_requests(history, win, phase)
        unanswered = [e for e in found if e.data.get("status") is None]
        if unanswered:
            return f"{len(unanswered)} request(s) of phase {phase!r} had no answer: their count is unknown"
        sent += found
    return sent


def _bounded(moved: float, expected: float, tolerance: float) -> tuple[bool, dict]:
    """Returns whether `moved` is within `tolerance` of `expected`, and the bound it broke."""
    if moved > expected + tolerance:
        return False, {"figure": "moved", "op": "<=", "value": expected + tolerance}
    if moved < expected - tolerance:
        return False, {"figure": "moved", "op": ">=", "value": expected - tolerance}
    return True, {"figure": "moved", "op": "~", "value": expected, "tolerance": tolerance}


def counted(source_phases: tuple[str, ...], name: str, expect: Callable[[list[Event]], int], window: str,
            labels: dict[str, str] | None = None, minus: tuple[str, ...] = (), tolerance: float = 0.05,
            slack: float = 1.0, what: str = "") -> Check:
    """The metric moved, over `source_phases` (less its move over `minus`), by what
    `expect` says of those phases' requests - within `tolerance` of it, or `slack`
    counts. With `minus`, a constant the service adds per request (its own cache of
    tokens counted as hits too) cancels out: a second read's one more hit remains."""
    labels = labels or {}

    def judge(history, win):
        moves = _moves(history, win, source_phases + minus, name, labels)
        sent = _sent(history, win, source_phases)
        if isinstance(moves, str) or isinstance(sent, str):
            return UNKNOWN, {"reason": moves if isinstance(moves, str) else sent}
        moved = sum(moves[p] for p in source_phases) - sum(moves[p] for p in minus)
        expected = expect(sent)
        ok, bound = _bounded(moved, expected, max(slack, tolerance * expected))
        return (PASS if ok else FAIL), {"moved": moved, "expected": expected, "by_phase": moves,
                                        "requests": len(sent), "bound": bound}
    less = f" less {'+'.join(minus)}" if minus else ""
    check = f"{name}{labels or ''} moves by {what or expect.__name__} of {'+'.join(source_phases)}{less}"
    return Check(check, window, judge, sampled=True)


def server_time(phases: tuple[str, ...], window: str, at_least: float | None = None,
                at_most: float = 1.2, slack_s: float = 0.002) -> Check:
    """The latency histogram's mean over the phases (its _sum moved over its _count
    moved, /users routes) is no more than `at_most` times the clients' mean latency
    (+ `slack_s`: a server cannot take longer than its client waited) and, with
    `at_least`, no less than that share of it (the handler's time is in it)."""
    def judge(history, win):
        sums = _moves(history, win, phases, f"{DURATION}_sum", USERS_ROUTES)
        counts = _moves(history, win, phases, f"{DURATION}_count", USERS_ROUTES)
        sent = _sent(history, win, phases)
        if isinstance(sums, str) or isinstance(counts, str) or isinstance(sent, str) or not sent:
            reason = next((r for r in (sums, counts, sent) if isinstance(r, str)), "no requests sent")
            return UNKNOWN, {"reason": reason}
        observed = sum(counts.values())
        if observed <= 0:
            return FAIL, {"reason": "no observation of the counted requests", "bound": {}}
        server_ms = 1000 * sum(sums.values()) / observed
        client_ms = 1000 * sum(float(e.data["latency"]) for e in sent) / len(sent)
        high, low = round(at_most * client_ms + 1000 * slack_s, 3), round((at_least or 0) * client_ms, 3)
        bound = ({"figure": "server_ms", "op": "<=", "value": high} if server_ms > high else
                 {"figure": "server_ms", "op": ">=", "value": low})
        ok = low <= server_ms <= high
        return (PASS if ok else FAIL), {"server_ms": round(server_ms, 3), "client_ms": round(client_ms, 3),
                                        "observations": observed, "requests": len(sent), "bound": bound,
                                        "sample": samples(sent, 3)}
    least = f" and at least {at_least:g}x" if at_least else ""
    return Check(f"{DURATION} mean of {'+'.join(phases)} at most {at_most:g}x the clients'{least}", window,
                 judge, sampled=True)
