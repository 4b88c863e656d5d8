"""Each toxic measured on real sockets, with the tolerances Toxiproxy's own tests use."""

import socket
import statistics
import threading
import time

import pytest
import requests

from tests.faultproxy.conftest import add_toxic, make_proxy, start_server, stop_server
from bench.loopback import (blob_server, connect, echo_server, expected_blob, recv_all, recv_exactly,
                               round_trip)

TOLERANCE = 0.010  # seconds, as Toxiproxy's tests


def _median_round_trip(address: str, rounds: int = 7) -> float:
    sock = connect(address)
    try:
        return statistics.median(round_trip(sock) for _ in range(rounds))
    finally:
        sock.close()


@pytest.mark.parametrize("stream", ["downstream", "upstream"])
def test_latency_adds_its_delay_within_10ms(api, stream):
    with echo_server() as echo:
        proxy = make_proxy(api, echo.address)
        base = _median_round_trip(proxy["listen"])
        add_toxic(api, "p", type="latency", stream=stream, attributes={"latency": 100})
        added = _median_round_trip(proxy["listen"]) - base
    assert abs(added - 0.100) <= TOLERANCE, added


def test_no_chunk_leaves_before_its_latency(api):
    # Toxiproxy's latency is a floor: a chunk is never released early. uvloop's clock is
    # libuv's cached milliseconds, so a delay timed on it could end up to 1 ms short.
    with echo_server() as echo:
        proxy = make_proxy(api, echo.address)
        add_toxic(api, "p", type="latency", attributes={"latency": 7})
        sock = connect(proxy["listen"])
        trips = [round_trip(sock) for _ in range(40)]
    assert min(trips) >= 0.007, sorted(trips)[:3]


def test_latency_jitter_stays_within_its_bounds(api):
    with echo_server() as echo:
        proxy = make_proxy(api, echo.address)
        add_toxic(api, "p", type="latency", attributes={"latency": 60, "jitter": 30})
        sock = connect(proxy["listen"])
        delays = [round_trip(sock) for _ in range(12)]
    assert all(0.030 - TOLERANCE <= d <= 0.090 + TOLERANCE for d in delays), delays
    assert max(delays) - min(delays) > 0.010, "jitter should vary the delay"


def _fetch(address: str) -> tuple[bytes, float]:
    sock = connect(address, timeout=10)
    started = time.perf_counter()
    data = recv_all(sock)
    return data, time.perf_counter() - started


def test_bandwidth_takes_size_over_rate_within_10ms(api):
    size, rate_kb = 50_000, 100  # 0.5 s at 100 KB/s
    with blob_server(size) as blob:
        proxy = make_proxy(api, blob.address)
        _, baseline = _fetch(proxy["listen"])  # the same transfer without the toxic, this run
        add_toxic(api, "p", type="bandwidth", attributes={"rate": rate_kb})
        data, took = _fetch(proxy["listen"])
    assert data == expected_blob(size)
    assert abs((took - baseline) - size / (rate_kb * 1000)) <= TOLERANCE, (took, baseline)


def test_slow_close_delays_the_close_by_its_delay(api):
    with blob_server(10) as blob:
        proxy = make_proxy(api, blob.address)
        add_toxic(api, "p", type="slow_close", attributes={"delay": 200})
        sock = connect(proxy["listen"])
        started = time.perf_counter()
        assert recv_all(sock) == expected_blob(10)
        took = time.perf_counter() - started
    assert 0.200 - TOLERANCE <= took <= 0.200 + 5 * TOLERANCE, took


def test_timeout_zero_holds_the_connection_open_and_drops_data(api):
    with echo_server() as echo:
        proxy = make_proxy(api, echo.address)
        sock = connect(proxy["listen"], timeout=0.5)
        add_toxic(api, "p", type="timeout", attributes={"timeout": 0})
        sock.sendall(b"lost")
        with pytest.raises(TimeoutError):
            sock.recv(10)  # neither data nor EOF: held


