"""What every runbook scenario shares: the suite's stack and load, the runbook's
steady-state hypothesis, and the checks each section builds from the runbook's values.

The load is an open-ish model (Poisson arrivals: 80 users x 0.75 tasks/s, about 60
requests/s through the load balancer; many users at a low rate, so a fault that makes
each request slow still leaves enough requests per window), sized so the steady p99 on
a 2-core machine is a small fraction of the runbook's threshold (measured: see the
README) and a window gathers its 100 requests in about two seconds, with token churn
(a user logs in again every 4 s, as real clients get new tokens) so auth faults reach
users, and enough requests per window for a p99 and a 1% error rate to mean something
(checks with fewer than 100 requests are "unknown")."""

from __future__ import annotations

import math
import re
import time
from typing import Callable

from runbook_drill.harness import checks as c
from runbook_drill.harness.checks import REPLICAS
from runbook_drill.harness.observe.history import History, Window
from runbook_drill.harness.runbook import Runbook
from runbook_drill.harness.stack import ReadinessProbe, StackConfig
from runbook_drill.harness.stack.topology import READY_PATH
from runbook_drill.load.generator import LocustSpec
from runbook_drill.harness.run.backlog import backlog_drained

REPLICA_COUNT = 2
SEED_USERS = 2000
LOAD_USER_IDS = 300
RELOGIN_S = 4.0  # token churn: a load user logs in again this often
CLIENT_TIMEOUT_S = 5.0  # a client's patience: above the service's 2 s statement timeout
READINESS = ReadinessProbe()
# A client's quota, lowered from the service default (1,000 per 10 s) so that one greedy
# client shows the runbook's "Rate limiting triggered" at a rate this machine sustains;
# each load user sends ~8 per window, far below it. Introspection answers are cached
# 2 s (not 30): an auth outage reaches users within the fault window.
SUITE_KNOBS = {"rate_limit_requests": "100", "rate_limit_window_s": "10", "auth_cache_s": "2"}


def stack_config(user_api_image: str | None = None, **overrides) -> StackConfig:
    """Returns the suite's stack: 2 replicas behind the load balancer, seeded users, the
    suite's knobs set (through the profile's variables, given as `profile=`)."""
    knobs = {**SUITE_KNOBS, **overrides.pop("knobs", {})}
    overrides.setdefault("with_prometheus", True)
    return StackConfig(replicas=REPLICA_COUNT, seed_users=SEED_USERS, with_lb=True, knobs=knobs,
                       readiness=READINESS, user_api_image=user_api_image, **overrides)


# How soon an alert must fire after the fault, with the test profile's rules (windows of
# 5 s, scrapes and evaluations every 1 s): ServiceDown waits for the load balancer to
# drop every replica (up to READINESS.removal_s()) and then holds 2 s.
ALERT_WITHIN_S = {"ServiceDown": READINESS.removal_s() + 6.0, "HighErrorRate": 7.0, "HighLatency": 9.0}
PAGE_AFTER_FIRING_S = 3.0  # Alertmanager's group_wait (1 s) and the webhook's delivery
ALERTS = tuple(ALERT_WITHIN_S)
# A slow service is still a served one: past this share of the load balancer's own 503s
# the fault made an outage (Service is Down), not High Latency.
IN_SERVICE_MOST = 0.1


def suite_load(seed: int = 1, **overrides) -> LocustSpec:
    spec = dict(users=80, rate_per_user=0.75, relogin_s=RELOGIN_S, user_ids=LOAD_USER_IDS, timeout_s=CLIENT_TIMEOUT_S,
                spawn_rate=200.0, seed=seed)
    return LocustSpec(**{**spec, **overrides})


