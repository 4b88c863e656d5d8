"""Metrics to Monitor: every metric the runbook names is exported with the type its
name promises, and moves as the runbook says: requests and latency observations rise
with traffic, errors rise under a database fault, active connections are used, cache
hits rise on reads. And the telemetry the alerts stand on: every metric the alert
rules read is held by Prometheus.

The fault holds queries (a lock past the statement timeout: 500s), so active connections
are seen in use: the gauge is read at scrape instants, and a steady-state query lasts a
millisecond - a working gauge may read 0 at every steady scrape, a held query cannot.

Existing and moving is not counting what the line says. Two scenarios judge each metric
by what it counts, under a counted load straight to one replica at rest
(harness.observe.counted): so many reads after a FLUSHALL and the same reads again, so
many requests with a forged token - each /users request once in the requests counter
and the histogram, whose mean lies within the clients'; the forged ones in the error
count, the served ones not; each second read one more hit and one less miss than its
first - and so many connections held at once behind a slow database, read by the gauge
as held and as none at rest."""

from __future__ import annotations

from runbook_drill.harness.alerts import rules
from runbook_drill.harness import checks as c
from runbook_drill.harness.checks import REPLICAS
from runbook_drill.harness.checks import counted as n
from runbook_drill.harness.faults import make
from runbook_drill.harness.observe.counted import CountedLoad, Phase
from runbook_drill.harness.run.scenario import Scenario
from runbook_drill.scenarios.common import Oracle, suite_load

SECTION = "Metrics to Monitor"
ACTIVE = "db_connection_pool_active"
READS = 30  # a phase's reads: 30 users, each read once (enough that a metric off by one in 3 misses by 10)
HELD = 3  # connections held at once (a pool of at least 3, the contract says)
HELD_DB_MS = 200  # the database's latency while they are held: each query holds its connection that long
# How each named metric "moves as claimed", by the meaning the runbook gives it.
MOVES = {"Total requests": ("steady", "rises"), "Request latency": ("steady", "rises"),
         "Error count": ("fault", "rises"), "Cache hit rate": ("steady", "rises"),
         "Active DB connections": ("fault", "reaches")}


def _moves(name: str, meaning: str) -> c.Check:
    window, change = MOVES.get(meaning, ("steady", "rises"))
    sample = f"{name}_count" if name.endswith("_seconds") else name
    return c.metric(REPLICAS, sample, window, change, value=1 if change == "reaches" else None)


def scenarios(o: Oracle) -> list[Scenario]:
    named = [claim.value for claim in o.rb.claims.values() if claim.id.startswith("metric.")]
    # Judged after the fault: a labelled counter has no series until its first count
    # (client_golang exports an empty vector as nothing), and the errors come with the fault.
    contract = [c.metric_contract("replica-0", m["name"], "recovery") for m in named]
    moves = [_moves(m["name"], m["meaning"]) for m in named]
    return [Scenario(
        id="metrics-contract", runbook=SECTION,
        title="Every named metric exists with its type and moves as claimed",
        fault=lambda: make("slow_queries"), load=suite_load(),
        steady=[*[m for m in moves if m.window == "steady"],
                c.series_present(sorted(rules.metrics_used(rules.PROFILES["test"])), "steady")],
        during=[m for m in moves if m.window == "fault"], after=[*contract, *o.recovered(20)],
        steady_s=2.5, settle_s=0.5, fault_s=3.5,  # steady: enough scrapes to see counters rise
        proves=[o.claim(f"metric.{m['name']}") for m in named]), *counted_scenarios(o)]


def counted_scenarios(o: Oracle) -> list[Scenario]:
    """The metrics judged by what they count (see the module's docstring)."""
    return [_counts(o), _held(o)]


def _counts(o: Oracle) -> Scenario:
    reads = ("misses", "hits")
    load = CountedLoad(phases=(Phase("misses", requests=READS, ids=READS), Phase("hits", requests=READS, ids=READS),
                               Phase("rejected", requests=READS, ids=READS, tampered=True)), client=900)
    return Scenario(
        id="metrics-counted", runbook=SECTION, title="Each metric counts what its line says, under a counted load",
        fault=lambda: make("redis_flushed"), load=None, fault_load=load,
        steady=[c.metric_at_most("replica-0", ACTIVE, "steady", 1)],
        during=[n.counted(reads, "http_requests_total", n.successes, "fault", labels=c.USERS_ROUTES, tolerance=0.02),
                n.counted(reads, f"{n.DURATION}_count", n.successes, "fault", labels=c.USERS_ROUTES, tolerance=0.02),
                n.server_time(reads, "fault"),
                # Total means total: the 401s count as requests too, in the counter and the
                # histogram (a request rate that drops when the service fails misleads).
                n.counted(("rejected",), "http_requests_total", n.answered, "fault", labels=c.USERS_ROUTES,
                          tolerance=0.02),
                n.counted(("rejected",), f"{n.DURATION}_count", n.answered, "fault", labels=c.USERS_ROUTES,
                          tolerance=0.02),
                n.counted(("rejected",), "http_requests_errors_total", n.failures, "fault"),
                n.counted(reads, "http_requests_errors_total", n.nothing, "fault"),
                n.counted(("hits",), "redis_hits_total", n.successes, "fault", minus=("misses",),
                          what="one per second read"),
                n.counted(("misses",), "redis_misses_total", n.successes, "fault", minus=("hits",),
                          what="one per first read")],
        fault_s=2.0, settle_s=0.0,
        proves=[o.claim(f"metric.{name}") for name in ("http_requests_total", "http_request_duration_seconds",
                                                       "http_requests_errors_total", "redis_hits_total")])


def _held(o: Oracle) -> Scenario:
    held = Phase("held", method="PATCH", path="/users/{id}", clients=HELD, ids=HELD, hold_s=2.5,
                 body={"name": "drill held"})
    return Scenario(
        id="metrics-connections-held", runbook=SECTION,
        title="Active DB connections reads the connections held, and none at rest",
        fault=lambda: make("dependency_latency", dependency="postgres", latency_ms=HELD_DB_MS), load=None,
        fault_load=CountedLoad(phases=(held,), client=901),
        steady=[c.metric_at_most("replica-0", ACTIVE, "steady", 1)],
        during=[c.metric("replica-0", ACTIVE, "fault", "reaches", value=HELD),
                n.server_time(("held",), "fault", at_least=0.5)],
        after=[c.metric_at_most("replica-0", ACTIVE, "recovery", 1)],
        fault_s=2.0, settle_s=0.0, steady_s=1.5,
        proves=[o.claim("metric.db_connection_pool_active"), o.claim("metric.http_request_duration_seconds")])
