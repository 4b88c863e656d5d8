"""The User API's configuration, from environment variables (validated at start)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Mapping

from ..common.settings import SettingError, Var, choice, integer, read, seconds, secret, url

VARIABLES = [
    Var("DATABASE_URL", url("postgresql", "postgres"), None, "PostgreSQL DSN"),
    Var("REDIS_URL", url("redis"), None, "Redis URL"),
    Var("JWT_SECRET", secret(32), None, "HS256 key shared with the auth service (RFC 7518: >= 32 bytes)"),
    Var("AUTH_SERVICE_URL", url("http", "https"), None, "base URL of the auth service"),
    Var("JWT_ISSUER", str, "authentication-api", "expected iss claim"),
    Var("JWT_AUDIENCE", str, "user-api", "expected aud claim"),
    Var("JWT_LEEWAY_SECONDS", integer(0, 3600), "5", "clock leeway for exp/nbf/iat"),
    Var("AUTH_TIMEOUT_SECONDS", seconds(), "1.0", "timeout of a call to the auth service"),
    Var("AUTH_CACHE_SECONDS", integer(0, 3600), "30", "how long an introspection answer is cached"),
    Var("DB_POOL_MIN", integer(0, 1000), "1", "connections kept open"),
    Var("DB_POOL_MAX", integer(1, 1000), "10", "most connections open at once"),
    Var("DB_POOL_TIMEOUT_SECONDS", seconds(), "2.0", "longest wait for a free connection"),
    Var("DB_CONNECT_TIMEOUT_SECONDS", seconds(), "2.0", "timeout of a new connection"),
    Var("DB_STATEMENT_TIMEOUT_MS", integer(1, 600_000), "2000", "server-side statement timeout"),
    Var("REDIS_TIMEOUT_SECONDS", seconds(), "0.5", "timeout of one Redis command"),
    Var("CACHE_TTL_SECONDS", integer(1, 86_400), "60", "lifetime of a cached user"),
    Var("RATE_LIMIT_REQUESTS", integer(1), "1000", "requests per client per window"),
    Var("RATE_LIMIT_WINDOW_SECONDS", integer(1, 3600), "10", "rate-limit window"),
    Var("PAGE_SIZE_DEFAULT", integer(1, 1000), "50", "list page size when none is asked"),
    Var("PAGE_SIZE_MAX", integer(1, 1000), "200", "largest list page; above it is a 400"),
    Var("READY_TIMEOUT_SECONDS", seconds(), "1.0", "timeout of each readiness check"),
    Var("SHUTDOWN_GRACE_SECONDS", integer(0, 300), "10", "time to drain requests on SIGTERM"),
    Var("LOG_LEVEL", choice("DEBUG", "INFO", "WARNING", "ERROR"), "INFO", "log level"),
    Var("PORT", integer(1, 65535), "8000", "HTTP port"),
    # Re-introduces a recent incident's bug, for regression scenarios only:
    # n_plus_one (2024-08-10), connection_leak (2024-09-22), unpaginated (the Memory
    # Leaks section's "Large result sets not paginated"). Comma-separated.
    Var("REGRESSIONS", str, "", "bugs to re-introduce (n_plus_one, connection_leak, unpaginated)"),
]
KNOWN_REGRESSIONS = {"n_plus_one", "connection_leak", "unpaginated"}


@dataclass(frozen=True)
class Config:
    database_url: str
    redis_url: str
    jwt_secret: str
    auth_service_url: str
    jwt_issuer: str
    jwt_audience: str
    jwt_leeway_seconds: int
    auth_timeout_seconds: float
    auth_cache_seconds: int
    db_pool_min: int
    db_pool_max: int
    db_pool_timeout_seconds: float
    db_connect_timeout_seconds: float
    db_statement_timeout_ms: int
    redis_timeout_seconds: float
    cache_ttl_seconds: int
    rate_limit_requests: int
    rate_limit_window_seconds: int
    page_size_default: int
    page_size_max: int
    ready_timeout_seconds: float
    shutdown_grace_seconds: int
    log_level: str
    port: int
    regressions: frozenset[str]

    def has_regression(self, name: str) -> bool:
        return name in self.regressions


def load_config(env: Mapping[str, str] | None = None) -> Config:
    """Returns the validated Config; raises SettingError naming the first bad variable."""

    values = read(VARIABLES, env)
    regressions = frozenset(r.strip() for r in values["regressions"].split(",") if r.strip())
    unknown = sorted(regressions - KNOWN_REGRESSIONS)
    if unknown:
        raise SettingError(f"REGRESSIONS={values['regressions']!r}: unknown {unknown[0]!r}; "
                           f"known: {', '.join(sorted(KNOWN_REGRESSIONS))}")
    if values["db_pool_min"] > values["db_pool_max"]:
        raise SettingError(f"DB_POOL_MIN={values['db_pool_min']}: must not exceed DB_POOL_MAX={values['db_pool_max']}")
    if values["page_size_default"] > values["page_size_max"]:
        raise SettingError(f"PAGE_SIZE_DEFAULT={values['page_size_default']}: must not exceed PAGE_SIZE_MAX")
    values["regressions"] = regressions
    assert set(values) == {f.name for f in fields(Config)}
    return Config(**values)
