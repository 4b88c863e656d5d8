"""The database restarts ("Database pod restarted"): every pooled connection breaks."""

from harness.faults.base import Fault, FaultNotApplied, register


def _started_at(container) -> str:
    wrapped = container.get_wrapped_container()
    wrapped.reload()
    return wrapped.attrs["State"]["StartedAt"]


@register
class DbRestart(Fault):
    kind = "db_restart"
    touches = 'the PostgreSQL container: restarted'
    radius = "the database dependency: every replica's pooled connections"
    params = {}

    def _apply(self, stack):
        self._before = _started_at(stack.postgres)
        stack.postgres.get_wrapped_container().restart(timeout=10)

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
