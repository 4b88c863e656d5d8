"""Memory Leaks: "Pods restarting frequently, OOMKilled in events" when a replica needs
more memory than its limit, and the runbook's temporary fix (increase memory limits)
making it stable; large result sets refused (the service paginates) with memory bounded;
and connections given back to the pool after database faults flap under load (no
unclosed connections, whether a request failed before taking one or after)."""

from __future__ import annotations

from runbook_drill.harness import checks as c
from runbook_drill.harness.checks import REPLICAS
from runbook_drill.harness.faults import make
from runbook_drill.harness.observe.generator import LoadSpec
from runbook_drill.harness.run.scenario import Scenario
from runbook_drill.scenarios.common import Oracle, replica_restarted, suite_load

SECTION = "Memory Leaks"
RAISED_LIMIT = "1g"
UNPAGINATED = "/users?limit=100000"  # every user at once: above the page maximum
SHORT_STATEMENT_MS = 300  # the flapping's statement timeout: a lock held LOCKED_S fails every query taken
LOCKED_S = 1.0
SLOW_ANSWER_MS = 1500  # past the probe's 1 s timeout: a check that gives up cancels its query


def _raise_memory_limits(stack) -> None:
    for replica in stack.replicas:
        stack.update_limits(replica, memory=RAISED_LIMIT)
    for replica in stack.replicas:
        stack.wait_ready(replica)


def _short_statements(stack) -> None:
    """Replicas whose statement timeout is short (the knob), for the whole scenario: a
    query that waits on the lock fails on the connection it has taken."""
    stack.redeploy(stack.config.profile.knob_env({"db_statement_timeout_ms": SHORT_STATEMENT_MS}))


def _flapping(stack) -> None:
    """Under load, the ways a request fails and could keep its connection: the database
    refused and allowed three times (the connection never taken), every table locked
    past the statement timeout twice (queries fail after taking theirs), then answers
    slower than the readiness probe's timeout (checks cancelled mid-query)."""
    for _ in range(3):
        _flap(stack, make("dependency_refused", dependency="postgres"), 0.5)
    for _ in range(2):
        _flap(stack, make("slow_queries"), LOCKED_S)
    _flap(stack, make("dependency_latency", dependency="postgres", latency_ms=SLOW_ANSWER_MS), 2.0)


def _flap(stack, fault, seconds: float) -> None:
    fault.inject(stack)
    _pause(seconds)
    fault.heal(stack)
    _pause(0.5)


def _pause(seconds: float) -> None:
    import time

    time.sleep(seconds)  # the length of one flap: the fault's shape, not a synchronisation


def scenarios(o: Oracle) -> list[Scenario]:
    return [
        Scenario(
            id="memory-oom-restarts", runbook=SECTION,
            title="A memory limit below the working set: OOMKilled, restarting; raising the limit stabilises",
            fault=lambda: make("memory_pressure", below_need=0.5), load=suite_load(), steady=o.steady(),
            during=[c.docker_event(REPLICAS, "oom", "fault"), c.container(REPLICAS, "restart_count", "fault",
                                                                            rises=True)],
            remediation=_raise_memory_limits, remediation_name="Increase memory limits", heal_first=False,
            after=[c.container(REPLICAS, "restart_count", "recovered", stays=True), *o.recovered(30)],
            settle_s=0.5, settled_when=replica_restarted(), settle_max_s=30, fault_s=6, recovery_settle_s=1,
            proves=[o.claim("memory.symptom_restarts"), o.claim("memory.symptom_event"),
                    o.cites(SECTION, "Increase memory limits")],
            calibration={"limit": "half the working set (resident, not page cache), applied with a restart",
                         "why": "below what the process needs to start, so it is OOM-killed at every start: "
                         "restarting frequently, as a deployment whose limit is too low for its working set",
                         "window": "the fault's windows follow the first restart seen (at most 30 s): a small "
                         "process held at the engine's 6 MiB minimum outgrows it only under load"}),
        Scenario(
            id="memory-large-result-sets", runbook=SECTION,
            title="Unpaginated requests are refused (400) and memory stays bounded",
            fault=lambda: make("none"), load=suite_load(), steady=o.steady(),
            fault_load=LoadSpec(clients=4, think_s=0.2, timeout_s=10, path=UNPAGINATED),
            during=[c.error_rate("fault_steady", above=0.9, statuses={400}, endpoint=UNPAGINATED),
                    c.resource_bounded(REPLICAS, "memory_bytes", "fault_steady", "steady", slack=32 * 2**20)],
            after=o.recovered(15), settle_s=0.5, fault_s=4,
            proves=[o.cites(SECTION, "Large result sets not paginated")]),
        Scenario(
            id="memory-unclosed-connections", runbook=SECTION,
            title="Database faults flapping under load: the pool gives every connection back",
            fault=lambda: make("none"), load=suite_load(), steady=o.steady(), prepare=_short_statements,
            during=[], remediation=_flapping,
            remediation_name=f"database refused and allowed 3 times, locked past a {SHORT_STATEMENT_MS} ms "
                             f"statement timeout twice, answering {SLOW_ANSWER_MS} ms late once",
            heal_first=True, recovery_settle_s=3,
            after=[o.connections_returned(), *o.recovered(20)],
            settle_s=0, fault_s=0.5,
            proves=[o.cites(SECTION, "Unclosed database connections"), o.claim("metric.db_connection_pool_active"),
                    o.claim(o.rb.incident("unclosed connections").id)]),
    ]
