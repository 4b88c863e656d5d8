"""One replica is unready while the others serve: it is replaced (same index) by one
whose Redis address answers nothing, so its process lives (live 200) while its
readiness should fail (503) - what the load balancer must take out of rotation."""

import requests

from runbook_drill.harness.faults.base import Fault, FaultNotApplied, register
from runbook_drill.harness.polling import wait_until

UNREACHABLE_REDIS = {"redis_url": "redis://toxiproxy:1/0", "redis_port": "1"}  # nothing listens: refused at once


@register
class ReplicaUnready(Fault):
    kind = "replica_unready"
    touches = 'replica {replica}: replaced by one whose Redis address answers nothing'
    radius = 'replica {replica} of the User API; the others serve'
    params = {"replica": 0}

    def _apply(self, stack):
        self._index = self.values["replica"]
        stack.replace_replica(self._index, stack.env_with(**UNREACHABLE_REDIS), wait_ready=False)

    def _verify(self, stack):
        # The cause is in place once the replica runs (live) with no Redis to reach; that
        # its readiness then fails is the symptom the scenario checks, not the fault's to assume.
        def live() -> bool:
            return requests.get(f"{stack.url(self._index)}/health/live", timeout=1).status_code == 200
        if not wait_until(live, 30):
            raise FaultNotApplied(f"replica {self._index} with an unreachable Redis is not live")
        return {"replica": self._index, "redis": UNREACHABLE_REDIS}

    def heal(self, stack):
        index = getattr(self, "_index", None)
        if index is not None and index < len(stack.replicas) and not stack.replicas[index].drill_baseline:
            stack.replace_replica(index)
