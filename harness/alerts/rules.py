"""The runbook's Quick Response sections as Prometheus rules, generated from the runbook:
its thresholds ("High Error Rate (>1%)", "High Latency (p99 >500ms)"), its section titles
(each alert's `section` label and `runbook_url` annotation) and its metric names. One
source, two profiles: production windows, and a test profile whose windows are seconds
so that scenarios stay short.

Recording rules give the error ratio and the p99 from the runbook's own metrics
(http_requests_errors_total, http_requests_total, http_request_duration_seconds). Two
signals come from the load balancer (HAProxy's Prometheus exporter), because the
replicas cannot see them: "Service is Down (All replicas failing)" is no server left
in the pool - replicas whose processes are up but unready still answer their scrape
(`up` stays 1) - and the error ratio at the ingress counts the 503s the load balancer
answers once every replica is out, which no replica ever serves. Only 5xx there: the
load balancer counts a client that hangs up mid-request as a 4xx of its own (seen: 2
in a quiet baseline, 2% of a 5 s window), and the service's 4xx are the replicas' count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from runbook_drill.harness.runbook import Runbook

RUNBOOK_URL = "runbook/user-api-runbook.md"  # where the on-call reads it; `drill alerts --runbook-url` for yours
APP = '{route!~"/health.*|/metrics"}'  # what users ask for: probes and scrapes left out
BACKEND, FRONTEND = "user_api", "api"  # HAProxy's names (harness/stack/config/haproxy.cfg)


@dataclass(frozen=True)
class Profile:
    """How long a symptom must be seen: the rate window of the recording rules and each
    alert's `for`; and Alertmanager's grouping times."""

    name: str
    window: str
    for_down: str
    for_errors: str
    for_latency: str
    group_wait: str
    group_interval: str
    repeat_interval: str


PROFILES = {
    "production": Profile("production", "5m", "1m", "5m", "10m", "30s", "5m", "4h"),
    # Scrapes and evaluations every 1 s (prometheus.yml): a 5 s window holds 5 samples.
    "test": Profile("test", "5s", "2s", "1s", "1s", "1s", "1s", "1h"),
}


@dataclass(frozen=True)
class Alert:
    """One alert: its name, the runbook section it pages for, and its expression."""

    name: str
    section: str
    expr: str
    duration: str


def anchor(title: str) -> str:
    """Returns the Markdown heading's anchor as GitHub renders it."""
    slug = re.sub(r"[^\w\- ]", "", title.strip().lower())
    return slug.replace(" ", "-")


def recording_rules(profile: Profile) -> dict[str, str]:
    """Returns record name -> expression."""
    w = profile.window
    return {
        f"job:http_requests_errors:ratio_rate{w}":
            f"sum(rate(http_requests_errors_total{APP}[{w}])) / sum(rate(http_requests_total{APP}[{w}]))",
        f"job:http_request_duration_seconds:p99_rate{w}":
            f"histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{APP}[{w}])))",
        f"job:ingress_errors:ratio_rate{w}":
            f'sum(rate(haproxy_frontend_http_responses_total{{proxy="{FRONTEND}",code="5xx"}}[{w}]))'
            f' / sum(rate(haproxy_frontend_http_responses_total{{proxy="{FRONTEND}"}}[{w}]))',
        "job:user_api_ready_replicas:count": f'sum(haproxy_backend_active_servers{{proxy="{BACKEND}"}})',
    }


def alerts(runbook: Runbook, profile: Profile) -> list[Alert]:
    """Returns the alert of every Quick Response section, thresholds from the runbook."""
    w = profile.window
    ratio, p99_s = runbook.value("threshold.error_rate"), runbook.value("threshold.p99_ms") / 1000
    return [
        Alert("ServiceDown", runbook.claims["service_down.rollback_deadline_s"].section,
              # No absent(): a load balancer not scraped is missing telemetry, its own
              # problem - not "all replicas failing" (it paged at every Prometheus start).
              "job:user_api_ready_replicas:count < 1", profile.for_down),
        Alert("HighErrorRate", runbook.claims["threshold.error_rate"].section,
              f"job:http_requests_errors:ratio_rate{w} > {ratio:g} or job:ingress_errors:ratio_rate{w} > {ratio:g}",
              profile.for_errors),
        Alert("HighLatency", runbook.claims["threshold.p99_ms"].section,
              f"job:http_request_duration_seconds:p99_rate{w} > {p99_s:g}", profile.for_latency),
    ]


def render(runbook: Runbook, profile: Profile, runbook_url: str = RUNBOOK_URL) -> str:
    """Returns the rules file (YAML) for `profile`."""
    records = [{"record": name, "expr": expr} for name, expr in recording_rules(profile).items()]
    rules = [{"alert": a.name, "expr": a.expr, "for": a.duration,
              "labels": {"severity": "page", "section": a.section},
              "annotations": {"summary": f"{a.section}: see the runbook", "runbook_url": f"{runbook_url}#{anchor(a.section)}"}}
             for a in alerts(runbook, profile)]
    document = {"groups": [{"name": f"user-api-recording-{profile.name}", "rules": records},
                           {"name": f"user-api-runbook-{profile.name}", "rules": rules}]}
    header = (f"# Generated by `drill alerts --profile {profile.name}` from {runbook.path.name}: the Quick Response\n"
              "# sections as alerts. Do not edit: change the runbook, or harness/alerts/rules.py.\n")
    return header + yaml.safe_dump(document, sort_keys=False, width=200)


METRIC_NAME = re.compile(r"\b([a-zA-Z_][a-zA-Z0-9_]*)\s*(?=\{|\[)")


def metrics_used(profile: Profile) -> set[str]:
    """Returns the names of the scraped metrics the rules read (recorded series left out)."""
    names = set()
    for expr in recording_rules(profile).values():
        names |= {m.group(1) for m in METRIC_NAME.finditer(expr)}
    return names
