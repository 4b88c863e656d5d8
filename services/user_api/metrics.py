"""The User API's Prometheus metrics: the five the runbook names, and what an operator
also wants (pool size and limit, cache misses, auth failures by reason, rate limiting,
database errors by kind). Route labels are route templates, never raw paths."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client import GCCollector, PlatformCollector, ProcessCollector

# Fine below the runbook's 500 ms p99 alert, coarse above it.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """All metrics of one process, in their own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        for collector in (ProcessCollector, PlatformCollector, GCCollector):
            collector(registry=self.registry)
        r = self.registry
        self.requests = Counter("http_requests_total", "HTTP requests served",
                                ["method", "route", "status"], registry=r)
        self.duration = Histogram("http_request_duration_seconds", "HTTP request latency",
                                  ["method", "route"], buckets=LATENCY_BUCKETS, registry=r)
        self.errors = Counter("http_requests_errors_total", "HTTP responses with status >= 400",
                              ["method", "route", "status"], registry=r)
        self.pool_active = Gauge("db_connection_pool_active", "DB connections checked out of the pool",
                                 registry=r)
        self.pool_size = Gauge("db_connection_pool_size", "DB connections open (busy + idle)", registry=r)
        self.pool_max = Gauge("db_connection_pool_max", "Most DB connections the pool may open", registry=r)
        self.pool_timeouts = Counter("db_connection_pool_timeouts_total",
                                     "Checkouts that found the pool exhausted", registry=r)
        self.db_errors = Counter("db_errors_total", "Database failures by kind", ["kind"], registry=r)
        self.redis_hits = Counter("redis_hits_total", "User cache hits", registry=r)
        self.redis_misses = Counter("redis_misses_total", "User cache misses", registry=r)
        self.redis_errors = Counter("redis_errors_total", "Redis commands that failed", registry=r)
        self.auth_failures = Counter("auth_failures_total", "Rejected tokens by reason", ["reason"], registry=r)
        self.rate_limited = Counter("rate_limited_total", "Requests refused by the rate limiter", registry=r)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.duration.labels(method, route).observe(seconds)
        if status >= 400:
            self.errors.labels(method, route, str(status)).inc()
