"""Checks read the history after the run and return a Verdict: pass, fail or unknown,
with the evidence (the samples) that decided it. One module per family, each with its
tests beside it in tests/unit/checks/; every family judges with the statistics of
harness/observe/statistics.py. `from harness import checks as c` gives them all."""

from runbook_drill.harness.checks.alerts import alert_fires, alert_resolves, alerts_quiet, paged, series_present  # noqa: F401
from runbook_drill.harness.checks.base import FAIL, MIN_SAMPLES, PASS, REPLICAS, UNKNOWN, Check, Verdict  # noqa: F401
from runbook_drill.harness.checks.conditions import condition_met  # noqa: F401
from runbook_drill.harness.checks.containers import (container, cpu_busy, docker_event, ended_on_sigterm, resource,  # noqa: F401
                                       resource_bounded)
from runbook_drill.harness.checks.logs import log_line  # noqa: F401
from runbook_drill.harness.checks.metrics import ANY_LABEL, USERS_ROUTES, metric, metric_at_most, metric_back_to_baseline, metric_contract  # noqa: F401
from runbook_drill.harness.checks.panels import panel_shows, panels_found  # noqa: F401
from runbook_drill.harness.checks.probes import UNANSWERED_MAX, probe_body, probe_fails, probe_status, probe_status_within  # noqa: F401
from runbook_drill.harness.checks.traffic import (database_requests_fail, error_rate, latency, pages_hold_users,  # noqa: F401
                                    replicas_answered, served)
