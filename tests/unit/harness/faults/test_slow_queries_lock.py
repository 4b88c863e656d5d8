"""The slow-queries lock taken again when PostgreSQL chose it as a deadlock's victim (a
service transaction holding one table and waiting on another), a bounded number of times."""

import psycopg
import pytest

from runbook_drill.harness.faults import make


class Conn:
    def __init__(self, deadlocks: int):
        self.deadlocks, self.locks, self.rollbacks = deadlocks, 0, 0

    def execute(self, sql):
        if self.deadlocks:
            self.deadlocks -= 1
            raise psycopg.errors.DeadlockDetected("deadlock detected")
        self.locks += 1

    def rollback(self):
        self.rollbacks += 1


def _fault(conn):
    fault = make("slow_queries")
    fault._conn, fault._tables = conn, ["public.users", "public.roles"]
    return fault


def test_a_lock_chosen_as_a_deadlocks_victim_is_taken_again():
    conn = Conn(deadlocks=2)
    _fault(conn)._lock()
    assert (conn.locks, conn.rollbacks) == (1, 2)


def test_a_lock_that_keeps_deadlocking_gives_up_after_its_attempts():
    conn = Conn(deadlocks=9)
    with pytest.raises(psycopg.errors.DeadlockDetected):
        _fault(conn)._lock()
    assert (conn.locks, conn.rollbacks) == (0, 5)
