"""No fault: the baseline ("steady state") scenarios, and scenarios whose trouble is
traffic (a client over its rate limit, clients with bad tokens) rather than the system."""

from runbook_drill.harness.faults.base import Fault, register


@register
class NoFault(Fault):
    kind = "none"
    touches = 'nothing'
    radius = 'none'
    params = {}

    def _apply(self, stack):
        return None

    def _verify(self, stack):
        return {"replicas": len(stack.replicas)}

    def heal(self, stack):
        return None