@pytest.mark.parametrize("timeout_ms", [0, 5000])
@pytest.mark.parametrize("how", ["delete", "reset"])
def test_removing_a_timeout_toxic_closes_the_held_links_on_both_sides_and_new_ones_flow(api, timeout_ms, how):
    with socket.create_server(("127.0.0.1", 0)) as upstream:
        upstream.settimeout(5)
        proxy = make_proxy(api, f"127.0.0.1:{upstream.getsockname()[1]}")
        client = connect(proxy["listen"])
        server, _ = upstream.accept()
        add_toxic(api, "p", type="timeout", attributes={"timeout": timeout_ms})
        client.sendall(b"held")  # the downstream toxic holds the link; the request still goes up
        assert recv_exactly(server, 4) == b"held"
        client.settimeout(0.3)
        with pytest.raises(TimeoutError):
            client.recv(10)
        started = time.perf_counter()
        if how == "delete":
            requests.delete(f"{api}/proxies/p/toxics/timeout_downstream", timeout=5)
        else:
            requests.post(f"{api}/reset", timeout=5)
        client.settimeout(1), server.settimeout(1)
        assert client.recv(10) == b"" and server.recv(10) == b""  # EOF on both sides
        assert time.perf_counter() - started <= 0.100
        fresh = connect(proxy["listen"])
        fresh_server, _ = upstream.accept()
        fresh_server.sendall(b"flows")
        assert recv_exactly(fresh, 5) == b"flows"
        for sock in (client, server, fresh, fresh_server):
            sock.close()


def test_updating_a_timeout_toxic_restarts_its_timer(api):
    with echo_server() as echo:
        proxy = make_proxy(api, echo.address)
        add_toxic(api, "p", type="timeout", attributes={"timeout": 300})
        sock = connect(proxy["listen"])
        started = time.perf_counter()
        sock.settimeout(0.15)
        with pytest.raises(TimeoutError):
            sock.recv(10)
        updated = time.perf_counter()
        requests.post(f"{api}/proxies/p/toxics/timeout_downstream", json={"attributes": {"timeout": 300}}, timeout=5)
        sock.settimeout(5)
        assert recv_all(sock) == b""
        took = time.perf_counter() - updated
    assert 0.300 - TOLERANCE <= took <= 0.300 + 5 * TOLERANCE, (took, updated - started)


def test_timeout_closes_the_connection_after_its_timeout(api):
    with echo_server() as echo:
        proxy = make_proxy(api, echo.address)
        add_toxic(api, "p", type="timeout", attributes={"timeout": 300})
        sock = connect(proxy["listen"])
        started = time.perf_counter()
        sock.sendall(b"dropped")
        assert recv_all(sock) == b""
        took = time.perf_counter() - started
    assert 0.300 - TOLERANCE <= took <= 0.300 + 5 * TOLERANCE, took


@pytest.mark.parametrize("stream", ["upstream", "downstream"])
def test_reset_peer_drops_the_first_data_and_resets_its_timeout_later(api, stream):
    with echo_server() as echo:
        proxy = make_proxy(api, echo.address)
        add_toxic(api, "p", type="reset_peer", stream=stream, attributes={"timeout": 100})
        sock = connect(proxy["listen"])
        started = time.perf_counter()
        sock.sendall(b"hello")
        with pytest.raises(ConnectionResetError):
            sock.recv(10)  # never b"hello": the chunk that triggered the reset is dropped
        took = time.perf_counter() - started
    assert 0.100 - TOLERANCE <= took <= 0.100 + TOLERANCE, took


def test_reset_peer_never_resets_a_connection_that_sends_nothing(api):
    with echo_server() as echo:
        proxy = make_proxy(api, echo.address)
        add_toxic(api, "p", type="reset_peer", stream="upstream", attributes={"timeout": 50})
        sock = connect(proxy["listen"], timeout=0.4)
        with pytest.raises(TimeoutError):
            sock.recv(10)  # 8x the timeout: still open, nothing reset
        sock.close()


