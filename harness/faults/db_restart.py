"""The database restarts ("Database pod restarted"): stopped, gone for `down_s` - a pod
restart takes the database away for seconds (termination, scheduling, start-up), not
the 0.4 s a container restart takes here, where the 500s it caused were 1-4% of the
requests, once under the 1% the symptom is judged by - then started again: every pooled
connection breaks."""

import threading

from runbook_drill.harness.faults.base import Fault, FaultNotApplied, register


def _started_at(container) -> str:
    wrapped = container.get_wrapped_container()
    wrapped.reload()
    return wrapped.attrs["State"]["StartedAt"]


@register
class DbRestart(Fault):
    kind = "db_restart"
    touches = 'the PostgreSQL container: stopped, gone {down_s} s, started again'
    radius = "the database dependency: every replica's pooled connections"
    params = {"down_s": 2.0}

    def _apply(self, stack):
        self._before = _started_at(stack.postgres)
        wrapped = stack.postgres.get_wrapped_container()
        wrapped.stop(timeout=10)
        threading.Event().wait(self.values["down_s"])  # how long the pod is gone: the fault's shape
        wrapped.start()

    def _verify(self, stack):
        after = _started_at(stack.postgres)
        if after == self._before:
            raise FaultNotApplied("postgres was not restarted (same StartedAt)")
        return {"started_before": self._before, "started_after": after}

    def heal(self, stack):
        wrapped = stack.postgres.get_wrapped_container()
        wrapped.reload()
        if wrapped.status != "running":
            wrapped.start()
