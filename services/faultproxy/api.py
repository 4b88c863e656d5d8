"""Toxiproxy 2.12's HTTP API over the proxies: the same routes, status codes and error
bodies ({"error": message, "status": code}), so any Toxiproxy client drives it unchanged."""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .proxy import ListenError, Proxy
from .toxics import REGISTRY, Definition, validate_attributes

log = logging.getLogger("faultproxy.api")
VERSION = "2.12.0"


class ApiError(Exception):
    """A named API error with its status code (Toxiproxy's ErrXxx values)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message, self.status = message, status

    def joined(self, detail: str) -> "ApiError":
        return ApiError(f"{self.message}: {detail}", self.status)


BAD_REQUEST_BODY = ApiError("bad request body", 400)
MISSING_FIELD = ApiError("missing required field", 400)
PROXY_NOT_FOUND = ApiError("proxy not found", 404)
PROXY_EXISTS = ApiError("proxy already exists", 409)
INVALID_STREAM = ApiError("stream was invalid, can be either upstream or downstream", 400)
INVALID_TOXIC_TYPE = ApiError("invalid toxic type", 400)
TOXIC_EXISTS = ApiError("toxic already exists", 409)
TOXIC_NOT_FOUND = ApiError("toxic not found", 404)


def _error(exc: ApiError) -> Response:
    return Response(json.dumps({"error": exc.message, "status": exc.status}) + "\n", exc.status,
                    media_type="application/json")


async def _body(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except (ValueError, UnicodeDecodeError) as exc:
        raise BAD_REQUEST_BODY.joined(str(exc)) from None


def _field(body: dict, name: str, kind: type, default: Any) -> Any:
    value = body.get(name, default)
    if value is not default and (not isinstance(value, kind) or (kind is int and isinstance(value, bool))):
        raise BAD_REQUEST_BODY.joined(f"{name} must be {kind.__name__}")
    return value


class Collection:
    """All proxies by name, and the operations the API routes need."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.proxies: dict[str, Proxy] = {}

    def get(self, name: str) -> Proxy:
        if name not in self.proxies:
            raise PROXY_NOT_FOUND
        return self.proxies[name]

    @staticmethod
    def parse_proxy(body: Any, where: str = "") -> tuple[str, str, str, bool]:
        if not isinstance(body, dict):
            raise BAD_REQUEST_BODY.joined("expected a JSON object for a proxy")
        name, upstream = _field(body, "name", str, ""), _field(body, "upstream", str, "")
        listen, enabled = _field(body, "listen", str, ""), _field(body, "enabled", bool, True)
        if not name:
            raise MISSING_FIELD.joined("name" + where)
        if not upstream:
            raise MISSING_FIELD.joined("upstream" + where)
        return name, listen, upstream, enabled

    async def add(self, name: str, listen: str, upstream: str, enabled: bool, replace: bool = False) -> Proxy:
        existing = self.proxies.get(name)
        if existing is not None:
            if not replace:
                raise PROXY_EXISTS
            if existing.upstream == upstream and listen in (existing.listen, existing.requested_listen):
                return existing
            await existing.stop()
        proxy = Proxy(name, listen, upstream, self.seed)
        if enabled:
            await _start(proxy)
        self.proxies[name] = proxy
        return proxy

    async def reset(self) -> None:
        for proxy in self.proxies.values():
            await _start(proxy)
            proxy.toxics.clear()
            proxy.toxics_changed()


async def _start(proxy: Proxy) -> None:
    try:
        await proxy.start()
    except ListenError as exc:
        raise ApiError(str(exc), 500) from None


def _toxic_from(body: Any) -> Definition:
    if not isinstance(body, dict):
        raise BAD_REQUEST_BODY.joined("expected a JSON object for a toxic")
    stream = _field(body, "stream", str, "downstream").lower()
    if stream not in ("upstream", "downstream"):
        raise INVALID_STREAM
    kind = _field(body, "type", str, "")
    name = _field(body, "name", str, "") or f"{kind}_{stream}"
    if kind not in REGISTRY:
        raise INVALID_TOXIC_TYPE
    return Definition(name, kind, stream, _toxicity(body, 1.0), _attributes(kind, body.get("attributes")))


