"""Data arrives intact and in order while toxics come and go; one proxy's trouble does
not slow another; bad API input never disturbs live proxies."""

import hashlib
import os
import statistics
import threading

import requests

from tests.faultproxy.conftest import add_toxic, make_proxy
from bench.loopback import connect, echo_server, recv_exactly, round_trip


def _echo_payload(address: str, payload: bytes, chunk: int) -> bytes:
    sock = connect(address, timeout=30)
    received = bytearray()

    def reader():
        received.extend(recv_exactly(sock, len(payload)))

    thread = threading.Thread(target=reader)
    thread.start()
    for start in range(0, len(payload), chunk):
        sock.sendall(payload[start:start + chunk])
    thread.join(timeout=60)
    sock.close()
    return bytes(received)


def _churn_toxics(api: str, stop: threading.Event) -> int:
    rounds = 0
    while not stop.is_set() and rounds < 200:
        add_toxic(api, "p", type="latency", stream="upstream", attributes={"latency": 2, "jitter": 1})
        add_toxic(api, "p", type="slicer", attributes={"average_size": 512, "size_variation": 256})
        requests.delete(f"{api}/proxies/p/toxics/latency_upstream", timeout=5)
        requests.delete(f"{api}/proxies/p/toxics/slicer_downstream", timeout=5)
        rounds += 1
    return rounds


def test_a_large_payload_arrives_intact_and_in_order_while_toxics_churn(api):
    payload = os.urandom(8 * 1024 * 1024)
    with echo_server() as echo:
        proxy = make_proxy(api, echo.address)
        stop = threading.Event()
        counted = []
        churner = threading.Thread(target=lambda: counted.append(_churn_toxics(api, stop)))
        churner.start()
        try:
            received = _echo_payload(proxy["listen"], payload, 64 * 1024)
        finally:
            stop.set()
            churner.join(timeout=30)
    assert hashlib.sha256(received).digest() == hashlib.sha256(payload).digest()
    assert counted and counted[0] > 0, "toxics were added and removed during the transfer"


def test_many_small_chunks_arrive_intact_and_in_order(api):
    payload = b"".join(i.to_bytes(4, "big") for i in range(20_000))
    with echo_server() as echo:
        proxy = make_proxy(api, echo.address)
        add_toxic(api, "p", type="latency", attributes={"latency": 1, "jitter": 1})
        received = _echo_payload(proxy["listen"], payload, 7)
    assert received == payload


def test_a_proxy_whose_upstream_is_down_does_not_slow_another(api):
    with echo_server() as echo:
        healthy = make_proxy(api, echo.address, name="healthy")
        broken = make_proxy(api, "127.0.0.1:1", name="broken")  # refuses every connection
        sock = connect(healthy["listen"])
        before = statistics.median(round_trip(sock) for _ in range(50))
        stop = threading.Event()

        def hammer():
            for _ in range(2000):
                if stop.is_set():
                    return
                try:
                    connect(broken["listen"], timeout=1).recv(1)
                except OSError:
                    pass

        threads = [threading.Thread(target=hammer) for _ in range(4)]
        for thread in threads:
            thread.start()
        during = statistics.median(round_trip(sock) for _ in range(50))
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert during < before + 0.005, (before, during)


def test_bad_api_input_never_disturbs_a_live_proxy(api):
    with echo_server() as echo:
        proxy = make_proxy(api, echo.address)
        sock = connect(proxy["listen"])
        round_trip(sock)
        for path, body in [("/proxies", b"\xff\xfe"), ("/proxies", b"[]"), ("/populate", b"{}"),
                           ("/proxies/p/toxics", b'{"type": "latency", "attributes": {"latency": 1e309}}'),
                           ("/proxies/p/toxics", b'{"type": null}'), ("/proxies/p", b'{"enabled": "yes"}'),
                           ("/proxies/p/toxics", b"9" * 100_000)]:
            answer = requests.post(f"{api}{path}", data=body, timeout=5)
            assert 400 <= answer.status_code < 500, (path, answer.status_code, answer.text)
        assert round_trip(sock) < 0.05
        assert requests.get(f"{api}/proxies/p", timeout=5).json()["enabled"] is True
