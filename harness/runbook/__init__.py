"""The runbook as the oracle. Everything the suite relies on - probe endpoints and
codes, readiness checks, failure actions, metric names, thresholds, symptom strings,
the rollback deadline, the scale-up replica count, the incident list - is read from the
runbook's text, never re-typed in code. Each value is a Claim anchored by the line it
comes from; a claim whose text is gone, or changed so it no longer parses, is drift
(RunbookError names the text), and a run stops before it starts anything.

The project's copy lives in runbook/user-api-runbook.md; `--runbook PATH` reads
another (a team checks its own edited runbook)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from harness.errors import ConfigError

RUNBOOK = Path(__file__).resolve().parent.parent / "runbook" / "user-api-runbook.md"


class RunbookError(ConfigError):
    """The runbook no longer states something the suite relies on (drift): exit 2."""


@dataclass(frozen=True)
class Claim:
    """One machine-checkable statement of the runbook: its id, section, the line it is
    anchored to (1-based), that line's text, and the value read from it."""

    id: str
    section: str
    line: int
    text: str
    value: Any


@dataclass(frozen=True)
class _Spec:
    """How to find a claim: the section it must stand in, a pattern for its line, and
    how to turn the match into a value."""

    id: str
    section: str
    pattern: str
    value: Callable[[re.Match], Any] = field(default=lambda m: m.group(1))
    describe: str = ""
    example: str = ""  # the kind of line it reads, for the drift message


def _words(text: str) -> list[str]:
    return [w.strip() for w in text.split(",") if w.strip()]


SPECS = [
    _Spec("live.endpoint", "Liveness Probe", r"Endpoint:\s*`GET\s+(/\S+)`", describe="liveness endpoint", example='- Endpoint: `GET /health/live`'),
    _Spec("live.expected", "Liveness Probe", r"Expected:\s*(\d{3})\b", lambda m: int(m.group(1)), example='- Expected: 200 OK'),
    _Spec("live.failure_action", "Liveness Probe", r"Failure action:\s*(.+)$", lambda m: m.group(1).strip(), example='- Failure action: Restart pod'),
    _Spec("ready.endpoint", "Readiness Probe", r"Endpoint:\s*`GET\s+(/\S+)`", example='- Endpoint: `GET /health/ready`'),
    _Spec("ready.expected", "Readiness Probe", r"Expected:\s*(\d{3})\b", lambda m: int(m.group(1)), example='- Expected: 200 OK'),
    _Spec("ready.checks", "Readiness Probe", r"Checks:\s*(.+)$", lambda m: _words(m.group(1)), example='- Checks: Database connectivity, Redis connectivity'),
    _Spec("ready.failure_action", "Readiness Probe", r"Failure action:\s*(.+)$", lambda m: m.group(1).strip(), example='- Failure action: Remove from load balancer'),
    _Spec("threshold.error_rate", "High Error Rate", r"^###\s*High Error Rate \(>\s*([\d.]+)%\)",
          lambda m: float(m.group(1)) / 100, example='### High Error Rate (>1%)'),
    _Spec("threshold.p99_ms", "High Latency", r"^###\s*High Latency \(p99\s*>\s*([\d.]+)\s*ms\)",
          lambda m: float(m.group(1)), example='### High Latency (p99 >500ms)'),
    _Spec("service_down.rollback_deadline_s", "Service is Down",
          r"If rollback doesn't resolve in (\d+) minutes?", lambda m: int(m.group(1)) * 60, example="If rollback doesn't resolve in 5 minutes"),
    _Spec("service_down.rollback_command", "Service is Down", r"^\s*(helm rollback \S+.*)$", example='helm rollback user-api -n production'),
    _Spec("latency.scale_replicas", "High Latency", r"kubectl scale deployment \S+ --replicas=(\d+)",
          lambda m: int(m.group(1)), example='kubectl scale deployment user-api --replicas=5'),
    _Spec("db.symptom_status", "Database Connection Failures", r"\*\*Symptoms\*\*:\s*(\d{3}) errors",
          lambda m: int(m.group(1)), example='**Symptoms**: 500 errors, ...'),
    _Spec("db.symptom_log", "Database Connection Failures", r"logs show \"([^\"]+)\"", example='logs show "connection refused"'),
    _Spec("auth.symptom_status", "Authentication Failures", r"\*\*Symptoms\*\*:\s*(\d{3}) errors",
          lambda m: int(m.group(1)), example='**Symptoms**: 401 errors, ...'),
    _Spec("auth.symptom_log", "Authentication Failures", r"logs show \"([^\"]+)\"", example='logs show "invalid token"'),
    _Spec("memory.symptom_restarts", "Memory Leaks", r"\*\*Symptoms\*\*:\s*(Pods restarting frequently)", example='**Symptoms**: Pods restarting frequently, ...'),
    _Spec("memory.symptom_event", "Memory Leaks", r"\*\*Symptoms\*\*:.*?(OOMKilled)", example='**Symptoms**: ..., OOMKilled in events'),
    _Spec("escalation.primary", "Escalation Path", r"\*\*Primary On-Call\*\*:\s*(.+?)\s*\(auto-paged\)",
          example='1. **Primary On-Call**: Platform Team (auto-paged)'),
    _Spec("logs.error_grep", "High Error Rate", r"kubectl logs .*\|\s*grep\s+(\w+)", example='kubectl logs ... | grep ERROR'),
]
METRIC_PATTERN = r"^-\s*`([a-z_:][a-z0-9_:]*)`\s*-\s*(.+)$"
INCIDENT_PATTERN = r"^-\s*(\d{4}-\d{2}-\d{2}):\s*(.+?)\s*-\s*(.+)$"


