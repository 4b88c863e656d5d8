"""Cache entries are gone ("Redis cache misses"): with share 1.0 a FLUSHALL, so every read
misses until the cache refills; with a smaller share, that share of every key is evicted
at random (as memory pressure on Redis would: the contract names no key of the
service's), so about that share of cached users is gone and that share of reads miss."""

import random

from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.faults.base import Fault, FaultNotApplied, register


@register
class RedisFlushed(Fault):
    kind = "redis_flushed"
    touches = 'Redis: {share} of its keys evicted (pattern {pattern})'
    radius = "the cache dependency: every replica's reads"
    params = {"share": 1.0, "pattern": "*"}

    def _apply(self, stack):
        share = float(self.values["share"])
        if not 0 < share <= 1:
            raise ConfigError(f"fault redis_flushed: share must be in (0, 1], got {share}")
        client = stack.redis.get_client(socket_timeout=5)
        if share == 1.0:
            client.flushall()
            self._evicted = None
            return
        keys = sorted(client.scan_iter(match=self.values["pattern"], count=1000))
        self._evicted = random.Random(len(keys)).sample(keys, int(len(keys) * share))
        if self._evicted:
            client.delete(*self._evicted)
        self._cached_before = len(keys)

    def _verify(self, stack):
        client = stack.redis.get_client(socket_timeout=5)
        if self._evicted is None:
            keys = client.dbsize()
            if keys > 50:  # a few may be written back between the flush and this read
                raise FaultNotApplied(f"redis still holds {keys} keys after FLUSHALL")
            return {"keys_after_flush": keys}
        if not self._evicted:
            raise FaultNotApplied(f"no cached entries matching {self.values['pattern']} to evict")
        return {"evicted": len(self._evicted), "cached_before": self._cached_before}

    def heal(self, stack):
        return None  # the cache refills by itself
