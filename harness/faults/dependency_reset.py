"""A dependency's connections are reset (TCP RST) after timeout_ms."""

from runbook_drill.harness.faults.base import ToxicFault, register


@register
class DependencyReset(ToxicFault):
    kind = "dependency_reset"
    touches = 'the {dependency} proxy (Toxiproxy): connections reset after {timeout_ms} ms ({stream})'
    radius = "the {dependency} dependency: every replica's traffic to it"
    toxic_type = "reset_peer"
    params = {"dependency": "postgres", "timeout_ms": 0, "stream": "downstream"}

    def _toxic(self):
        return {"stream": self.values["stream"], "attributes": {"timeout": self.values["timeout_ms"]}}
