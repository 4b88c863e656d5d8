"""Recent Incidents as regression scenarios: each passes on the reference build and fails
on a build with the incident's bug - pool exhaustion (2024-10-15: a pool too small for
the load), the connection leak (2024-09-22: connections never given back), the N+1
queries (2024-08-10: list pages slow under a few ms of database latency)."""

from __future__ import annotations

from runbook_drill.harness import checks as c
from runbook_drill.harness.checks import REPLICAS
from runbook_drill.harness.faults import make
from runbook_drill.harness.run.scenario import Scenario
from runbook_drill.scenarios.common import Oracle, suite_load

SECTION = "Recent Incidents"
LIST = "/users"
PAGE = 20  # users per list page, as the suite's load asks for them
ANSWERS_PER_QUERY = 1.6  # delayed answers per query of a page (measured: 21 queries, 650 ms at 20 ms each)
N_PLUS_ONE_MARGIN = 2.0  # how far past the threshold an N+1 page is made to be


def n_plus_one_latency_ms(p99_ms: float) -> int:
    """Returns the database latency at which a page loaded with N+1 queries (one per
    row) costs N_PLUS_ONE_MARGIN x the runbook's p99 threshold - far enough past it that
    a kill is no accident of the machine - while eager loading's two queries stay a
    fraction of it (a 500 ms threshold: 30 ms, N+1 ~1 s, eager ~0.1 s)."""
    return round(N_PLUS_ONE_MARGIN * p99_ms / ((PAGE + 1) * ANSWERS_PER_QUERY))


def scenarios(o: Oracle) -> list[Scenario]:
    pool, leak, n_plus_one = (o.rb.incident("pool exhaustion"), o.rb.incident("unclosed connections"),
                              o.rb.incident("N+1"))
    db_ms = n_plus_one_latency_ms(o.p99_ms)
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
            calibration={"postgres_latency_ms": db_ms, "why": f"derived from the threshold: a list page of "
                         f"{PAGE} costs at least {PAGE + 1} queries with N+1 ({ANSWERS_PER_QUERY:g} delayed answers "
                         f"each, measured on the bundled N+1 build: 650 ms at 20 ms), {N_PLUS_ONE_MARGIN:g}x the "
                         f"threshold at this latency; 2 queries with eager loading (~{4 * db_ms} ms): the threshold "
                         "separates them by a wide gap on any machine"}),
    ]