def test_reset_peer_resets_the_upstream_side_too(api):
    with socket.create_server(("127.0.0.1", 0)) as upstream:
        upstream.settimeout(5)
        proxy = make_proxy(api, f"127.0.0.1:{upstream.getsockname()[1]}")
        add_toxic(api, "p", type="reset_peer", stream="upstream", attributes={"timeout": 0})
        client = connect(proxy["listen"])
        server, _ = upstream.accept()
        server.settimeout(2)
        client.sendall(b"hello")
        with pytest.raises(ConnectionResetError):
            server.recv(10)
        client.close(), server.close()


def test_chained_latency_toxics_add_up(api):
    with echo_server() as echo:
        proxy = make_proxy(api, echo.address)
        baseline = _median_round_trip(proxy["listen"])
        add_toxic(api, "p", name="first", type="latency", attributes={"latency": 100})
        add_toxic(api, "p", name="second", type="latency", attributes={"latency": 50})
        took = _median_round_trip(proxy["listen"], rounds=3)
    assert abs((took - baseline) - 0.150) <= TOLERANCE, (took, baseline)


def test_limit_data_forwards_exactly_n_bytes_then_closes(api):
    with blob_server(100_000) as blob:
        proxy = make_proxy(api, blob.address)
        add_toxic(api, "p", type="limit_data", attributes={"bytes": 1234})
        data = recv_all(connect(proxy["listen"]))
    assert data == expected_blob(100_000)[:1234]


def test_slicer_keeps_the_data_intact_and_paces_the_slices(api):
    size = 2_000
    with blob_server(size) as blob:
        proxy = make_proxy(api, blob.address)
        add_toxic(api, "p", type="slicer", attributes={"average_size": 100, "size_variation": 50, "delay": 5000})
        started = time.perf_counter()
        data = recv_all(connect(proxy["listen"]))
        took = time.perf_counter() - started
    assert data == expected_blob(size)
    assert took >= (size / 150 - 1) * 0.005  # at least one 5 ms pause between slices


def test_noop_and_toxicity_zero_change_nothing(api):
    with echo_server() as echo:
        proxy = make_proxy(api, echo.address)
        add_toxic(api, "p", type="noop")
        add_toxic(api, "p", type="latency", toxicity=0.0, attributes={"latency": 300})
        assert _median_round_trip(proxy["listen"]) < 0.050


def test_toxicity_is_decided_per_connection_and_replays_with_the_same_seed():
    def pattern(seed: int) -> list[bool]:
        proc, url = start_server(seed)
        try:
            with echo_server() as echo:
                proxy = make_proxy(url, echo.address)
                add_toxic(url, "p", type="latency", toxicity=0.5, attributes={"latency": 80})
                return [_median_round_trip(proxy["listen"], rounds=1) > 0.060 for _ in range(16)]
        finally:
            stop_server(proc)

    first = pattern(41)
    assert 0 < sum(first) < 16, first  # some connections toxic, some not
    assert pattern(41) == first


def test_adding_and_removing_a_toxic_acts_on_a_live_connection(api):
    with echo_server() as echo:
        proxy = make_proxy(api, echo.address)
        sock = connect(proxy["listen"])
        assert round_trip(sock) < 0.050
        add_toxic(api, "p", type="latency", attributes={"latency": 150})
        assert round_trip(sock) >= 0.150 - TOLERANCE
        requests.patch(f"{api}/proxies/p/toxics/latency_downstream", json={"attributes": {"latency": 60}},
                       timeout=5)
        assert 0.060 - TOLERANCE <= round_trip(sock) < 0.150 - TOLERANCE
        requests.delete(f"{api}/proxies/p/toxics/latency_downstream", timeout=5)
        assert round_trip(sock) < 0.050


def test_removing_a_latency_toxic_releases_data_already_held(api):
    with echo_server() as echo:
        proxy = make_proxy(api, echo.address)
        add_toxic(api, "p", type="latency", attributes={"latency": 5000})
        sock = connect(proxy["listen"], timeout=3)
        started = time.perf_counter()
        sock.sendall(b"held")
        # The removal happens while the chunk is held (a fifth of the way into its delay).
        threading.Timer(0.2, lambda: requests.delete(
            f"{api}/proxies/p/toxics/latency_downstream", timeout=5)).start()
        assert recv_exactly(sock, 4) == b"held"
    assert time.perf_counter() - started < 1.0
