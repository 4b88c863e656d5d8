"""Shared by the faults that stop a dependency's container: stop it, read back that it
is not running, start it again on heal (and wait for it to answer)."""

from runbook_drill.harness.faults.base import Fault, FaultNotApplied


class StoppedContainer(Fault):
    """Subclasses name the stack attribute of the container (`target`)."""

    target = ""
    params = {}

    def _container(self, stack):
        return getattr(stack, self.target)

    def _apply(self, stack):
        self._container(stack).get_wrapped_container().stop(timeout=5)

    def _verify(self, stack):
        wrapped = self._container(stack).get_wrapped_container()
        wrapped.reload()
        if wrapped.status == "running":
            raise FaultNotApplied(f"{self.target} is still running")
        return {"status": wrapped.status}

    def heal(self, stack):
        wrapped = self._container(stack).get_wrapped_container()
        wrapped.reload()
        if wrapped.status != "running":
            wrapped.start()
        self._wait_back(stack)

    def _wait_back(self, stack) -> None:
        return None
