"""The User API: users resource, health probes and metrics (FastAPI on uvicorn)."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import time
import uuid
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ..common.logs import request_id
from .auth import Authenticator, TokenRejected, bearer_token, token_key
from .cache import Cache
from .config import Config
from .db import Conflict, Database, DatabaseError
from .metrics import Metrics
from .models import MAX_ID, UserIn, UserPatch
from .users import Users

log = logging.getLogger("user_api")
MAX_BODY_BYTES = 64 * 1024


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"rate limit exceeded; retry after {retry_after}s")
        self.retry_after = retry_after


class NotFound(Exception):
    pass


class BadRequest(Exception):
    pass


class Observe:
    """ASGI middleware: request id, body-size limit, and the request metrics labelled
    with the route template (never the raw path)."""

    def __init__(self, app, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        rid = headers.get(b"x-request-id", b"").decode(errors="replace")[:64] or uuid.uuid4().hex[:16]
        request_id.set(rid)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            length = headers.get(b"content-length", b"0")
            if not length.isdigit() or int(length) > MAX_BODY_BYTES:
                response = JSONResponse({"error": "body too large", "max_bytes": MAX_BODY_BYTES}, 413)
                await response(scope, receive, send_with_id)
            else:
                await self.app(scope, receive, send_with_id)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            self.metrics.observe_request(scope["method"], route, status, time.perf_counter() - started)


class AsciiJSONResponse(JSONResponse):
    """JSON with non-ASCII escaped: any text a client sent (even a lone surrogate) renders."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode()


def _json(content: Any, status: int = 200) -> Response:
    """Returns `content` as compact JSON; plain dicts and lists skip FastAPI's encoder."""
    return AsciiJSONResponse(content, status_code=status)


def _error(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return AsciiJSONResponse(body, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI, metrics: Metrics) -> None:
    """Maps every failure to its status and its log line; nothing becomes a bare 500."""

    @app.exception_handler(TokenRejected)
    async def token_rejected(request: Request, exc: TokenRejected):
        metrics.auth_failures.labels(exc.reason).inc()
        log.error("invalid token: %s", exc, extra={"fields": {"reason": exc.reason, "path": request.url.path}})
        return _error(401, {"error": "invalid token", "reason": exc.reason},
                      {"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{exc.reason}"'})

    @app.exception_handler(DatabaseError)
    async def database_error(request: Request, exc: DatabaseError):
        log.error("%s", exc, extra={"fields": {"kind": exc.kind, "path": request.url.path}})
        return _error(500, {"error": "database error", "kind": exc.kind})

    @app.exception_handler(RateLimited)
    async def rate_limited(request: Request, exc: RateLimited):
        metrics.rate_limited.inc()
        log.error("rate limit exceeded", extra={"fields": {"retry_after": exc.retry_after}})
        return _error(429, {"error": "rate limit exceeded", "retry_after": exc.retry_after},
                      {"Retry-After": str(exc.retry_after)})

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        # Location, message and type only: echoing the input back could fail to encode
        # (a lone surrogate) and would mirror megabytes of junk.
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
                  for e in exc.errors()]
        return _error(422, {"error": "invalid request", "detail": errors})

    @app.exception_handler(Conflict)
    async def conflict(request: Request, exc: Conflict):
        return _error(409, {"error": str(exc)})

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound):
        return _error(404, {"error": "no such user"})

    @app.exception_handler(BadRequest)
    async def bad_request(request: Request, exc: BadRequest):
        return _error(400, {"error": str(exc)})

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.error("unexpected error: %s: %s", type(exc).__name__, exc, exc_info=exc)
        return _error(500, {"error": "internal error"})


class ReadinessLog:
    """Logs readiness at ERROR when it fails (naming each failing check and its cause),
    again whenever the cause changes (a pooled connection "lost" becomes a reconnect
    "refused"), again every `repeat_s` while it stays failed, and at INFO when it
    recovers - so an operator grepping ERROR sees why a replica left the load balancer."""

    def __init__(self, repeat_s: float = 10.0) -> None:
        self.ready, self.repeat_s, self._last, self._cause = True, repeat_s, 0.0, ""

    def report(self, ok: bool, checks: dict[str, dict[str, Any]]) -> None:
        now = time.monotonic()
        failing = "; ".join(f"{name}: {c.get('error')}" for name, c in checks.items() if not c["ok"])
        if not ok and (self.ready or failing != self._cause or now - self._last >= self.repeat_s):
            log.error("readiness check failed: %s", failing)
            self._last = now
        elif ok and not self.ready:
            log.info("readiness check passed again")
        self.ready, self._cause = ok, failing


async def _check(probe, timeout: float) -> dict[str, Any]:
    try:
        await asyncio.wait_for(probe(), timeout)
        return {"ok": True}
    except asyncio.TimeoutError:
        return {"ok": False, "error": f"no answer within {timeout:g}s"}
    except Exception as exc:  # the check's verdict, not a crash
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}


