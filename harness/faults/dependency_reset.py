"""A dependency's connections are reset (TCP RST) after timeout_ms."""

from harness.faults.base import ToxicFault, register


@register
class DependencyReset(ToxicFault):
    kind = "dependency_reset"
    toxic_type = "reset_peer"
    params = {"dependency": "postgres", "timeout_ms": 0, "stream": "downstream"}

    def _toxic(self):
        return {"stream": self.values["stream"], "attributes": {"timeout": self.values["timeout_ms"]}}
