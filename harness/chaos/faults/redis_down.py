"""Redis is down: its container is stopped ("Redis unavailable")."""

from harness.chaos.faults.base import register
from harness.chaos.faults.stopped import StoppedContainer


@register
class RedisDown(StoppedContainer):
    kind = "redis_down"
    target = "redis"
