"""Metrics to Monitor: every metric the runbook names is exported with the type its
name promises, and moves as the runbook says: requests and latency observations rise
with traffic, errors rise under a database fault, active connections are used, cache
hits rise on reads. And the telemetry the alerts stand on: every metric the alert
rules read is held by Prometheus.

The fault holds queries (a lock past the statement timeout: 500s), so active connections
are seen in use: the gauge is read at scrape instants, and a steady-state query lasts a
millisecond - a working gauge may read 0 at every steady scrape, a held query cannot."""

from __future__ import annotations

from harness.alerts import rules
from harness import checks as c
from harness.checks import REPLICAS
from harness.faults import make
from harness.run.scenario import Scenario
from scenarios.common import Oracle, suite_load

SECTION = "Metrics to Monitor"
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
        proves=[o.claim(f"metric.{m['name']}") for m in named])]
