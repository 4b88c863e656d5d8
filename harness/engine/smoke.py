"""The stack smoke run: real PostgreSQL and Redis from the resolved images, a real query
and a real PING, then proof that nothing of the run is left behind.

This is what `make drill` runs until the runbook scenarios exist; it never fakes a
result: each step records what it observed, and a step that could not run is an error.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

import psycopg

from runbook_drill.harness.engine.containers import postgres_container, redis_container
from runbook_drill.harness.engine.resources import RUN_ID, leftovers
from runbook_drill.harness.engine.session import Session


@dataclass
class Step:
    """One smoke step: what it did, how long it took, what it observed, or its error."""

    name: str
    ok: bool
    seconds: float
    observed: str = ""
    error: str = ""


@dataclass
class SmokeResult:
    """All steps of one smoke run; `ok` only when every step observed what it must."""

    run_id: str
    steps: list[Step] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(step.ok for step in self.steps)

    def to_dict(self) -> dict:
        return {"run_id": self.run_id, "ok": self.ok, "steps": [asdict(s) for s in self.steps]}


def _timed(result: SmokeResult, name: str, action) -> None:
    started = time.monotonic()
    try:
        observed, ok = action()
        result.steps.append(Step(name, ok, time.monotonic() - started, observed=str(observed)))
    except Exception as exc:  # a step that could not run is recorded, never passed
        result.steps.append(Step(name, False, time.monotonic() - started, error=f"{type(exc).__name__}: {exc}"))


def _query_postgres(container) -> tuple[str, bool]:
    url = container.get_connection_url()
    with psycopg.connect(url, connect_timeout=5) as conn:
        conn.execute("CREATE TABLE smoke (id int PRIMARY KEY, note text)")
        conn.execute("INSERT INTO smoke VALUES (1, 'runbook-drill')")
        (note,) = conn.execute("SELECT note FROM smoke WHERE id = 1").fetchone()
        (version,) = conn.execute("SHOW server_version").fetchone()
    return f"server {version}, read back {note!r}", note == "runbook-drill"


def _ping_redis(container) -> tuple[str, bool]:
    client = container.get_client(socket_timeout=5)
    try:
        pong = client.ping()
        client.set("smoke", "runbook-drill")
        value = client.get("smoke")
    finally:
        client.close()
    return f"PING -> {pong}, GET -> {value!r}", pong is True and value == b"runbook-drill"


def run_smoke(session: Session) -> SmokeResult:
    """Runs the smoke steps and returns their result; containers are always removed."""
    result = SmokeResult(run_id=RUN_ID)
    pg_image = session.images.resolve("postgres").ref
    redis_image = session.images.resolve("redis").ref
    with postgres_container(pg_image) as pg:
        _timed(result, "postgres: query", lambda: _query_postgres(pg))
        with redis_container(redis_image) as cache:
            _timed(result, "redis: ping", lambda: _ping_redis(cache))
    _timed(result, "cleanup: nothing left", lambda: _nothing_left(session))
    return result


def _nothing_left(session: Session) -> tuple[str, bool]:
    mine = leftovers(session.client, RUN_ID)
    return (", ".join(mine) or "no project containers or networks"), not mine
