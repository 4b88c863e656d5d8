"""What the load's own view says of a backlog (its answers, by when they ended): one
has built (most answers of the last second waited longer than the threshold), it has
drained (a whole span of answers under it), every server of the load balancer answers
fast (scaled-out capacity past its cold start), and what share of a window waited."""

from __future__ import annotations

import math
import time
from collections import Counter
from typing import Callable

from runbook_drill.harness.observe.history import History


def _answered(history: History, hold_s: float) -> list:
    """Returns the User API requests answered in the last `hold_s` seconds."""
    return [e for e in history.requests_ended(time.time() - hold_s, math.inf) if e.data.get("status") is not None]


def _all_fast(done: list, threshold_ms: float, least: int) -> bool:
    return len(done) >= least and all(e.data["latency"] * 1000 < threshold_ms for e in done)


def backlog_drained(threshold_ms: float, least: int = 20, hold_s: float = 2.0) -> Callable[[History], bool]:
    """Returns a condition on the history: every User API request that ended in the last
    `hold_s` seconds (at least `least` of them) was answered faster than the threshold -
    what queued up (behind a throttled replica, behind the first logins of a new load)
    has drained, so what is measured next is the service itself. A span, not the last
    few answers: fast new replicas can hide old ones still working off their queue."""
    def drained(history: History) -> bool:
        return _all_fast(_answered(history, hold_s), threshold_ms, least)
    return drained


def every_server_fast(threshold_ms: float, servers: int, least_each: int = 5, hold_s: float = 2.0,
                      least: int = 20) -> Callable[[History], bool]:
    """Returns a condition on the history: the answers of the last `hold_s` seconds came
    from at least `servers` servers of the load balancer (`least_each` answers each at
    least) and every one was faster than the threshold - scaled-out capacity serving at
    speed, each new replica past its cold start (seen: a Go replica under a 0.011-core
    quota answered its first list pages and creates in 0.4-0.9 s, after its first 20
    reads were fast). Answers that do not say their server: `backlog_drained` alone."""
    def fast(history: History) -> bool:
        done = _answered(history, hold_s)
        if not _all_fast(done, threshold_ms, least):
            return False
        by_server = Counter(e.data.get("replica") for e in done if e.data.get("replica"))  # the balancer's choice
        if not by_server:
            return True
        return sum(count >= least_each for count in by_server.values()) >= servers
    return fast


def backlog_share(history: History, start: float, end: float, threshold_s: float) -> tuple[float, int]:
    """Returns (share of the load's requests that ended in [start, end) after waiting
    longer than the threshold, requests) - the client's view, time queued in front of the
    replicas included. By end time, not start: a request still queued is not recorded
    yet, and counting by start would leave the slowest out. A request with no answer
    counts slow; logins are left out (the auth service answers them)."""
    done = history.requests_ended(start, end)
    slow = sum(e.data.get("status") is None or e.data["latency"] > threshold_s for e in done)
    return (slow / len(done) if done else 0.0), len(done)


def backlog_built(threshold_ms: float, share: float = 0.25, tail_s: float = 1.0) -> Callable[[History], bool]:
    """Returns a condition on the history: more than `share` of the load's answers of
    the last `tail_s` waited longer than the threshold - a backlog has built up."""
    def built(history: History) -> bool:
        now = time.time()
        slow, done = backlog_share(history, now - tail_s, now, threshold_ms / 1000)
        return done >= 5 and slow > share
    return built
