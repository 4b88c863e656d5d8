"""Every JWT failure mode is a TokenRejected with its own reason (no network: the local
HS256 check runs before the auth service is asked); introspection against a loopback
server that closes kept-alive connections."""

import asyncio
import dataclasses
import itertools
import re
import time

import pytest
import uvicorn

from services.user_api.auth import KEEPALIVE_EXPIRY_S, Authenticator, TokenRejected, bearer_token
from services.user_api.config import load_config
from tests.support import tokens
from runbook_drill.harness.polling import eventually
from tests.support.tokens import claims

SECRET = "k" * 32
CONFIG = load_config({"DATABASE_URL": "postgresql://u:p@db/users", "REDIS_URL": "redis://cache:6379/0",
                      "JWT_SECRET": SECRET, "AUTH_SERVICE_URL": "http://auth:8080", "JWT_LEEWAY_SECONDS": "5"})


def sign(payload, key=SECRET):
    return tokens.sign(payload, key)


@pytest.fixture(scope="module")
def authenticator():
    return Authenticator(CONFIG)


def test_a_valid_token_gives_its_claims(authenticator):
    assert authenticator.decode(sign(claims()))["sub"] == "u1"


def test_a_token_within_the_leeway_is_accepted(authenticator):
    assert authenticator.decode(sign(claims(nbf=int(time.time()) + 3)))["sub"] == "u1"


@pytest.mark.parametrize("make_token, reason", tokens.failure_modes(SECRET))
def test_each_invalid_token_is_rejected_with_its_reason(authenticator, make_token, reason):
    with pytest.raises(TokenRejected) as err:
        authenticator.decode(make_token())
    assert err.value.reason == reason


@pytest.mark.parametrize("header, reason", [(None, "missing token"), ("Basic abc", "malformed"),
                                            ("Bearer ", "malformed")])
def test_a_missing_or_non_bearer_header_is_rejected(header, reason):
    with pytest.raises(TokenRejected) as err:
        bearer_token(header)
    assert err.value.reason == reason


def test_a_verified_token_is_still_rejected_once_it_has_expired():
    strict = Authenticator(dataclasses.replace(CONFIG, jwt_leeway_seconds=0))
    token = sign(claims(exp=int(time.time()) + 2))  # whole seconds: 1 could already be past
    assert strict.decode(token)["sub"] == "u1"  # verified once, remembered

    def rejected_as_expired():
        try:
            strict.decode(token)
        except TokenRejected as exc:
            return exc.reason == "expired"
        return False

    assert eventually(rejected_as_expired, timeout=5, what="the remembered token rejected as expired")


class IntrospectionServer:
    """A loopback HTTP/1.1 introspection endpoint that keeps connections alive and, for
    the request numbers in `close_on` (1-based, counted per connection), closes the
    connection instead of answering - what a server closing an idle kept-alive
    connection looks like to a client that has just reused it."""

    def __init__(self, close_on: set[int]) -> None:
        self.close_on = close_on
        self.connections = 0
        self.answered = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        for number in itertools.count(1):
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"content-length: (\d+)", head, re.I).group(1))
            await reader.readexactly(length)
            if number in self.close_on:
                break
            writer.write(b'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 16\r\n\r\n'
                         b'{"active": true}')
            await writer.drain()
            self.answered += 1
        writer.close()


def _introspect_twice(close_on: set[int]) -> tuple[list, IntrospectionServer]:
    """Returns the outcomes (True/False or the TokenRejected) of two introspections in a
    row on one Authenticator, and the server that answered them."""
    async def run():
        server = IntrospectionServer(close_on)
        listener = await asyncio.start_server(server.serve, "127.0.0.1", 0)
        port = listener.sockets[0].getsockname()[1]
        authenticator = Authenticator(dataclasses.replace(CONFIG, auth_service_url=f"http://127.0.0.1:{port}"))
        outcomes = []
        for _ in range(2):
            try:
                outcomes.append(await authenticator.introspect("t"))
            except TokenRejected as exc:
                outcomes.append(exc)
        await authenticator.close()
        listener.close()
        return outcomes, server
    return asyncio.run(asyncio.wait_for(run(), 10))


def test_a_kept_alive_connection_closed_before_answering_is_asked_again_on_a_new_one():
    outcomes, server = _introspect_twice(close_on={2})
    assert outcomes == [True, True]
    assert (server.connections, server.answered) == (2, 2)


def test_an_auth_service_that_closes_every_connection_is_unavailable_after_one_more_try():
    outcomes, server = _introspect_twice(close_on={1})
    assert [getattr(o, "reason", o) for o in outcomes] == ["auth service unavailable"] * 2
    assert server.connections == 4 and server.answered == 0


def test_idle_connections_are_dropped_before_the_auth_service_drops_them():
    # the auth service runs uvicorn with its default keep-alive (services/auth_api/__main__.py)
    assert KEEPALIVE_EXPIRY_S < uvicorn.Config(app=None).timeout_keep_alive
