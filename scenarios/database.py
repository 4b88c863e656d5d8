"""Database Connection Failures: "500 errors, logs show 'connection refused'" for each
root cause - the database refused, its pod restarted, traffic blocked by a network
policy, the pool exhausted - then the runbook's resolution performed for real: the
database verified running, traffic allowed again, user-api restarted to refresh its
pool; and service recovers.

Symptoms have phases: the replicas answer 500 in the first moments (fault_onset), until
readiness takes them out of the load balancer, which then answers 503 itself ("Service
is Down"). The 500s are judged in the onset, the log lines over the whole fault."""

from __future__ import annotations

from runbook_drill.harness import checks as c
from runbook_drill.harness.checks import REPLICAS
from runbook_drill.harness.errors import HarnessError
from runbook_drill.harness.faults import make
from runbook_drill.harness.observe.generator import LoadSpec
from runbook_drill.harness.run.scenario import Scenario
from runbook_drill.scenarios.common import Oracle, removal_s, suite_load

SECTION = "Database Connection Failures"


def _restart_pods(stack) -> None:
    """Resolution: verify the database runs (step 1), then restart every replica to
    refresh its pool (step 3); step 2 (traffic allowed again) is the heal before it."""
    import psycopg

    try:
        with psycopg.connect(stack.postgres.get_connection_url(), connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        raise HarnessError(f"resolution step 1: the database is not running: {exc}") from None
    stack.restart_replicas()


def _scenario(o: Oracle, sid: str, cause: str, title: str, fault, log_text: str, **extra) -> Scenario:
    status = o.rb.value("db.symptom_status")
    spec = dict(
        id=sid, runbook=SECTION, title=title, fault=fault, load=suite_load(), steady=o.steady(),
        during=[c.error_rate("fault_onset", above=o.error_rate, statuses={status}), o.error_log(log_text)],
        remediation=_restart_pods, remediation_name="verify the database runs; restart user-api pods",
        # The restart is the liveness failure action's too: each pod ends on SIGTERM.
        after=[*o.recovered(20), c.ended_on_sigterm(REPLICAS, "recovery")], settle_s=0.5, onset_s=removal_s(),
        fault_s=removal_s() + 1,
        guards=[o.replicas_answered()],
        proves=[o.claim("db.symptom_status"), o.claim("db.symptom_log"), o.cites(SECTION, cause),
                o.cites(SECTION, "Restart user-api pods")])
    spec.update(extra)
    # What each user got, not only the aggregate: no list page hides the failure as "no users".
    spec["during"] = [*spec["during"], c.pages_hold_users("fault")]
    return Scenario(**spec)


def scenarios(o: Oracle) -> list[Scenario]:
    refused = o.rb.value("db.symptom_log")
    return [
        _scenario(o, "db-refused", "Verify database pods are running",
                  "The database refuses connections: 500s, ERROR connection refused",
                  lambda: make("dependency_refused", dependency="postgres"), refused,
                  # Per request, by what it needs: every list page, create and update a replica
                  # answered is a 500 (a read may come from the cache), not only the aggregate.
                  during=[c.error_rate("fault_onset", above=o.error_rate, statuses={o.rb.value("db.symptom_status")}),
                          o.error_log(refused),
                          c.database_requests_fail("fault", o.rb.value("db.symptom_status"))],
                  # List pages beside the suite's load while the replicas still answer: a fifth
                  # of its requests need the database, and an image whose readiness fails at
                  # once gave its replicas 9 of them to judge (unknown, not proven).
                  fault_load=LoadSpec(clients=4, think_s=0.05, timeout_s=5, list_share=1.0)),
        _scenario(o, "db-pod-restarted", "Database pod restarted",
                  "The database restarts: 500s while it is gone, ERROR naming the lost connection; pods restarted",
                  lambda: make("db_restart"), "connection"),
        _scenario(o, "db-traffic-blocked", "Network policy blocking traffic",
                  "Traffic to the database black-holed: requests fail, ERROR naming the timeout",
                  lambda: make("dependency_timeout", dependency="postgres", timeout_ms=0), "timeout",
                  during=[c.error_rate("fault", above=o.error_rate, statuses={500}), o.error_log("timeout")],
                  fault_s=removal_s() + 3,
                  proves=[o.claim("db.symptom_status"), o.cites(SECTION, "Network policy blocking traffic"),
                          o.cites(SECTION, "network policies allow traffic"),
                          o.cites(SECTION, "Restart user-api pods")]),
        _scenario(o, "db-pool-exhausted", "Connection pool exhausted",
                  "Every pooled connection held: 500s, ERROR pool exhausted; pods restarted",
                  lambda: make("pool_exhaustion", db_pool_max=2, pool_timeout_s=0.5), "pool exhausted",
                  # Over the whole fault: an image whose readiness shares the request pool
                  # leaves the load balancer once its 500s begin (a choice the runbook leaves
                  # open); one with a connection of its own keeps answering 500s. Both show it.
                  settle_s=0.5, during=[c.error_rate("fault", above=o.error_rate, statuses={500}),
                                        o.error_log("pool exhausted")]),
    ]
