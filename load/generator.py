"""Locust as the runner's generator: starts a LoadRun against the stack and follows
its per-request records while it runs, copying each into the history as a "request"
event (the same events the in-process generator records, so the checks read both
alike; the runner can see how many requests a window holds before it ends it)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Sequence

from runbook_drill.harness.errors import HarnessError
from runbook_drill.harness.observe.history import History
from runbook_drill.harness.polling import wait_until
from runbook_drill.load.runner import LoadConfig, LoadRun, RecordTail

FOLLOW_S = 0.1  # how often the records are copied into the history while the load runs


@dataclass
class LocustSpec:
    """Locust load for a scenario: users, worker processes (0: one process), seed, and
    pacing: `rate_per_user` tasks per second per user (constant throughput; 0: the
    think time), `relogin_s` token churn (0: one login per user)."""

    users: int = 10
    workers: int = 0
    spawn_rate: float = 50.0
    seed: int = 1
    user_ids: int = 1000
    timeout_s: float = 2.0
    think_s: float = 0.02
    rate_per_user: float = 0.0
    relogin_s: float = 0.0
    mix: str = ""  # task weights read,list,create,update ("" = the default 16,2,1,1)

    def build(self, history: History, target_url: str, auth_url: str, token=None,
              ids: Sequence[str] = ()) -> "LocustGenerator":
        """Returns Locust as the runner's generator (harness.run.runner.LoadPlan); its
        users read and update the first `user_ids` of `ids` (none: ids 1..user_ids)."""
        return LocustGenerator(history, target_url, auth_url, self, ids)


class LocustGenerator:
    def __init__(self, history: History, host: str, auth_url: str, spec: LocustSpec,
                 ids: Sequence[str] = ()) -> None:
        self.history = history
        self.run = LoadRun(LoadConfig(host, auth_url, spec.users, spec.spawn_rate, None, spec.seed, spec.workers,
                                      spec.user_ids, spec.timeout_s, spec.think_s, spec.rate_per_user,
                                      spec.relogin_s, mix=spec.mix, ids=tuple(ids[:spec.user_ids])))
        self.tail = RecordTail(self.run.config.records_dir)
        self._stop = threading.Event()
        self._follower = threading.Thread(target=self._follow, daemon=True, name="locust-records")

    def start(self) -> "LocustGenerator":
        self.run.start()
        self._follower.start()
        return self

    def _follow(self) -> None:
        while not self._stop.wait(FOLLOW_S):
            self._copy()

    def _copy(self) -> None:
        for record in self.tail.read_new():
            facts = {k: record[k] for k in ("first_page", "items") if k in record}  # a first page's size
            self.history.record("request", "load", t=record["t"], endpoint=record["endpoint"],
                                method=record["method"], status=record["status"], error=record["error"],
                                latency=record["latency"], replica=record.get("replica"), **facts)

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Returns once Locust's users are sending (a record file exists); raises
        HarnessError otherwise - a steady state with no traffic proves nothing."""
        if wait_until(lambda: any(self.run.config.records_dir.glob("records.*.jsonl")), timeout):
            return  # a record file is made at the first request
        self.run.stop()
        raise HarnessError(f"Locust sent no request within {timeout:g}s (logs: {self.run.config.records_dir})")

    def stop(self) -> None:
        """Stops Locust, copies its last records into the history, and removes its files."""
        self.run.stop()
        self._stop.set()
        if self._follower.is_alive():
            self._follower.join()
        self._copy()
        self.run.close()  # its records are in the history now
