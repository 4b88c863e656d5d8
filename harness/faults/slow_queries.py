"""Queries wait: a real ACCESS EXCLUSIVE lock on the users table, held in PostgreSQL by
a connection of the harness until heal ("Database slow queries")."""

import psycopg

from harness.faults.base import Fault, FaultNotApplied, register


@register
class SlowQueries(Fault):
    kind = "slow_queries"
    params = {"table": "users"}

    def __init__(self, **params):
        super().__init__(**params)
        self._conn = None

    def _apply(self, stack):
        self._conn = psycopg.connect(stack.postgres.get_connection_url(), connect_timeout=5)
        self._conn.execute(f"LOCK TABLE {self.values['table']} IN ACCESS EXCLUSIVE MODE")

    def _verify(self, stack):
        with psycopg.connect(stack.postgres.get_connection_url(), connect_timeout=5) as probe:
            rows = probe.execute(
                "SELECT l.mode, l.granted FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE c.relname = %s AND l.mode = 'AccessExclusiveLock' AND l.granted", (self.values["table"],)
            ).fetchall()
        if not rows:
            raise FaultNotApplied(f"no granted ACCESS EXCLUSIVE lock on {self.values['table']}")
        return {"locks": [list(r) for r in rows]}

    def heal(self, stack):
        if self._conn is not None:
            try:
                self._conn.rollback()
                self._conn.close()
            finally:
                self._conn = None
