"""A replica is frozen (docker pause): it accepts nothing and answers nothing."""

from runbook_drill.harness.faults.base import Fault, FaultNotApplied, register


@register
class AppFrozen(Fault):
    kind = "app_frozen"
    touches = 'replica {replica}: its container paused (docker pause)'
    radius = 'replica {replica} of the User API; the others serve'
    params = {"replica": 0}

    def _apply(self, stack):
        self._container = stack.replicas[self.values["replica"]]
        self._container.get_wrapped_container().pause()

    def _verify(self, stack):
        wrapped = self._container.get_wrapped_container()
        wrapped.reload()
        if not wrapped.attrs["State"]["Paused"]:
            raise FaultNotApplied("the replica is not paused")
        return {"replica": wrapped.name, "paused": True}

    def heal(self, stack):
        container = getattr(self, "_container", None)
        if container is None:
            return
        import docker.errors

        try:
            wrapped = container.get_wrapped_container()
            wrapped.reload()
        except docker.errors.NotFound:
            return  # replaced meanwhile (the runbook's "restart pod"): nothing left to heal
        if wrapped.attrs["State"]["Paused"]:
            wrapped.unpause()
