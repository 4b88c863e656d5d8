"""The scenarios' thread generator: whose token each client sends, and every request
recorded (a loopback HTTP server stands in for the service: what is tested is the
generator's logic, not the User API)."""

import pytest

from runbook_drill.harness.observe.generator import LoadSpec
from runbook_drill.harness.observe.history import History
from runbook_drill.harness.polling import wait_until
from tests.support.answering import answering


@pytest.fixture
def server():
    """Yields (url, [(method, path, Authorization header)] of every request seen)."""
    with answering() as served:
        yield served


def _tokens(seen) -> set[str]:
    return {auth for _, _, auth in seen}


def _run(spec: LoadSpec, url: str, seen: list) -> History:
    history = History()
    generator = spec.build(history, url, url, token=lambda i: f"token-of-client-{i}").start()
    try:
        assert wait_until(lambda: len(_tokens(seen)) >= spec.clients or len(seen) >= 60, timeout=10, interval=0.02)
    finally:
        generator.stop()
    return history


def test_each_client_sends_its_own_token_by_default(server):
    url, seen = server
    _run(LoadSpec(clients=3, think_s=0.01), url, seen)
    assert _tokens(seen) == {f"Bearer token-of-client-{i}" for i in range(3)}


def test_with_one_client_every_thread_sends_client_zeros_token(server):
    url, seen = server
    _run(LoadSpec(clients=3, think_s=0.0, one_client=True), url, seen)
    assert len(seen) >= 60 and _tokens(seen) == {"Bearer token-of-client-0"}


def test_a_tampering_token_function_is_applied_to_the_shared_token(server):
    url, seen = server
    _run(LoadSpec(clients=2, think_s=0.0, one_client=True, token=lambda t: t + "-tampered"), url, seen)
    assert _tokens(seen) == {"Bearer token-of-client-0-tampered"}


def test_every_request_is_recorded_with_its_status(server):
    url, seen = server
    history = _run(LoadSpec(clients=2, think_s=0.01), url, seen)
    recorded = history.events("request")
    assert recorded and {e.data["status"] for e in recorded} == {200}