def create_app(config: Config) -> Observe:
    """Returns the ASGI app (FastAPI wrapped in Observe); dependencies open in its lifespan."""
    metrics = Metrics()
    db = Database(config, metrics)
    cache = Cache(config, metrics)
    auth = Authenticator(config)
    users = Users(db)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        opener = asyncio.create_task(db.open_until_ready())
        # What start-up made (modules, the app, its routes) lives as long as the process:
        # kept out of the collector, a full collection no longer walks it (~40 ms of CPU
        # each here, half a second of stall under a 0.1 CPU quota).
        gc.freeze()
        yield
        opener.cancel()
        await asyncio.gather(db.close(), cache.close(), auth.close(), return_exceptions=True)

    readiness = ReadinessLog()
    app = FastAPI(title="User API", version="1.0.0", lifespan=lifespan)
    install_error_handlers(app, metrics)

    async def admitted(request: Request, also_get: str | None = None) -> bytes | None:
        """Authenticates and rate-limits the request; returns the value of `also_get`
        from the same Redis round trip. Raises TokenRejected or RateLimited."""
        token = bearer_token(request.headers.get("authorization"))
        claims = auth.decode(token)
        key = token_key(token)
        retry_after, state, value = await cache.admit(str(claims["sub"]), key, also_get)
        if retry_after is not None:
            raise RateLimited(retry_after)
        if state is None:
            state = "active" if await auth.introspect(token) else "inactive"
            await cache.remember_token(key, state, auth.cache_seconds(claims))
        if state != "active":
            raise TokenRejected("revoked", "the auth service reports the token inactive")
        return value

    async def authenticated(request: Request) -> None:
        await admitted(request)

    @app.get("/health/live", tags=["health"])
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/health/ready", tags=["health"], responses={503: {"description": "a dependency is down"}})
    async def ready():
        t = config.ready_timeout_seconds
        database, redis_check = await asyncio.gather(_check(lambda: db.ping(t), t), _check(cache.ping, t))
        checks = {"database": database, "redis": redis_check}
        ok = all(check["ok"] for check in checks.values())
        readiness.report(ok, checks)
        return _error(200 if ok else 503, {"status": "ready" if ok else "unavailable", "checks": checks})

    @app.get("/metrics", tags=["health"])
    async def metrics_endpoint() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    UserId = Path(ge=1, le=MAX_ID)
    auth_responses = {401: {"description": "invalid token"}, 429: {"description": "rate limited"}}

    @app.post("/users", status_code=201, tags=["users"], responses={409: {"description": "email taken"},
                                                                   **auth_responses})
    async def create_user(body: UserIn, _=Depends(authenticated)):
        return await users.create(body.email, body.name, body.roles)

    @app.get("/users", tags=["users"], responses={400: {"description": "page too large"}, **auth_responses})
    async def list_users(limit: int | None = Query(None, ge=1), after: int = Query(0, ge=0, le=MAX_ID),
                         _=Depends(authenticated)):
        size = config.page_size_default if limit is None else limit
        if size > config.page_size_max:
            raise BadRequest(f"limit {size} is above the maximum page size {config.page_size_max}")
        page = await users.page(after, size)
        body = {"items": page, "next_after": page[-1]["id"] if len(page) == size else None}
        return _json(body)

    @app.get("/users/{user_id}", tags=["users"], responses={404: {"description": "no such user"},
                                                            **auth_responses})
    async def get_user(request: Request, user_id: int = UserId):
        # The cache holds the response body itself, fetched in the same round trip as
        # the rate limit and the token state: a hit costs one Redis call, no parsing.
        body = cache.count_read(await admitted(request, cache.user_key(user_id)))
        if body is None:
            user = await users.get(user_id)
            if user is None:
                raise NotFound()
            body = _json(user).body
            await cache.put_user(user_id, body)
        return Response(body, media_type="application/json")

    @app.patch("/users/{user_id}", tags=["users"], responses={404: {"description": "no such user"},
                                                              409: {"description": "email taken"},
                                                              **auth_responses})
    async def update_user(body: UserPatch, user_id: int = UserId, _=Depends(authenticated)):
        user = await users.update(user_id, body.email, body.name, body.roles)
        await cache.forget_user(user_id)
        if user is None:
            raise NotFound()
        return user

    @app.delete("/users/{user_id}", status_code=204, tags=["users"],
                responses={404: {"description": "no such user"}, **auth_responses})
    async def delete_user(user_id: int = UserId, _=Depends(authenticated)):
        deleted = await users.delete(user_id)
        await cache.forget_user(user_id)
        if not deleted:
            raise NotFound()
        return Response(status_code=204)

    app.state.db, app.state.cache, app.state.metrics = db, cache, metrics
    return Observe(app, metrics)
