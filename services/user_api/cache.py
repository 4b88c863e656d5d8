"""Redis: the read-through user cache, the per-client rate limiter and the cache of
token introspection answers. Redis failures never fail a request on their own: the
cache misses, the limiter lets the request through, introspection asks the auth
service - and each failure is counted and logged. Readiness is what reports Redis down."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from .config import Config
from .metrics import Metrics

log = logging.getLogger("user_api.redis")


class Cache:
    """All Redis use of the User API."""

    def __init__(self, config: Config, metrics: Metrics) -> None:
        self.config = config
        self.metrics = metrics
        self.redis = aioredis.from_url(config.redis_url, socket_timeout=config.redis_timeout_seconds,
                                       socket_connect_timeout=config.redis_timeout_seconds, max_connections=200)

    def _failed(self, what: str, exc: Exception) -> None:
        self.metrics.redis_errors.inc()
        log.warning("redis unavailable during %s: %s", what, exc)

    async def get_user(self, user_id: int) -> dict[str, Any] | None:
        """Returns the cached user, or None on a miss (or when Redis fails)."""
        try:
            raw = await self.redis.get(f"user:{user_id}")
        except RedisError as exc:
            self._failed("cache read", exc)
            raw = None
        if raw is None:
            self.metrics.redis_misses.inc()
            return None
        self.metrics.redis_hits.inc()
        return json.loads(raw)

    async def put_user(self, user: dict[str, Any]) -> None:
        try:
            await self.redis.set(f"user:{user['id']}", json.dumps(user), ex=self.config.cache_ttl_seconds)
        except RedisError as exc:
            self._failed("cache write", exc)

    async def forget_user(self, user_id: int) -> None:
        try:
            await self.redis.delete(f"user:{user_id}")
        except RedisError as exc:
            # A stale entry would outlive the write: say so loudly.
            log.error("redis unavailable during cache invalidation of user %s: %s", user_id, exc)
            self.metrics.redis_errors.inc()

    async def admit(self, client: str, token_key: str) -> tuple[int | None, str | None]:
        """Counts one request of `client` in the current window and reads the cached
        introspection answer of the token, in one round trip.

        Returns (seconds to wait, or None when admitted; "active"/"inactive"/None).
        """
        window = self.config.rate_limit_window_seconds
        key = f"rl:{client}:{int(time.time()) // window}"
        try:
            count, _, token_state = await (self.redis.pipeline(transaction=False)
                                           .incr(key).expire(key, window + 1).get(token_key).execute())
        except RedisError as exc:
            self._failed("rate limiting", exc)
            return None, None
        state = token_state.decode() if token_state else None
        if count > self.config.rate_limit_requests:
            return window - int(time.time()) % window, state
        return None, state

    async def remember_token(self, token_key: str, state: str, seconds: int) -> None:
        if seconds <= 0:
            return
        try:
            await self.redis.set(token_key, state, ex=seconds)
        except RedisError as exc:
            self._failed("token cache write", exc)

    async def ping(self) -> None:
        """Raises RedisError unless Redis answers PING."""
        await self.redis.ping()

    async def close(self) -> None:
        await self.redis.aclose()