def _toxicity(body: dict, default: float) -> float:
    value = body.get("toxicity", default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise BAD_REQUEST_BODY.joined(f"toxicity must be a number from 0 to 1, got {value!r}")
    return float(value)


def _attributes(kind: str, given: Any, current: dict[str, int] | None = None) -> dict[str, int]:
    try:
        return validate_attributes(kind, given, current)
    except ValueError as exc:
        raise BAD_REQUEST_BODY.joined(str(exc)) from None


def create_app(collection: Collection) -> Starlette:
    """Returns the HTTP API over `collection`."""

    async def proxy_index(request):
        return JSONResponse({name: p.to_json() for name, p in collection.proxies.items()})

    async def proxy_create(request):
        name, listen, upstream, enabled = collection.parse_proxy(await _body(request))
        proxy = await collection.add(name, listen, upstream, enabled)
        return JSONResponse(proxy.to_json(), 201)

    async def populate(request):
        body = await _body(request)
        if not isinstance(body, list):
            raise BAD_REQUEST_BODY.joined("expected a JSON array of proxies")
        parsed = [collection.parse_proxy(item, f" at proxy {i + 1}") for i, item in enumerate(body)]
        done = []
        try:
            for name, listen, upstream, enabled in parsed:
                done.append(await collection.add(name, listen, upstream, enabled, replace=True))
        except ApiError as exc:
            return JSONResponse({"error": exc.message, "status": exc.status,
                                 "proxies": [p.to_json() for p in done]}, exc.status)
        return JSONResponse({"proxies": [p.to_json() for p in done]}, 201)

    async def proxy_show(request):
        return JSONResponse(collection.get(request.path_params["proxy"]).to_json())

    async def proxy_update(request):
        proxy = collection.get(request.path_params["proxy"])
        body = await _body(request)
        if not isinstance(body, dict):
            raise BAD_REQUEST_BODY.joined("expected a JSON object for a proxy")
        listen, upstream = _field(body, "listen", str, proxy.listen), _field(body, "upstream", str, proxy.upstream)
        enabled = _field(body, "enabled", bool, proxy.enabled)
        if (listen, upstream) != (proxy.listen, proxy.upstream):
            await proxy.stop()
            proxy.listen, proxy.requested_listen, proxy.upstream = listen, listen, upstream
        if enabled:
            await _start(proxy)
        else:
            await proxy.stop()
        return JSONResponse(proxy.to_json())

    async def proxy_delete(request):
        proxy = collection.get(request.path_params["proxy"])
        await proxy.stop()
        del collection.proxies[proxy.name]
        return Response(status_code=204)

    async def toxic_index(request):
        proxy = collection.get(request.path_params["proxy"])
        return JSONResponse([t.to_json() for t in proxy.toxics.values()])

    async def toxic_create(request):
        proxy = collection.get(request.path_params["proxy"])
        toxic = _toxic_from(await _body(request))
        if toxic.name in proxy.toxics:
            raise TOXIC_EXISTS
        proxy.toxics[toxic.name] = toxic
        proxy.toxics_changed()
        return JSONResponse(toxic.to_json())

    def _toxic(request) -> tuple[Proxy, Definition]:
        proxy = collection.get(request.path_params["proxy"])
        toxic = proxy.toxics.get(request.path_params["toxic"])
        if toxic is None:
            raise TOXIC_NOT_FOUND
        return proxy, toxic

    async def toxic_show(request):
        return JSONResponse(_toxic(request)[1].to_json())

    async def toxic_update(request):
        proxy, toxic = _toxic(request)
        body = await _body(request)
        if not isinstance(body, dict):
            raise BAD_REQUEST_BODY.joined("expected a JSON object for a toxic")
        toxic.values = _attributes(toxic.kind, body.get("attributes"), toxic.values)
        toxic.toxicity = _toxicity(body, toxic.toxicity)
        proxy.toxics_changed(updated=toxic.name)
        return JSONResponse(toxic.to_json())

    async def toxic_delete(request):
        proxy, toxic = _toxic(request)
        del proxy.toxics[toxic.name]
        proxy.toxics_changed()
        return Response(status_code=204)

    async def reset(request):
        await collection.reset()
        return Response(status_code=204)

    async def version(request):
        return Response(json.dumps({"version": VERSION}) + "\n", media_type="application/json;charset=utf-8")

    routes = [
        Route("/reset", reset, methods=["POST"]),
        Route("/proxies", proxy_index, methods=["GET"]),
        Route("/proxies", proxy_create, methods=["POST"]),
        Route("/populate", populate, methods=["POST"]),
        Route("/proxies/{proxy}", proxy_show, methods=["GET"]),
        Route("/proxies/{proxy}", proxy_update, methods=["POST", "PATCH"]),
        Route("/proxies/{proxy}", proxy_delete, methods=["DELETE"]),
        Route("/proxies/{proxy}/toxics", toxic_index, methods=["GET"]),
        Route("/proxies/{proxy}/toxics", toxic_create, methods=["POST"]),
        Route("/proxies/{proxy}/toxics/{toxic}", toxic_show, methods=["GET"]),
        Route("/proxies/{proxy}/toxics/{toxic}", toxic_update, methods=["POST", "PATCH"]),
        Route("/proxies/{proxy}/toxics/{toxic}", toxic_delete, methods=["DELETE"]),
        Route("/version", version, methods=["GET"]),
    ]

    async def api_error(request, exc: ApiError):
        return _error(exc)

    async def unexpected(request, exc: Exception):
        log.error("unexpected error on %s %s: %s", request.method, request.url.path, exc, exc_info=exc)
        return _error(ApiError(str(exc) or type(exc).__name__, 500))

    app = Starlette(routes=routes, exception_handlers={ApiError: api_error, Exception: unexpected})

    async def stop_browsers(scope, receive, send):
        # As Toxiproxy: a browser must not be able to drive it (CSRF from a web page).
        if scope["type"] == "http":
            agent = dict(scope["headers"]).get(b"user-agent", b"")
            if agent.startswith(b"Mozilla/"):
                return await Response("User agent not allowed\n", 403, media_type="text/plain")(scope, receive, send)
        await app(scope, receive, send)

    return stop_browsers
