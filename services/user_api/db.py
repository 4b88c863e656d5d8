"""PostgreSQL access: a bounded asyncpg pool with a checkout timeout and a statement
timeout, schema migrations, the users queries, and one error type whose `kind` says
what went wrong (connection refused, query timeout, pool exhausted, ...)."""

from __future__ import annotations

import asyncio
import errno
import logging
from contextlib import asynccontextmanager
from typing import AsyncIterator

import asyncpg

from .config import Config
from .metrics import Metrics

log = logging.getLogger("user_api.db")

MIGRATIONS: list[tuple[int, str]] = [
    (1, """
        CREATE TABLE users (
            id          bigserial PRIMARY KEY,
            email       text NOT NULL UNIQUE,
            name        text NOT NULL,
            created_at  timestamptz NOT NULL DEFAULT now(),
            updated_at  timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE user_roles (
            user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            role    text   NOT NULL,
            PRIMARY KEY (user_id, role)
        );
    """),
]
MIGRATION_LOCK = 7_461_001  # pg_advisory_lock key: replicas starting together migrate once


# What a query can raise when the database or the connection fails. InternalClientError
# is asyncpg's protocol state broken under a connection the server dropped mid-query
# ("cannot switch to state ..."): a lost connection, not an unexpected error.
CLIENT_FAILURES = (asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError, OSError,
                   asyncio.TimeoutError)


class DatabaseError(Exception):
    """A database failure; `kind` is one of connection_refused, connect_timeout,
    connection_lost, statement_timeout, query_timeout, pool_exhausted, unavailable,
    query_error. The message is what goes into the ERROR log line."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class Conflict(Exception):
    """A write broke a uniqueness rule (e.g. an email already taken)."""


def classify(exc: BaseException, config: Config) -> DatabaseError:
    """Returns the DatabaseError that names what `exc` means for an operator."""
    if isinstance(exc, DatabaseError):
        return exc
    refused = getattr(exc, "errno", None) == errno.ECONNREFUSED or "[Errno 111]" in str(exc)
    if isinstance(exc, ConnectionRefusedError) or refused:
        return DatabaseError("connection_refused", f"database connection refused: {exc}")
    if isinstance(exc, asyncpg.QueryCanceledError):
        return DatabaseError("statement_timeout", "database query timeout: statement exceeded "
                             f"statement_timeout of {config.db_statement_timeout_ms} ms")
    if isinstance(exc, (asyncpg.ConnectionDoesNotExistError, asyncpg.InterfaceError, asyncpg.InternalClientError,
                        ConnectionResetError, BrokenPipeError)):
        return DatabaseError("connection_lost", f"database connection lost: {exc}")
    if isinstance(exc, asyncpg.CannotConnectNowError):
        return DatabaseError("unavailable", f"database unavailable: {exc}")
    if isinstance(exc, (OSError, asyncpg.PostgresConnectionError)):
        return DatabaseError("unavailable", f"database unreachable: {exc}")
    return DatabaseError("query_error", f"database error: {type(exc).__name__}: {exc}")


class Database:
    """The pool and the queries. The pool is opened in the background and re-tried
    until PostgreSQL answers, so the process serves /health/live (and a 503 readiness)
    while its database is down at start-up."""

    def __init__(self, config: Config, metrics: Metrics) -> None:
        self.config = config
        self.metrics = metrics
        self.pool: asyncpg.Pool | None = None
        self.last_error = "not connected yet"
        metrics.pool_max.set(config.db_pool_max)
        metrics.pool_active.set_function(self._active)
        metrics.pool_size.set_function(lambda: self.pool.get_size() if self.pool else 0)

    def _active(self) -> float:
        return self.pool.get_size() - self.pool.get_idle_size() if self.pool else 0

    async def open_until_ready(self, retry_seconds: float = 1.0) -> None:
        """Opens the pool and migrates; on failure logs the error and retries forever
        (the task is cancelled at shutdown)."""
        while self.pool is None:
            try:
                pool = await self._create_pool()
                await self._migrate(pool)
                self.pool = pool
                log.info("database pool open", extra={"fields": {"max": self.config.db_pool_max}})
            except Exception as exc:  # any failure: report it and try again
                error = classify(exc, self.config)
                self.last_error = str(error)
                self.metrics.db_errors.labels(error.kind).inc()
                log.error("%s; retrying in %gs", error, retry_seconds)
                await asyncio.sleep(retry_seconds)

    async def _create_pool(self) -> asyncpg.Pool:
        c = self.config
        return await asyncpg.create_pool(
            c.database_url, min_size=c.db_pool_min, max_size=c.db_pool_max, timeout=c.db_connect_timeout_seconds,
            # Client-side bound a little above the server's, for a database that stops answering.
            command_timeout=c.db_statement_timeout_ms / 1000 + 1.0,
            server_settings={"statement_timeout": str(c.db_statement_timeout_ms),
                             "application_name": "user-api"})

    async def _migrate(self, pool: asyncpg.Pool) -> None:
        async with pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
            try:
                await conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                                   "(version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
                done = {r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")}
                for version, sql in MIGRATIONS:
                    if version not in done:
                        async with conn.transaction():
                            await conn.execute(sql)
                            await conn.execute("INSERT INTO schema_migrations (version) VALUES ($1)", version)
                        log.info("applied migration %d", version)
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)

    async def close(self) -> None:
        if self.pool is not None:
            await asyncio.wait_for(self.pool.close(), timeout=5)

    @asynccontextmanager
    async def connection(self, release: bool = True) -> AsyncIterator[asyncpg.Connection]:
        """Yields a pooled connection, always returned to the pool (unless the
        connection_leak regression is on and `release` is False).

        Raises DatabaseError for every database failure, with its kind counted.
        """
        if self.pool is None:
            raise DatabaseError("unavailable", f"database unavailable: {self.last_error}")
        conn = await self._acquire()
        try:
            yield conn
        except CLIENT_FAILURES as exc:
            raise self._failed(exc) from exc
        finally:
            if release or not self.config.has_regression("connection_leak"):
                await self.pool.release(conn)

    async def _acquire(self) -> asyncpg.Connection:
        try:
            return await self.pool.acquire(timeout=self.config.db_pool_timeout_seconds)
        except asyncio.TimeoutError:
            self.metrics.pool_timeouts.inc()
            raise self._failed(DatabaseError(
                "pool_exhausted", f"database connection pool exhausted: all {self.config.db_pool_max} "
                f"connections busy for {self.config.db_pool_timeout_seconds:g}s")) from None
        except Exception as exc:
            raise self._failed(exc) from exc

    def _failed(self, exc: BaseException) -> DatabaseError:
        if isinstance(exc, asyncio.TimeoutError):
            error = DatabaseError("query_timeout", "database query timeout: no answer within "
                                  f"{self.config.db_statement_timeout_ms / 1000 + 1.0:g}s")
        else:
            error = classify(exc, self.config)
        self.metrics.db_errors.labels(error.kind).inc()
        return error

    async def ping(self, timeout: float) -> None:
        """Runs SELECT 1 within `timeout`; raises DatabaseError otherwise."""
        async def probe() -> None:
            async with self.connection() as conn:
                await conn.fetchval("SELECT 1")
        try:
            await asyncio.wait_for(probe(), timeout)
        except asyncio.TimeoutError:
            raise DatabaseError("query_timeout", f"database did not answer within {timeout:g}s") from None
