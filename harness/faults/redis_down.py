"""Redis is down: its container is stopped ("Redis unavailable")."""

from runbook_drill.harness.faults.base import register
from runbook_drill.harness.faults.stopped import StoppedContainer


@register
class RedisDown(StoppedContainer):
    kind = "redis_down"
    touches = 'the Redis container: stopped'
    radius = "the cache dependency: every replica's reads"
    target = "redis"
