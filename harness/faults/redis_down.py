"""Redis is down: its container is stopped ("Redis unavailable")."""

from harness.faults.base import register
from harness.faults.stopped import StoppedContainer


@register
class RedisDown(StoppedContainer):
    kind = "redis_down"
    target = "redis"
