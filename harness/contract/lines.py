"""The contract's lines as data: what the suite asks of a User API image, each with the
runbook line it comes from (or "needed to drive the test") and its observable. The
document (docs/contract.md) is these lines written out; a test keeps the two the same.
`drill contract` checks the lines that need no chaos (`preflight` True); the scenarios
judge the rest."""

from __future__ import annotations

from dataclasses import dataclass

DRIVE = "needed to drive the test"


@dataclass(frozen=True)
class Line:
    """One contract line: `id` (named in docs/contract.md), what the image must do, the
    runbook line it comes from, and whether the pre-flight checks it."""

    id: str
    claim: str
    source: str
    preflight: bool = True
    judged_by: tuple[str, ...] = ()  # the suite's scenarios that also judge it under faults

    @property
    def drives(self) -> bool:
        """Whether the suite cannot drive an image without this line (it starts, users
        can be made and read, its knobs are named); a runbook line unmet is a deviation
        the scenarios judge, not a reason to stop."""
        return self.source == DRIVE or self.id == "start.ready"


LINES = (
    Line("start.ready", "started with the profile's environment, answers GET /health/ready 200 within "
         "startup_timeout_s on the profile's port", "Health Checks > Readiness Probe: Expected: 200 OK"),
    Line("probe.live", "GET /health/live answers 200", "Health Checks > Liveness Probe: Expected: 200 OK",
         judged_by=("health-baseline",)),
    Line("metrics.exported", "GET /metrics is Prometheus text with every metric of 'Metrics to Monitor', "
         "counters as counters, request latency as a histogram, active connections as a gauge",
         "Metrics to Monitor", judged_by=("metrics-contract",)),
    Line("metrics.judging", "also exports redis_misses_total (counter) and db_connection_pool_timeouts_total "
         "(counter)", "the suite's reading of 'Redis cache misses' and 'Check database connection pool exhaustion'"),
    Line("auth.invalid_token", "a request with a token the auth service did not sign is answered 401, and a line "
         "`grep ERROR` prints names 'invalid token'",
         'Authentication Failures: Symptoms: 401 errors, logs show "invalid token"', judged_by=("errors-invalid-tokens",)),
    Line("users.create", "POST /users {email, name, roles} (Content-Type: application/json, a bearer token from "
         "the auth service; every email the suite sends is new) answers 201 (or 200) with the user, its id any "
         "JSON scalar", DRIVE),
    Line("users.read", "GET /users/{id} answers 200 with the user; after DELETE it answers 404", DRIVE),
    Line("users.list", "GET /users?limit=N (N at most 100) answers a page of at most N users (a JSON list, or an "
         "object with the list under items, users or data), and after=<the last id of a page> answers the next "
         "page - also when the image's own next link is an opaque cursor", DRIVE),
    Line("users.update", "PATCH /users/{id} {name} answers 200; DELETE /users/{id} answers 2xx", DRIVE),
    Line("users.paginated", "a page larger than the service's maximum (limit=100000) is refused with 400",
         "Memory Leaks: Large result sets not paginated", judged_by=("memory-large-result-sets",)),
    Line("ratelimit.client", "a client (a token's subject) over rate_limit_requests per rate_limit_window_s "
         "gets 429, and `grep ERROR` prints a line naming 'rate limit'",
         "High Error Rate: Rate limiting triggered", judged_by=("errors-rate-limited",)),
    Line("knobs.declared", "the profile names a variable for every knob the suite sets", DRIVE),
    Line("knobs.spelled", "started with the knobs at values the scenarios set (a pool of 2, minimum 1, a 0.5 s "
         "wait), written as the profile spells them, the image becomes ready", DRIVE),
    Line("config.bad_exits", "a bad value of a setting (the pool size knob set to a word) makes the process exit "
         "non-zero at start", "Service is Down: Recent deployment -> Rollback", judged_by=("down-bad-deployment",)),
    Line("process.exits", "SIGTERM (a pod deleted or restarted) ends the process within 10 s",
         "Health Checks > Liveness Probe: Failure action: Restart pod", judged_by=("db-refused",)),
    # Judged by the scenarios, under faults:
    Line("ready.dependencies", "readiness fails (503, or no answer within 1 s: Kubernetes counts a timeout "
         "as a failure) while PostgreSQL or Redis is unreachable, and is 200 again when it is back",
         "Health Checks > Readiness Probe: Checks: Database connectivity, Redis connectivity", preflight=False),
    Line("db.refused", "while PostgreSQL refuses connections, database requests answer 500 and `grep ERROR` "
         "prints 'connection refused'", 'Database Connection Failures: Symptoms: 500 errors, logs show '
         '"connection refused"', preflight=False),
    Line("db.timeouts", "a query held past the statement timeout answers 500 with an ERROR line naming the "
         "timeout ('query timeout')", "High Error Rate: Database query timeouts", preflight=False),
    Line("db.pool", "a request that finds no free connection within the pool timeout answers 500 with an ERROR "
         "line naming 'pool exhausted', and counts in db_connection_pool_timeouts_total",
         "Database Connection Failures: Connection pool exhausted", preflight=False),
    Line("auth.depends", "tokens are checked with the suite's auth service (POST /introspect), remembered at most "
         "auth_cache_s: while it is down, new tokens get 401", "Authentication Failures: Auth service unavailable",
         preflight=False),
    Line("auth.time", "a token whose iat or nbf is ahead of the service's clock by more than its leeway is "
         "invalid (401); the suite puts the auth service 3600 s ahead, so any leeway under an hour meets it "
         "(a few seconds to a minute is usual)", "Authentication Failures: Clock skew between services",
         preflight=False),
    Line("metrics.counted", "each metric counts what its line says, under a counted load to one replica at rest: "
         "each /users request once in http_requests_total and the histogram (under a route label of any name and "
         "values: path templates, paths or handler names), "
         "its observed mean within the client's (and holding the database's time); 401s in the error count, 2xx "
         "not; a user's second read after a FLUSHALL one more hit and one less miss than its first; "
         "db_connection_pool_active the connections checked out - 3 held, 3 (a pool of at least 3); at rest, "
         "at most 1", "Metrics to Monitor", preflight=False),
    Line("memory.oom", "the process is the container's main process: killed by the kernel for memory (the "
         "engine's oom event), the container restarts (no in-container supervisor hides it); a runtime with a "
         "heap ceiling of its own keeps it above the container's limit", "Memory Leaks: Pods restarting "
         "frequently, OOMKilled in events", preflight=False),
)
BY_ID = {line.id: line for line in LINES}
