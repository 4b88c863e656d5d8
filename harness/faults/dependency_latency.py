"""A dependency answers slowly: a latency toxic on its proxy (slow queries over the
network, "External API timeouts", auth latency)."""

from runbook_drill.harness.faults.base import ToxicFault, register


@register
class DependencyLatency(ToxicFault):
    kind = "dependency_latency"
    touches = 'the {dependency} proxy (Toxiproxy): latency {latency_ms} ms, jitter {jitter_ms} ms ({stream})'
    radius = "the {dependency} dependency: every replica's traffic to it"
    toxic_type = "latency"
    params = {"dependency": "postgres", "latency_ms": 500, "jitter_ms": 0, "stream": "downstream"}

    def _toxic(self):
        return {"stream": self.values["stream"],
                "attributes": {"latency": self.values["latency_ms"], "jitter": self.values["jitter_ms"]}}
