"""Recent Incidents as regression scenarios: each passes on the reference build and fails
on a build with the incident's bug - pool exhaustion (2024-10-15: a pool too small for
the load), the connection leak (2024-09-22: connections never given back), the N+1
queries (2024-08-10: list pages slow under a few ms of database latency)."""

from __future__ import annotations

from harness import checks as c
from harness.checks import REPLICAS
from harness.faults import make
from harness.run.scenario import Scenario
from scenarios.common import Oracle, suite_load

SECTION = "Recent Incidents"
LIST = "/users"


def scenarios(o: Oracle) -> list[Scenario]:
    pool, leak, n_plus_one = (o.rb.incident("pool exhaustion"), o.rb.incident("unclosed connections"),
                              o.rb.incident("N+1"))
    db_ms = 20
    pool_db_ms = 150
    return [
        Scenario(
            id="incident-pool-exhaustion", runbook=SECTION, title=pool.value["title"],
            fault=lambda: make("dependency_latency", dependency="postgres", latency_ms=pool_db_ms), load=suite_load(),
            steady=o.steady(),
            during=[c.error_rate("fault_steady", below=o.error_rate),
                    c.metric(REPLICAS, "db_connection_pool_timeouts_total", "fault", "stays")],
            after=o.recovered(15), settle_s=0.5, fault_s=4,
            proves=[f"L{pool.line}: {pool.text}"],
            calibration={"postgres_latency_ms": pool_db_ms, "why": "database requests (a quarter of the load) hold a "
                         "connection for a few round trips (~6 busy at once at this load): the reference pool (10 "
                         "per replica) has room, a pool too small for the load (2) runs out"}),
        Scenario(
            id="incident-connection-leak", runbook=SECTION, title=leak.value["title"],
            fault=lambda: make("redis_flushed"), load=suite_load(), steady=o.steady(),
            during=[c.error_rate("fault_steady", below=o.error_rate),
                    c.metric(REPLICAS, "db_connection_pool_timeouts_total", "fault", "stays")],
            recovery_settle_s=1,
            after=[c.metric_back_to_baseline(REPLICAS, "db_connection_pool_active", "recovery", "steady", slack=1),
                   *o.recovered(15)],
            settle_s=0.5, fault_s=3, proves=[f"L{leak.line}: {leak.text}"]),
        Scenario(
            id="incident-n-plus-one", runbook=SECTION, title=n_plus_one.value["title"],
            fault=lambda: make("dependency_latency", dependency="postgres", latency_ms=db_ms),
            load=suite_load(mix="1,1,0,0"), steady=o.steady(),
            during=[c.latency("fault_steady", below_ms=o.p99_ms, endpoint=LIST, method="GET")],
            # The window opens once the pools have grown to the load under the latency: a
            # new connection costs ~6 round trips (start-up, SCRAM, statements prepared
            # again) - ~0.4 s more on the first pages, a transient no build escapes.
            after=o.recovered(15), settle_s=2.0, fault_s=9,  # ~270 list pages: a p99 of 100 is the 2nd slowest
            proves=[f"L{n_plus_one.line}: {n_plus_one.text}", o.claim("threshold.p99_ms")],
            calibration={"postgres_latency_ms": db_ms, "why": "a list page of 20 costs 2 queries (~4 delayed "
                         "answers, ~80 ms) with eager loading and 22 queries (~0.9 s) with N+1: the threshold "
                         "separates them"}),
    ]
