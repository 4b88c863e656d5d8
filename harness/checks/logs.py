"""Log checks: the service's log lines as the runbook's command reads them."""

from __future__ import annotations

from harness.checks.base import FAIL, PASS, UNKNOWN, Check, who


def log_line(source: str, level: str, text: str, window: str) -> Check:
    """A log line of `level` containing `text` appears in the window. `source` may be a
    group ("replica-*": the service's logs, any replica, as an on-call engineer reads
    them) - a claim about the service must not hang on which replica the load balancer
    happened to send traffic to."""
    def judge(history, win):
        lines = history.events("log", win, source)
        if not lines:
            return UNKNOWN, {"reason": "no log lines collected"}
        found = [e for e in lines if e.data["level"] == level and text.lower() in e.data["message"].lower()]
        by_source: dict[str, int] = {}
        for e in found:
            by_source[e.source] = by_source.get(e.source, 0) + 1
        return (PASS if found else FAIL), {"matching": len(found), "lines": len(lines), "by_source": by_source,
                                           "examples": [e.data["message"][:300] for e in found[:3]]}
    return Check(f"{who(source)} logs {level} containing {text!r}", window, judge)
