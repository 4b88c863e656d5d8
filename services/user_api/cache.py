"""Redis: the read-through user cache, the per-client rate limiter and the cache of
token introspection answers. Redis failures never fail a request on their own: the
cache misses, the limiter lets the request through, introspection asks the auth
service - and each failure is counted and logged. Readiness is what reports Redis down."""

from __future__ import annotations

import logging
import time
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

    def count_read(self, cached: bytes | None) -> bytes | None:
        """Counts a user-cache read as a hit or a miss; returns `cached` unchanged."""
        (self.metrics.redis_misses if cached is None else self.metrics.redis_hits).inc()
        return cached

    @staticmethod
    def user_key(user_id: int) -> str:
        return f"user:{user_id}"

    async def put_user(self, user_id: int, body: bytes) -> None:
        try:
            await self.redis.set(self.user_key(user_id), body, ex=self.config.cache_ttl_seconds)
        except RedisError as exc:
            self._failed("cache write", exc)

    async def forget_user(self, user_id: int) -> None:
        try:
            await self.redis.delete(self.user_key(user_id))
        except RedisError as exc:
            # A stale entry would outlive the write: say so loudly.
            log.error("redis unavailable during cache invalidation of user %s: %s", user_id, exc)
            self.metrics.redis_errors.inc()

    async def admit(self, client: str, token_key: str,
                    also_get: str | None = None) -> tuple[int | None, str | None, bytes | None]:
        """Counts one request of `client` in the current window, reads the cached
        introspection answer of the token and (if asked) one more key - one round trip.

        Returns (seconds to wait, or None when admitted; "active"/"inactive"/None;
        the value of `also_get` or None).
        """
        window = self.config.rate_limit_window_seconds
        key = f"rl:{client}:{int(time.time()) // window}"
        pipe = self.redis.pipeline(transaction=False).incr(key).expire(key, window + 1).get(token_key)
        if also_get:
            pipe.get(also_get)
        try:
            count, _, token_state, *extra = await pipe.execute()
        except RedisError as exc:
            self._failed("rate limiting", exc)
            return None, None, None
        state = token_state.decode() if token_state else None
        value = extra[0] if extra else None
        if count > self.config.rate_limit_requests:
            return window - int(time.time()) % window, state, value
        return None, state, value

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