def lb_answers(status: int, probes: int = 3, requests: int = 10) -> Callable[[History], bool]:
    """Returns a condition on the history: the load balancer's last `probes` readiness
    probes (within the last 5 s) answered `status`, and so did the users' last
    `requests` requests - for 503, every replica is out of the pool, whenever the image
    under test got there, as users see it: a keep-alive connection to a replica the
    balancer has marked down still carries requests for a moment (seen: 500s for 0.8 s
    after its readiness said 503)."""
    def holds(history: History) -> bool:
        since = time.time() - 5.0
        recent = history.probes(Window("recent", since, math.inf), "lb", READY_PATH)
        if len(recent) < probes or any(e.data["status"] != status for e in recent[-probes:]):
            return False
        ended = history.requests_ended(since, math.inf)
        return len(ended) >= requests and all(e.data.get("status") == status for e in ended[-requests:])
    return holds


def symptom_gone(statuses: set[int], least: int = 30) -> Callable[[History], bool]:
    """Returns a condition on the history: the users' last `least` answers carry none of
    `statuses` - the symptom has left, as users see it, whenever the image got there (a
    client's old token is refused until it logs in again: not a fixed wait)."""
    def holds(history: History) -> bool:
        ended = [e for e in history.requests_ended(time.time() - 10.0, math.inf) if e.data.get("status")]
        return len(ended) >= least and not any(e.data["status"] in statuses for e in ended[-least:])
    return holds


def replica_restarted() -> Callable[[History], bool]:
    """Returns a condition on the history: some replica's restart count, as the engine
    reports it, is above the first one recorded in this scenario - a crash loop seen
    begin, however long the image under test took to outgrow its limit."""
    def holds(history: History) -> bool:
        first: dict[str, int] = {}
        for e in history.events("container", source=REPLICAS):
            first.setdefault(e.source, e.data["restart_count"])
            if e.data["restart_count"] > first[e.source]:
                return True
        return False
    return holds


def removal_s(timing_out: bool = False) -> float:
    """Seconds from a replica turning unready to the load balancer dropping it (longer
    when its readiness checks time out rather than fail)."""
    return READINESS.removal_s(timing_out)


