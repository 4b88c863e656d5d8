"""Traffic to a dependency is blocked: a timeout toxic drops everything and, with
timeout_ms 0, holds connections open forever ("Network policy blocking traffic")."""

from runbook_drill.harness.faults.base import ToxicFault, register


@register
class DependencyTimeout(ToxicFault):
    kind = "dependency_timeout"
    touches = 'the {dependency} proxy (Toxiproxy): traffic dropped, timeout {timeout_ms} ms (0: held open) ({stream})'
    radius = "the {dependency} dependency: every replica's traffic to it"
    toxic_type = "timeout"
    params = {"dependency": "postgres", "timeout_ms": 0, "stream": "upstream"}

    def _toxic(self):
        return {"stream": self.values["stream"], "attributes": {"timeout": self.values["timeout_ms"]}}