class Runbook:
    """A parsed runbook: its lines, the sections they stand in, and its claims."""

    def __init__(self, path: Path = RUNBOOK) -> None:
        self.path = Path(path)
        try:
            self.text = self.path.read_text()
        except OSError as exc:
            raise RunbookError(f"cannot read the runbook {path}: {exc.strerror or exc}") from None
        self.lines = self.text.splitlines()
        self.sections = self._sections()
        self.claims: dict[str, Claim] = {}
        for spec in SPECS:
            self.claims[spec.id] = self._find(spec)
        self._metrics()
        self._incidents()

    def _sections(self) -> list[str]:
        """Returns, per line, the innermost heading it stands under (and keeps, in
        `self.paths`, every heading above it: "Readiness Probe" under "Health Checks")."""
        stack: list[tuple[int, str]] = []
        out, self.paths = [], []
        for line in self.lines:
            heading = re.match(r"^(#{1,4})\s+(.+)$", line)
            if heading:
                depth = len(heading.group(1))
                stack = [(d, t) for d, t in stack if d < depth] + [(depth, heading.group(2).strip())]
            out.append(stack[-1][1] if stack else "")
            self.paths.append([t for _, t in stack])
        return out

    def _under(self, number: int, section: str) -> bool:
        return any(heading.startswith(section) for heading in self.paths[number - 1])

    def _find(self, spec: _Spec) -> Claim:
        for number, (line, section) in enumerate(zip(self.lines, self.sections), start=1):
            if not section.startswith(spec.section):
                continue
            match = re.search(spec.pattern, line)
            if match:
                return Claim(spec.id, section, number, line.strip(), spec.value(match))
        raise RunbookError(f"{self.path}: drift: section {spec.section!r} has no line like {spec.example!r} "
                           f"(claim {spec.id}; pattern {spec.pattern!r})")

    def _list_claims(self, section: str, pattern: str, make: Callable[[re.Match], tuple[str, Any]]) -> list[Claim]:
        found = []
        for number, (line, where) in enumerate(zip(self.lines, self.sections), start=1):
            match = re.match(pattern, line.strip()) if where.startswith(section) else None
            if match:
                claim_id, value = make(match)
                found.append(Claim(claim_id, where, number, line.strip(), value))
        if not found:
            raise RunbookError(f"{self.path}: drift: section {section!r} lists nothing matching {pattern!r}")
        self.claims.update({c.id: c for c in found})
        return found

    def _metrics(self) -> None:
        self._list_claims("Metrics to Monitor", METRIC_PATTERN,
                          lambda m: (f"metric.{m.group(1)}", {"name": m.group(1), "meaning": m.group(2).strip()}))

    def _incidents(self) -> None:
        self._list_claims("Recent Incidents", INCIDENT_PATTERN,
                          lambda m: (f"incident.{m.group(1)}", {"date": m.group(1), "title": m.group(2).strip(),
                                                                 "fix": m.group(3).strip()}))

    # What scenarios read ------------------------------------------------------------

    def value(self, claim_id: str) -> Any:
        """Returns the value of a claim; raises RunbookError naming an unknown one."""
        if claim_id not in self.claims:
            raise RunbookError(f"{self.path}: no claim {claim_id!r}")
        return self.claims[claim_id].value

    def metric_names(self) -> list[str]:
        return [c.value["name"] for c in self.claims.values() if c.id.startswith("metric.")]

    def incidents(self) -> list[dict]:
        return [c.value for c in self.claims.values() if c.id.startswith("incident.")]

    def incident(self, words: str) -> Claim:
        """Returns the incident claim whose title contains `words` (case-insensitive);
        raises RunbookError (drift) when none does."""
        for claim in self.claims.values():
            if claim.id.startswith("incident.") and words.lower() in claim.value["title"].lower():
                return claim
        raise RunbookError(f"{self.path}: drift: no recent incident mentions {words!r}")

    def section_line(self, section: str, words: str) -> Claim:
        """Returns the line of `section` that contains `words` (a cause, a resolution
        step) as a claim; raises RunbookError (drift) when it is gone."""
        for number, (line, where) in enumerate(zip(self.lines, self.sections), start=1):
            if self._under(number, section) and words.lower() in line.lower():
                return Claim(f"line.{number}", where, number, line.strip(), words)
        raise RunbookError(f"{self.path}: drift: section {section!r} no longer mentions {words!r}")

    def section_text(self, section: str) -> str:
        """Returns the Markdown of one section (its heading and body)."""
        out = [line for line, where in zip(self.lines, self.sections) if where == section]
        return "\n".join(out)


@lru_cache(maxsize=None)
def load(path: Path | str = RUNBOOK) -> Runbook:
    """Returns the parsed runbook at `path` (cached); raises RunbookError on drift."""
    return Runbook(Path(path))


def error_rate_threshold(path: Path = RUNBOOK) -> float:
    """Returns the "High Error Rate (>N%)" threshold as a fraction (0.01 for 1%)."""
    return Runbook(path).value("threshold.error_rate")


def p99_threshold_ms(path: Path = RUNBOOK) -> float:
    """Returns the "High Latency (p99 >Nms)" threshold in milliseconds."""
    return Runbook(path).value("threshold.p99_ms")