class Oracle:
    """The runbook's values, named for the checks that use them; `dashboard`: the
    Grafana dashboard (JSON model) the runbook sends the on-call to - a team's own, or
    (None) the one generated from the runbook."""

    def __init__(self, runbook: Runbook, dashboard: dict | None = None) -> None:
        self.rb, self._dashboard = runbook, dashboard
        self.error_rate = runbook.value("threshold.error_rate")
        self.p99_ms = runbook.value("threshold.p99_ms")
        self.live, self.ready = runbook.value("live.endpoint"), runbook.value("ready.endpoint")
        self.live_ok, self.ready_ok = runbook.value("live.expected"), runbook.value("ready.expected")
        self.error_level = runbook.value("logs.error_grep")

    def settled(self) -> Callable[[History], bool]:
        """The load has settled: a whole second of answers under the runbook's p99
        threshold (a new load's first requests queue behind its logins and cold
        connections: seen 0.5-1.6 s for ~3 s on a busy machine)."""
        return backlog_drained(self.p99_ms, hold_s=1.0)

    def steady(self, window: str = "steady") -> list[c.Check]:
        """The steady-state hypothesis: every replica live and ready, the load balancer
        ready, error rate and p99 under the runbook's thresholds."""
        return [c.probe_status(REPLICAS, self.live, self.live_ok, window),
                c.probe_status(REPLICAS, self.ready, self.ready_ok, window),
                c.probe_status("lb", self.ready, self.ready_ok, window),
                c.error_rate(window, below=self.error_rate),
                c.latency(window, below_ms=self.p99_ms)]

    def recovered(self, within_s: float, window: str = "recovery") -> list[c.Check]:
        """Served again: the load balancer ready within `within_s`, and from then on the
        error rate back under the threshold."""
        return [c.probe_status_within("lb", self.ready, self.ready_ok, window, within_s),
                c.error_rate("recovered", below=self.error_rate)]

    def in_service(self, window: str = "fault_steady", most: float = IN_SERVICE_MOST,
                   also: frozenset[int] = frozenset()) -> c.Check:
        """Guard of a slowness claim (High Latency): the replicas stay in the load
        balancer and answer - the load balancer's own 503s ("no server available"; with
        `also`, other failures the magnitude may cause) stay under `most` of the answers.
        Past it, the magnitude the suite chose made an outage, not a slow service: the
        scenario is a harness error naming it, not a pass of its p99 (503s are fast, so a
        few slow answers among them still make a p99 "over")."""
        return c.served(window, most, also)

    def replicas_answered(self, window: str = "fault_onset") -> c.Check:
        """Guard of a first-moments claim (Database Connection Failures' 500s): the
        replicas answered users before readiness emptied the pool - a window that saw only
        the load balancer's 503s shows Service is Down, not the replicas' symptom."""
        return c.replicas_answered(window)

    def connections_returned(self) -> c.Check:
        """Every database connection the fault's failures took is back in the pool once
        recovered ("Unclosed database connections"): active connections at the steady
        level (+1 in flight) - whatever way a request failed (a query error, a statement
        timeout, a cancelled check, a refused database)."""
        return c.metric_back_to_baseline(REPLICAS, "db_connection_pool_active", "recovery", "steady", slack=1)

    def pages(self, alert: str, window: str = "injected", since: str | None = None) -> list[c.Check]:
        """The Quick Response section's alert fires and the primary on-call is paged for
        it (the Escalation Path: "auto-paged"), each within its bound of the window's start
        (with `since`: already from that window's start on counts too)."""
        from runbook_drill.harness.alerts.routing import receiver_name

        within = ALERT_WITHIN_S[alert]
        return [c.alert_fires(alert, window, within, since=since),
                c.paged(alert, receiver_name(self.rb), window, within + PAGE_AFTER_FIRING_S, since=since)]

    def quiet(self, *alerts: str, window: str = "injected") -> c.Check:
        """None of `alerts` fires in the window (default: none of the runbook's)."""
        return c.alerts_quiet(list(alerts or ALERTS), window)

    def error_log(self, text: str, window: str = "fault") -> c.Check:
        """The service's logs (every replica, as `kubectl logs -l app=user-api | grep
        ERROR` reads them) hold an ERROR line containing `text`."""
        return c.log_line(REPLICAS, self.error_level, text, window)

    def error_panels(self) -> dict[str, dict]:
        """Returns the dashboard's error-pattern panels: title -> {"expr", "threshold"},
        each query at the alert rules' window (as the suite's Prometheus evaluates it)."""
        from runbook_drill.harness.alerts import dashboard
        from runbook_drill.harness.alerts.rules import PROFILES

        model = self._dashboard if self._dashboard is not None else dashboard.build(self.rb)
        return dashboard.error_panels(model, PROFILES["test"].window)

    def dashboard_shows(self, fault_window: str = "injected") -> tuple[dict[str, str], list[c.Check], list[c.Check]]:
        """Returns (the queries to record, the steady checks, the fault checks) of "Check
        Grafana dashboard for error patterns": each error-pattern panel under its
        threshold line at steady state and over it under the fault. A dashboard with no
        error-pattern panel: one check that fails, naming why."""
        from runbook_drill.harness.alerts.rules import PROFILES
        from runbook_drill.harness.runbook.quantities import DURATION, seconds

        panels = self.error_panels()
        if not panels:
            return {}, [], [c.panels_found([], fault_window)]
        queries = {title: panel["expr"] for title, panel in panels.items()}
        # At steady state only what the panel shows of the steady state: its rate window
        # inside it (the last scenario's errors linger in a window reaching back).
        lookback = seconds(*re.fullmatch(DURATION, PROFILES["test"].window).groups())
        steady = [c.panel_shows(title, "steady", below=panel["threshold"], lookback_s=lookback)
                  for title, panel in panels.items()]
        fault = [c.panel_shows(title, fault_window, above=panel["threshold"]) for title, panel in panels.items()]
        return queries, steady, fault

    def claim(self, claim_id: str) -> str:
        """Returns the anchor of one of the runbook's parsed claims."""
        found = self.rb.claims[claim_id]
        return f"L{found.line}: {found.text}"

    def cites(self, section: str, words: str) -> str:
        """Returns the anchor of the runbook line of `section` that mentions `words`
        (raises RunbookError, drift, when the line is gone)."""
        claim = self.rb.section_line(section, words)
        return f"L{claim.line}: {claim.text}"
