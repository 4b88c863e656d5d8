"""Health Checks: liveness and readiness as the runbook defines them - live 200 even
with a dependency down, ready 200 only with the database and Redis up (otherwise a
failed probe, as Kubernetes counts one: any other status, or no answer within the
probe's timeout; the body is the service's own), an unready replica taken out of the
load balancer, a frozen replica failing liveness and restarted."""

from __future__ import annotations

from runbook_drill.harness import checks as c
from runbook_drill.harness.checks import REPLICAS
from runbook_drill.harness.faults import make
from runbook_drill.harness.run.scenario import Scenario
from runbook_drill.scenarios.common import Oracle, removal_s, suite_load

SECTION = "Health Checks"


def _dependency_down(o: Oracle, sid: str, fault, check_name: str, words: str) -> Scenario:
    return Scenario(
        id=sid, runbook=SECTION, title=f"{check_name.capitalize()} down: readiness fails, liveness holds",
        fault=fault, load=suite_load(), steady=o.steady(),
        during=[c.probe_fails(REPLICAS, o.ready, "fault_steady", share=0.95),
                c.probe_status(REPLICAS, o.live, o.live_ok, "fault"),
                c.container(REPLICAS, "restart_count", "fault", stays=True)],
        # Connections the dependency's loss broke are given back, not kept (a retry that
        # takes a fresh one and forgets the first).
        after=[o.connections_returned(), *o.recovered(15)], settle_s=1.0, fault_s=3,
        proves=[o.claim("ready.checks"), o.claim("ready.expected"), o.claim("live.expected"),
                o.cites("Health Checks", words)])


def scenarios(o: Oracle) -> list[Scenario]:
    return [
        Scenario(
            id="health-baseline", runbook=SECTION, title="Steady state: every probe 200, under the thresholds",
            fault=lambda: make("none"), load=suite_load(), steady=o.steady() + [o.quiet(window="steady")],
            during=o.steady("fault") + [o.quiet(window="fault")],
            settle_s=0, fault_s=3, recovery_s=0,
            proves=[o.claim("live.endpoint"), o.claim("live.expected"), o.claim("ready.endpoint"),
                    o.claim("ready.expected"), o.claim("threshold.error_rate"), o.claim("threshold.p99_ms")]),
        _dependency_down(o, "health-db-down", lambda: make("dependency_refused", dependency="postgres"),
                         "database", "Database connectivity"),
        _dependency_down(o, "health-redis-down", lambda: make("redis_down"), "redis", "Redis connectivity"),
        Scenario(
            id="health-replica-unready", runbook=SECTION,
            title="An unready replica gets no traffic; the others serve",
            fault=lambda: make("replica_unready", replica=0), load=suite_load(), steady=o.steady(),
            during=[c.probe_fails("replica-0", o.ready, "fault_steady"),
                    c.probe_status("replica-0", o.live, o.live_ok, "fault_steady"),
                    c.metric("replica-0", "http_requests_total", "fault_steady", "stays",
                             labels=c.USERS_ROUTES),  # whatever label and values name the route
                    c.error_rate("fault_steady", below=o.error_rate)],
            after=o.recovered(15), settle_s=removal_s(), fault_s=3,
            proves=[o.claim("ready.failure_action")]),
        Scenario(
            id="health-app-frozen", runbook=SECTION, title="A frozen replica fails liveness; restarting it recovers",
            fault=lambda: make("app_frozen", replica=0), load=suite_load(), steady=o.steady(),
            during=[c.probe_status("replica-0", o.live, None, "fault_steady", share=0.9),
                    c.probe_status("replica-1", o.live, o.live_ok, "fault_steady")],
            remediation=lambda stack: stack.replace_replica(0), remediation_name=o.rb.value("live.failure_action"),
            heal_first=False, after=[c.probe_status_within("replica-0", o.live, o.live_ok, "recovery", 10),
                                     *o.recovered(15)],
            settle_s=1.5, fault_s=3,
            proves=[o.claim("live.failure_action"), o.claim("live.expected")]),
    ]
