"""Redis is down: its container is stopped ("Redis unavailable")."""

from harness.faults.base import Fault, FaultNotApplied, register


@register
class RedisDown(Fault):
    kind = "redis_down"
    params = {}

    def _apply(self, stack):
        stack.redis.get_wrapped_container().stop(timeout=5)

    def _verify(self, stack):
        wrapped = stack.redis.get_wrapped_container()
        wrapped.reload()
        if wrapped.status == "running":
            raise FaultNotApplied("redis is still running")
        return {"status": wrapped.status}

    def heal(self, stack):
        wrapped = stack.redis.get_wrapped_container()
        wrapped.reload()
        if wrapped.status != "running":
            wrapped.start()
