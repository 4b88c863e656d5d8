"""The runbook coverage: every line of the runbook, with the scenarios that prove it,
the harness's equivalent of a kubectl/helm command, or why a machine cannot check it.
A line that is none of these is "not covered" - an edit that adds a claim shows up.

Lines are judged by the Markdown block they start (a list item, a paragraph, a code
line) and its plain text, so a reformatted runbook reads the same; a line that starts no
block (blank, a fence, a heading, the rest of a wrapped paragraph) is structure."""

from __future__ import annotations

import re
from dataclasses import dataclass

from runbook_drill.harness.runbook import Runbook
from runbook_drill.harness.runbook.document import CODE, HEADING, Block

# kubectl / helm -> what the harness performs or observes instead.
EQUIVALENTS = [
    (r"kubectl get pods", "container state of every replica (status, restarts, OOMKilled), observed"),
    (r"kubectl describe pod", "container state and the engine's events (oom, die, start), observed"),
    (r"kubectl logs .*grep (\w+)", "the {0} lines of every replica's logs, collected and searched"),
    (r"kubectl top pods", "CPU throttling and memory readings of every replica (engine stats), observed"),
    (r"helm rollback", "every replica redeployed with the previous image (performed)"),
    (r"kubectl scale deployment \S+ --replicas=(\d+)", "the deployment scaled to {0} replicas (performed)"),
]
NOT_CHECKABLE = [
    (r"manual page", "a manual page: a person decides to escalate (the automatic page is proved)"),
    (r"page|Escalation|On-Call|Manager|CTO|Executive", "paging and escalating to people"),
    (r"Review recent code changes", "a person's review of code"),
    (r"slow query log", "reading a log a person interprets (the symptom itself is proved by the slow-query scenarios)"),
    (r"incident ticket|profiling session|Memory profiling needed", "a process step for people"),
    (r"wiki", "a pointer to another document"),
    (r"Reduce replica count temporarily to spread load", "not checked: fewer replicas concentrate load rather "
     "than spread it - the step contradicts itself; flagged for the runbook's owners"),
    (r"On-call procedures", "the runbook's title text"),
    (r"^(Root causes|Resolution|Symptoms)\s*:?$|Common causes|Immediate mitigation|Quick wins|Investigation"
     r"|Check deployment status|Check error logs|Check resource utilization", "a heading of the list below it"),
]
DEPENDENCIES = {"PostgreSQL": "down-db-refused", "Redis": "down-redis-unavailable",
                "Auth Service": "auth-service-unavailable"}


@dataclass
class Row:
    line: int
    text: str
    kind: str  # proved | equivalent | not-checkable | structure | not-covered
    detail: str


def _anchored(scenarios) -> dict[int, list[str]]:
    by_line: dict[int, list[str]] = {}
    for scenario in scenarios:
        for anchor in scenario.proves:
            match = re.match(r"L(\d+):", anchor)
            if match:
                by_line.setdefault(int(match.group(1)), []).append(scenario.id)
    return by_line


def _classify(number: int, text: str, block: Block | None, proved: dict[int, list[str]]) -> Row:
    if block is None or block.kind == HEADING or (block.kind == CODE and block.text.startswith("#")):
        return Row(number, text, "structure", "")
    plain = block.text
    for pattern, what in EQUIVALENTS:
        match = re.search(pattern, plain)
        if match:
            who = ", ".join(proved.get(number, [])) or "observed in every scenario"
            return Row(number, text, "equivalent", f"{what.format(*match.groups())}; {who}")
    if number in proved:
        return Row(number, text, "proved", ", ".join(dict.fromkeys(proved[number])))
    for name, scenario in DEPENDENCIES.items():
        if block.under("Dependencies") and re.match(rf"{re.escape(name)}\b", plain):
            return Row(number, text, "proved", f"{scenario} (losing it breaks the service: critical)")
    for pattern, why in NOT_CHECKABLE:
        if re.search(pattern, plain):
            return Row(number, text, "not-checkable", why)
    return Row(number, text, "not-covered", "no scenario proves this line")


def rows(runbook: Runbook, scenarios) -> list[Row]:
    """Returns one Row per runbook line (as written), judged by the block it starts."""
    proved = _anchored(scenarios)
    starting = {block.line: block for block in runbook.blocks}
    return [_classify(number, text, starting.get(number), proved)
            for number, text in enumerate(runbook.lines, start=1)]


def uncovered(runbook: Runbook, scenarios) -> list[Row]:
    """Returns the checkable lines no scenario proves (what `--strict-coverage` refuses)."""
    return [row for row in rows(runbook, scenarios) if row.kind == "not-covered"]


def render(table: list[Row]) -> str:
    """Returns the coverage as text: the non-structural lines, then the counts."""
    out = []
    for row in table:
        if row.kind == "structure":
            continue
        out.append(f"L{row.line:<4} {row.kind:<14} {row.text.strip()[:70]:<70}  {row.detail}")
    counts: dict[str, int] = {}
    for row in table:
        counts[row.kind] = counts.get(row.kind, 0) + 1
    out.append("coverage: " + ", ".join(f"{counts.get(k, 0)} {k}" for k in
                                         ("proved", "equivalent", "not-checkable", "not-covered")))
    return "\n".join(out)
