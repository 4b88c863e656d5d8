"""Queries wait: a real ACCESS EXCLUSIVE lock on every table of the service's schema
(found from PostgreSQL's catalog: no table name is part of the contract), held by a
connection of the harness ("Database slow queries"). With hold_ms 0 the lock is held
until heal, so queries run into the statement timeout ("Database query timeouts");
with hold_ms > 0 it is taken for hold_ms, released for free_ms, again and again, so
queries are slow - at most hold_ms - but finish."""

import threading

import psycopg

from runbook_drill.harness.faults.base import Fault, FaultNotApplied, register

MAX_CYCLING_S = 600  # a forgotten cycle stops by itself
# Every ordinary or partitioned table outside PostgreSQL's own schemas, quoted for SQL.
SERVICE_TABLES = ("SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c "
                  "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') "
                  "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' "
                  "ORDER BY 1")


def service_tables(conn) -> list[str]:
    """Returns every table of the service's schema (schema-qualified and quoted)."""
    return [row[0] for row in conn.execute(SERVICE_TABLES).fetchall()]


@register
class SlowQueries(Fault):
    kind = "slow_queries"
    touches = "the database's tables: ACCESS EXCLUSIVE lock (held {hold_ms} ms in bursts, free {free_ms} ms; 0: held)"
    radius = "the database's tables: every replica's queries"
    params = {"hold_ms": 0, "free_ms": 100}

    def __init__(self, **params):
        super().__init__(**params)
        self._conn = None
        self._tables: list[str] = []
        self._stop = threading.Event()
        self._cycler = None

    def _lock(self, attempts: int = 5) -> None:
        """Takes every table's lock at once. A service transaction holding one table and
        waiting on another can deadlock with it: PostgreSQL then aborts one side, and when
        that is this lock, it is taken again (rolled back first), up to `attempts` times
        (seen once in 165 scenarios; a deadlock victim's retry is the documented remedy)."""
        for attempt in range(attempts):
            try:
                self._conn.execute(f"LOCK TABLE {', '.join(self._tables)} IN ACCESS EXCLUSIVE MODE")
                return
            except psycopg.errors.DeadlockDetected:
                self._conn.rollback()
                if attempt == attempts - 1:
                    raise

    def _apply(self, stack):
        self._conn = psycopg.connect(stack.postgres.get_connection_url(), connect_timeout=5)
        self._tables = service_tables(self._conn)
        if not self._tables:
            raise FaultNotApplied("the service's database has no tables to lock (has it started?)")
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
            locked = [r[0] for r in probe.execute(
                "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE l.mode = 'AccessExclusiveLock' AND l.granted AND c.relkind IN ('r', 'p')").fetchall()]
        if len(locked) < len(self._tables) and self.values["hold_ms"] == 0:
            raise FaultNotApplied(f"ACCESS EXCLUSIVE locks granted on {len(locked)} of {len(self._tables)} tables")
        return {"tables": self._tables, "locked": sorted(locked), "hold_ms": self.values["hold_ms"]}

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
