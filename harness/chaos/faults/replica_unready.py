"""One replica is unready while the others serve: it is replaced (same index) by one
whose Redis address answers nothing, so its process lives (live 200) but its readiness
fails (503) - what the load balancer must take out of rotation."""

import requests

from harness.chaos.faults.base import Fault, FaultNotApplied, register
from harness.polling import wait_until

UNREACHABLE_REDIS = "redis://toxiproxy:1/0"  # nothing listens there: refused at once


@register
class ReplicaUnready(Fault):
    kind = "replica_unready"
    params = {"replica": 0}

    def _apply(self, stack):
        self._index = self.values["replica"]
        stack.replace_replica(self._index, {"REDIS_URL": UNREACHABLE_REDIS}, wait_ready=False)

    def _verify(self, stack):
        def answers(path: str, status: int) -> bool:
            return requests.get(f"{stack.url(self._index)}{path}", timeout=1).status_code == status
        if not wait_until(lambda: answers("/health/live", 200) and answers("/health/ready", 503), 30):
            raise FaultNotApplied(f"replica {self._index} is not live-but-unready")
        return {"replica": self._index, "redis_url": UNREACHABLE_REDIS}

    def heal(self, stack):
        index = getattr(self, "_index", None)
        if index is not None and index < len(stack.replicas) and not stack.replicas[index].drill_baseline:
            stack.replace_replica(index)
