"""Queries wait: a real ACCESS EXCLUSIVE lock on the users table, held in PostgreSQL by
a connection of the harness ("Database slow queries"). With hold_ms 0 the lock is held
until heal, so queries run into the statement timeout ("Database query timeouts");
with hold_ms > 0 it is taken for hold_ms, released for free_ms, again and again, so
queries are slow - at most hold_ms - but finish."""

import threading

import psycopg

from harness.faults.base import Fault, FaultNotApplied, register

MAX_CYCLING_S = 600  # a forgotten cycle stops by itself


@register
class SlowQueries(Fault):
    kind = "slow_queries"
    params = {"table": "users", "hold_ms": 0, "free_ms": 100}

    def __init__(self, **params):
        super().__init__(**params)
        self._conn = None
        self._stop = threading.Event()
        self._cycler = None

    def _lock(self) -> None:
        self._conn.execute(f"LOCK TABLE {self.values['table']} IN ACCESS EXCLUSIVE MODE")

    def _apply(self, stack):
        self._conn = psycopg.connect(stack.postgres.get_connection_url(), connect_timeout=5)
        self._lock()
        if self.values["hold_ms"] > 0:
            self._cycler = threading.Thread(target=self._cycle, daemon=True, name="slow-queries")
            self._cycler.start()

    def _cycle(self) -> None:
        hold, free = self.values["hold_ms"] / 1000, self.values["free_ms"] / 1000
        for _ in range(int(MAX_CYCLING_S / (hold + free))):
            if self._stop.wait(hold):
                return
            self._conn.rollback()  # lock released: the queued queries run
            if self._stop.wait(free):
                return
            self._lock()

    def _verify(self, stack):
        with psycopg.connect(stack.postgres.get_connection_url(), connect_timeout=5) as probe:
            rows = probe.execute(
                "SELECT l.mode, l.granted FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE c.relname = %s AND l.mode = 'AccessExclusiveLock' AND l.granted", (self.values["table"],)
            ).fetchall()
        if not rows and self.values["hold_ms"] == 0:
            raise FaultNotApplied(f"no granted ACCESS EXCLUSIVE lock on {self.values['table']}")
        return {"locks": [list(r) for r in rows], "hold_ms": self.values["hold_ms"]}

    def heal(self, stack):
        self._stop.set()
        if self._cycler is not None:
            self._cycler.join(timeout=10)
            self._cycler = None
        if self._conn is not None:
            try:
                self._conn.rollback()
                self._conn.close()
            finally:
                self._conn = None
