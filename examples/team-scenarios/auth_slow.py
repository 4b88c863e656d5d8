"""Auth Service Slow - a section this team added to its runbook: when the auth service
answers slower than the User API's auth timeout, users get 401s within that timeout
and the logs say so; no request hangs on the slow dependency.

Written on runbook_drill's public API only: a check the catalogue lacks (how long the
401s took) registered by name, so a declarative file may name it too, and a scenario
built from the runbook's own words (the timeout and the log text are read from the
line; a runbook that no longer says them is drift, exit 2)."""

from __future__ import annotations

import re

from runbook_drill import Check, Oracle, RunbookError, Scenario, checks, make_fault, register_check, suite_load

SECTION = "Auth Service Slow"
SYMPTOM = "401 errors"  # the words that find the symptom line in the section


@register_check
def answered_within(window: str, status: int, most_ms: float, least: int = 20) -> Check:
    """Every request answered `status` in the window was answered within `most_ms`:
    the service gave up on its dependency in time. Unknown with fewer than `least` such
    answers (nothing to judge)."""
    def judge(history, span):
        took = [e.data["latency"] * 1000 for e in history.requests_ended(span.start, span.end)
                if e.data.get("status") == status]
        evidence = {"answered": len(took), "slowest_ms": round(max(took, default=0.0), 1),
                    "bound": {"figure": "slowest_ms", "op": "<", "value": most_ms}}
        if len(took) < least:
            return checks.UNKNOWN, evidence
        return (checks.PASS if max(took) < most_ms else checks.FAIL), evidence
    return Check(f"every {status} answered within {most_ms:g} ms", window, judge, sampled=True)


def _timeout_s(text: str) -> float:
    """Returns the auth timeout the symptom line states ("within the 1 s auth timeout")."""
    found = re.search(r"within the ([0-9.]+)\s*s\b", text)
    if not found:
        raise RunbookError(f"drift: section {SECTION!r}: the symptom line no longer states the auth timeout: {text!r}")
    return float(found.group(1))


def scenarios(o: Oracle) -> list[Scenario]:
    line = o.rb.section_line(SECTION, SYMPTOM)
    timeout_s, logged = _timeout_s(line.text), re.search(r'"([^"]+)"', line.text)
    # 4x the timeout: a service that waits it out answers far later than the bound below.
    delay_ms = int(timeout_s * 4000)
    return [Scenario(
        id="auth-slow-beyond-timeout", runbook=SECTION,
        title=f"The auth service answers in {delay_ms} ms: 401s within the {timeout_s:g} s timeout, logged",
        fault=lambda: make_fault("dependency_latency", dependency="auth", latency_ms=delay_ms),
        load=suite_load(), steady=o.steady(),
        during=[checks.error_rate("fault_steady", above=o.error_rate, statuses={401}),
                o.error_log(logged.group(1) if logged else "auth service unavailable"),
                answered_within("fault_steady", 401, (timeout_s + 1.0) * 1000)],
        after=o.recovered(15),
        # Cached introspection answers (2 s in the suite's stack) keep serving first.
        settle_s=2.5, fault_s=4,
        # The root cause it stands for: an overloaded auth service answers slowly.
        proves=[o.cites(SECTION, SYMPTOM), o.cites(SECTION, "Auth service overloaded")])]
