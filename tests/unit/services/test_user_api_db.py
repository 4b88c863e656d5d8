"""What a database failure means for an operator: every exception a query can raise
becomes a DatabaseError of a named kind (the ERROR line and the metric's label), never
an unexpected error. The pool is a stand-in: the real one is exercised by the scenarios."""

import asyncio

import asyncpg
import pytest

from services.user_api.config import load_config
from services.user_api.db import Database, DatabaseError, classify
from services.user_api.metrics import Metrics

CONFIG = load_config({"DATABASE_URL": "postgresql://u:p@db/users", "REDIS_URL": "redis://cache:6379/0",
                      "JWT_SECRET": "k" * 32, "AUTH_SERVICE_URL": "http://auth:8080"})


@pytest.mark.parametrize("exc, kind", [
    (ConnectionRefusedError(111, "Connect call failed"), "connection_refused"),
    (asyncpg.QueryCanceledError("canceling statement due to statement timeout"), "statement_timeout"),
    (asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"), "connection_lost"),
    (asyncpg.InternalClientError("cannot switch to state 12; another operation (2) is in progress"),
     "connection_lost"),
    (ConnectionResetError(104, "Connection reset by peer"), "connection_lost"),
    (asyncpg.CannotConnectNowError("the database system is shutting down"), "unavailable"),
    (OSError("unexpected connection_lost() call"), "unavailable"),
    (asyncpg.UndefinedTableError('relation "users" does not exist'), "query_error"),
], ids=lambda v: v if isinstance(v, str) else type(v).__name__)
def test_each_database_failure_is_named_by_its_kind(exc, kind):
    assert classify(exc, CONFIG).kind == kind


class Pool:
    """Hands out one stand-in connection and counts its returns."""

    def __init__(self) -> None:
        self.released = 0

    async def acquire(self, timeout: float):
        return object()

    async def release(self, conn) -> None:
        self.released += 1


def _fail_inside_a_connection(exc: BaseException) -> tuple[BaseException, Pool]:
    async def run():
        database = Database(CONFIG, Metrics())
        database.pool = Pool()
        try:
            async with database.connection():
                raise exc
        except BaseException as raised:  # what the caller sees
            return raised, database.pool
    return asyncio.run(run())


def test_a_broken_protocol_state_inside_a_query_is_a_lost_connection_and_the_connection_goes_back():
    raised, pool = _fail_inside_a_connection(asyncpg.InternalClientError("cannot switch to state 12"))
    assert isinstance(raised, DatabaseError) and raised.kind == "connection_lost"
    assert pool.released == 1


def test_a_programming_error_inside_a_query_is_not_disguised_as_a_database_failure():
    raised, pool = _fail_inside_a_connection(KeyError("id"))
    assert isinstance(raised, KeyError) and pool.released == 1
