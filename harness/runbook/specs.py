"""Where each claim the suite relies on stands in the runbook and how its value is read:
the section it belongs to, the kind of block that states it, and a pattern over the
block's plain text (markup gone, see `document`) - its words, not its layout."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from runbook_drill.harness.runbook.document import CODE, HEADING, ITEM, PARAGRAPH, ROW
from runbook_drill.harness.runbook.quantities import ABOVE, DURATION, PERCENT, fraction, milliseconds, seconds, whole

PROSE = (PARAGRAPH, ITEM, ROW)
LISTED = (ITEM, ROW)  # a list item, or a table row saying the same
ANY = (HEADING, PARAGRAPH, ITEM, ROW, CODE)


@dataclass(frozen=True)
class Spec:
    """How to find a claim: its section, the blocks that may state it, a pattern for
    their plain text, how the match becomes the value, and the text the drift message
    shows as expected."""

    id: str
    section: str
    pattern: str
    expected: str
    value: Callable[[re.Match], Any] = field(default=lambda m: m.group(1).strip())
    kinds: tuple[str, ...] = PROSE


def _words(text: str) -> list[str]:
    """The items of an enumeration: "A, B", "A and B", "A, B, and C"."""
    return [w.strip() for w in re.split(r",|;|\band\b", text.rstrip(".")) if w.strip()]


# The symptom text as quoted, in straight, curly or single quotes ("logs show" followed
# by unquoted words is no log text: drift, not a guess at where the text ends).
LOGS_SHOW = r"logs show\s*:?\s*[\"“'‘]([^\"”'’]+)[\"”'’]"


def _number(m: re.Match) -> int:
    return int(m.group(1))


def _label(name: str) -> str:
    """A label as a line starts it ("Endpoint:", "**Endpoint**:", "Endpoint -")."""
    return rf"^{name}\s*[:\-–—]\s*"


SPECS = [
    Spec("live.endpoint", "Liveness Probe", _label("Endpoint") + r"(?:GET\s+)?(/\S+)", "Endpoint: GET /health/live"),
    Spec("live.expected", "Liveness Probe", _label("Expected") + r"(?:HTTP\s*)?(\d{3})\b", "Expected: 200 OK", _number),
    Spec("live.failure_action", "Liveness Probe", _label("Failure action") + r"(.+)$", "Failure action: Restart pod"),
    Spec("ready.endpoint", "Readiness Probe", _label("Endpoint") + r"(?:GET\s+)?(/\S+)", "Endpoint: GET /health/ready"),
    Spec("ready.expected", "Readiness Probe", _label("Expected") + r"(?:HTTP\s*)?(\d{3})\b", "Expected: 200 OK", _number),
    Spec("ready.checks", "Readiness Probe", _label("Checks") + r"(.+)$",
         "Checks: Database connectivity, Redis connectivity", lambda m: _words(m.group(1))),
    Spec("ready.failure_action", "Readiness Probe", _label("Failure action") + r"(.+)$",
         "Failure action: Remove from load balancer"),
    # Thresholds and deadlines in any unit and comparison word: `p99 >500ms`, `p99 over
    # 0.5 s`, `> 1 percent`, `in 5 minutes`, `within 300s` - kept in the suite's units.
    Spec("threshold.error_rate", "High Error Rate", rf"^High Error Rate\s*\(\s*{ABOVE}\s*{PERCENT}\s*\)",
         "High Error Rate (>1%)", lambda m: fraction(m.group(1)), (HEADING,)),
    Spec("threshold.p99_ms", "High Latency", rf"^High Latency\s*\(\s*p99(?:\s+latency)?\s*{ABOVE}\s*{DURATION}\s*\)",
         "High Latency (p99 >500ms)", lambda m: milliseconds(m.group(1), m.group(2)), (HEADING,)),
    Spec("service_down.rollback_deadline_s", "Service is Down",
         rf"If rollback doesn['’]t resolve (?:in|within)\s+{DURATION}",
         "If rollback doesn't resolve in 5 minutes", lambda m: whole(seconds(m.group(1), m.group(2)))),
    Spec("service_down.rollback_command", "Service is Down", r"^(helm rollback \S+.*)$",
         "helm rollback user-api -n production", kinds=(CODE,)),
    Spec("latency.scale_replicas", "High Latency", r"kubectl scale deployment \S+ --replicas=(\d+)",
         "kubectl scale deployment user-api --replicas=5", _number, ANY),
    Spec("db.symptom_status", "Database Connection Failures", _label("Symptoms") + r"(\d{3}) errors",
         "Symptoms: 500 errors, ...", _number),
    Spec("db.symptom_log", "Database Connection Failures", LOGS_SHOW, 'logs show "connection refused"'),
    Spec("auth.symptom_status", "Authentication Failures", _label("Symptoms") + r"(\d{3}) errors",
         "Symptoms: 401 errors, ...", _number),
    Spec("auth.symptom_log", "Authentication Failures", LOGS_SHOW, 'logs show "invalid token"'),
    Spec("memory.symptom_restarts", "Memory Leaks", _label("Symptoms") + r"(Pods restarting frequently)",
         "Symptoms: Pods restarting frequently, ..."),
    Spec("memory.symptom_event", "Memory Leaks", _label("Symptoms") + r".*?(OOMKilled)",
         "Symptoms: ..., OOMKilled in events"),
    Spec("escalation.primary", "Escalation Path", _label("Primary On-Call") + r"(.+?)\s*(?:\(auto-paged\)|[-–—]\s*auto-paged\b)",
         "Primary On-Call: Platform Team (auto-paged)"),
    Spec("logs.error_grep", "High Error Rate", r"kubectl logs .*\|\s*grep\s+(\w+)", "kubectl logs ... | grep ERROR",
         kinds=(CODE,)),
]

# The lists read item by item: each item of the section that matches is a claim.
METRIC = Spec("metric", "Metrics to Monitor", r"^([a-z_:][a-z0-9_:]*)\s*(?:[-–—:]\s*(.+?)|\((.+)\))\s*$",
              "http_requests_total - Total requests", kinds=LISTED)
INCIDENT = Spec("incident", "Recent Incidents", r"^(\d{4}-\d{2}-\d{2})\s*[:\-–—]?\s*(.+?)\s+[-–—]\s+(.+)$",
                "2024-10-15: Database connection pool exhaustion - Increased pool size", kinds=LISTED)
