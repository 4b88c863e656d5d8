"""High Error Rate (>1%): each of the runbook's common causes - database query
timeouts, invalid authentication tokens, rate limiting - pushes the error rate over the
runbook's threshold, with ERROR lines naming it (`kubectl logs ... | grep ERROR`) and
the errors metric rising."""

from __future__ import annotations

from runbook_drill.harness import checks as c
from runbook_drill.harness.checks import REPLICAS
from runbook_drill.harness.faults import make
from runbook_drill.harness.observe.counted import tampered
from runbook_drill.harness.observe.generator import LoadSpec
from runbook_drill.harness.run.scenario import Scenario
from runbook_drill.scenarios.common import Oracle, suite_load

SECTION = "High Error Rate"
LIST_PAGE = "/users?limit=20"


def _scenario(o: Oracle, sid: str, cause: str, title: str, fault, during: list[c.Check], **extra) -> Scenario:
    # "Check Grafana dashboard for error patterns": the dashboard's own error panels,
    # evaluated as it would show them, under their line at steady state, over it here.
    queries, panels_steady, panels_fault = o.dashboard_shows()
    spec = dict(
        id=sid, runbook=SECTION, title=title, fault=fault, load=suite_load(), steady=[*o.steady(), *panels_steady],
        during=[c.metric(REPLICAS, "http_requests_errors_total", "fault", "rises"), *during, *panels_fault],
        after=o.recovered(15), settle_s=0.5, fault_s=3.5, queries=queries,
        proves=[o.claim("threshold.error_rate"), o.claim("logs.error_grep"), o.cites(SECTION, cause),
                o.claim("metric.http_requests_errors_total"), o.cites(SECTION, "Grafana dashboard for error patterns")])
    spec.update(extra)
    return Scenario(**spec)


def scenarios(o: Oracle) -> list[Scenario]:
    return [
        _scenario(o, "errors-query-timeouts", "Database query timeouts",
                  "Queries past the statement timeout: 500s over the threshold, ERROR naming the timeout",
                  lambda: make("slow_queries"),
                  [c.error_rate("fault_steady", above=o.error_rate, statuses={500}),
                   o.error_log("query timeout"), c.pages_hold_users("fault"), *o.pages("HighErrorRate"),
                   o.quiet("ServiceDown")], fault_s=4,
                  # Every timed-out query held a connection: all of them back once recovered.
                  # Clients listing pages beside the load: reads that time out while they
                  # hold a connection, several per replica - a leak of one per timeout,
                  # whichever way the code loses it, is seen at the pool after recovery.
                  fault_load=LoadSpec(clients=8, think_s=0.1, timeout_s=10, path=LIST_PAGE),
                  after=[o.connections_returned(), *o.recovered(15)]),
        _scenario(o, "errors-invalid-tokens", "Invalid authentication tokens",
                  "Clients with bad tokens: 401s over the threshold, ERROR invalid token",
                  lambda: make("none"),
                  [c.error_rate("fault_steady", above=o.error_rate, statuses={401}),
                   o.error_log(o.rb.value("auth.symptom_log"))],
                  fault_load=LoadSpec(clients=2, think_s=0.05, token=tampered, timeout_s=5)),
        _scenario(o, "errors-rate-limited", "Rate limiting triggered",
                  "A client over its quota: 429s over the threshold, ERROR rate limit",
                  lambda: make("none"),
                  [c.error_rate("fault_steady", above=o.error_rate, statuses={429}),
                   o.error_log("rate limit")],
                  # One client over its quota at any machine's speed: 4 threads without
                  # pause pass the limit (100 per 10 s window) within a second of a window.
                  fault_load=LoadSpec(clients=4, think_s=0.0, timeout_s=5, one_client=True)),
    ]
