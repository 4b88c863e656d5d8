"""The cache is empty: FLUSHALL, so reads miss until it refills ("Redis cache misses")."""

from harness.faults.base import Fault, FaultNotApplied, register


@register
class RedisFlushed(Fault):
    kind = "redis_flushed"
    params = {}

    def _apply(self, stack):
        stack.redis.get_client(socket_timeout=5).flushall()

    def _verify(self, stack):
        keys = stack.redis.get_client(socket_timeout=5).dbsize()
        if keys > 50:  # a few may be written back between the flush and this read
            raise FaultNotApplied(f"redis still holds {keys} keys after FLUSHALL")
        return {"keys_after_flush": keys}

    def heal(self, stack):
        return None  # the cache refills by itself
