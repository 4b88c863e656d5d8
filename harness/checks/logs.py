"""Log checks: the service's log lines as the runbook's command reads them."""

from __future__ import annotations

from runbook_drill.harness.checks.base import FAIL, PASS, UNKNOWN, Check, who


def greps(line: str, level: str, text: str) -> bool:
    """Returns whether `line` is one `grep <level>` prints (the word as written, in any
    log format: JSON, logfmt, plain text) and it names `text` (in any case: what the
    on-call engineer reads for)."""
    return level in line and text.lower() in line.lower()


def _as_written(data: dict) -> str:
    """Returns a log event's line as the container wrote it (level and message for an
    event recorded without it)."""
    return data.get("line") or f"{data.get('level', '')} {data.get('message', '')}"


def log_line(source: str, level: str, text: str, window: str) -> Check:
    """A log line `grep <level>` prints that contains `text` appears in the window.
    `source` may be a group ("replica-*": the service's logs, any replica, as an on-call
    engineer reads them) - a claim about the service must not hang on which replica the
    load balancer happened to send traffic to."""
    def judge(history, win):
        lines = history.events("log", win, source)
        if not lines:
            return UNKNOWN, {"reason": "no log lines collected"}
        found = [e for e in lines if greps(_as_written(e.data), level, text)]
        by_source: dict[str, int] = {}
        for e in found:
            by_source[e.source] = by_source.get(e.source, 0) + 1
        return (PASS if found else FAIL), {"matching": len(found), "lines": len(lines), "by_source": by_source,
                                           "examples": [e.data["message"][:300] for e in found[:3]]}
    return Check(f"{who(source)} logs {level} containing {text!r}", window, judge)
