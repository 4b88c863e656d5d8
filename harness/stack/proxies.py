"""The one client of the stack's fault proxy - a real Toxiproxy or the bundled proxy that
speaks its API - for every fault, the stack's start and its reset.

It is toxiproxy-python's client (its `Proxy` and `Toxic` model, its `APIConsumer`
transport and its named errors: NotFound, ProxyExists, InvalidToxic), extended where
version 0.1.1 lacks what a harness needs:
- an address per client: the library keeps one in class attributes of APIConsumer (one
  server a process), and `Proxy` ignores the consumer it is given - here each client has
  a consumer of its own, and `BoundProxy` calls through it;
- a bounded time: the library's calls have no timeout - here each has one;
- `populate` in one call (POST /populate: every proxy, atomically).
Any answer that is not a success raises (the library lets a 500 pass as a result).
"""

from __future__ import annotations

import requests
from toxiproxy.api import APIConsumer, validate_response
from toxiproxy.exceptions import InvalidToxic, NotFound, ProxyExists
from toxiproxy.proxy import Proxy
from toxiproxy.toxic import Toxic

ProxyError = (NotFound, ProxyExists, InvalidToxic, requests.RequestException)  # what any call may raise


def _consumer(host: str, port: int, timeout_s: float) -> type[APIConsumer]:
    """Returns an APIConsumer of one server: its address, a timeout on every call, and
    every unsuccessful answer raised (named by the library for 400/404/409)."""

    def call(method):
        @classmethod
        def send(cls, url, **kwargs):
            answer = validate_response(requests.request(method, f"http://{host}:{port}{url}",
                                                        timeout=timeout_s, **kwargs))
            answer.raise_for_status()
            return answer
        return send

    return type("BoundConsumer", (APIConsumer,), {"host": host, "port": port, "get": call("GET"),
                                                  "post": call("POST"), "delete": call("DELETE")})


class BoundProxy(Proxy):
    """toxiproxy-python's Proxy whose calls go to its own server."""

    def __init__(self, consumer: type[APIConsumer], **values) -> None:
        super().__init__(**values)
        self.consumer = consumer
        self.state = values  # the server's whole answer (toxics included when it gave them)

    def toxics(self) -> dict[str, Toxic]:
        """Returns the proxy's toxics by name, as the server has them now."""
        listed = self.consumer.get(f"/proxies/{self.name}/toxics").json()
        return {t["name"]: Toxic(**{**t, "proxy": self.name}) for t in listed}

    def add_toxic(self, **toxic) -> dict:
        """Adds a toxic (name, type, stream, toxicity, attributes); returns the server's copy."""
        return self.consumer.post(f"/proxies/{self.name}/toxics", json=toxic).json()

    def destroy_toxic(self, toxic_name: str) -> bool:
        """Removes a toxic; returns False when it was not there."""
        try:
            self.consumer.delete(f"/proxies/{self.name}/toxics/{toxic_name}")
        except NotFound:
            return False
        return True

    def disable(self) -> None:
        self._set_enabled(False)

    def enable(self) -> None:
        self._set_enabled(True)

    def _set_enabled(self, enabled: bool) -> None:
        self.consumer.post(f"/proxies/{self.name}", json={"enabled": enabled})
        self.enabled = enabled


class ProxyClient:
    """A fault proxy's API at host:port; every call bounded by `timeout_s`."""

    def __init__(self, host: str, port: int, timeout_s: float = 5.0) -> None:
        self.consumer = _consumer(host, port, timeout_s)

    def proxy(self, name: str) -> BoundProxy:
        """Returns the proxy `name` as the server has it now; raises NotFound."""
        return BoundProxy(self.consumer, **self.consumer.get(f"/proxies/{name}").json())

    def handle(self, name: str) -> BoundProxy:
        """Returns a handle on the proxy `name` for calls that need none of its state
        (toxics, enable, disable): nothing is read - a call on a proxy that does not
        exist raises NotFound then."""
        return BoundProxy(self.consumer, name=name, upstream=None, enabled=None, listen=None)

    def populate(self, proxies: list[dict]) -> list[BoundProxy]:
        """Creates (or replaces) every proxy in one call; returns them."""
        made = self.consumer.post("/populate", json=proxies).json()["proxies"]
        return [BoundProxy(self.consumer, **values) for values in made]

    def reset(self) -> None:
        """Every proxy enabled, every toxic removed."""
        self.consumer.post("/reset")
