"""Benchmark of the fault proxy on loopback, against a direct connection in the same
run: added round-trip latency with no toxic (median and p99), and the throughput of a
large transfer with and without a latency toxic. Targets: median added latency under
0.3 ms; throughput at least 100 MB/s without a toxic, sustained under a 10 ms latency
toxic, and by Toxiproxy's own method under a 100 ms one (a burst once the pipe is full:
a sustained transfer under 100 ms is bounded by bytes in flight / latency)."""

from __future__ import annotations

import socketserver
import statistics
import subprocess
import sys
import threading
import time

import requests

from runbook_drill.harness.polling import eventually
from bench.loopback import connect, echo_server, free_port, recv_exactly, round_trip

ROUNDS = 2000
TRANSFER_BYTES = 512 * 1024 * 1024
TARGET_ADDED_MEDIAN_MS = 0.3
TARGET_MB_S = 100.0


DRY_ROUNDS, DRY_TRANSFER_BYTES = 50, 16 * 1024 * 1024  # `python -m bench --dry`: does it run at all


def _firehose(transfer_bytes: int):
    """Returns a handler that sends `transfer_bytes` to each client, a MiB at a time."""
    class _Firehose(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            block = b"\x5a" * (1024 * 1024)
            try:
                for _ in range(transfer_bytes // len(block)):
                    self.request.sendall(block)
            except OSError:
                pass
    return _Firehose


def _start_proxy() -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "services.faultproxy", "-host", "127.0.0.1", "-port", str(port),
                             "-seed", "1", "-log-level", "WARNING"], stdout=subprocess.DEVNULL)
    api = f"http://127.0.0.1:{port}"
    eventually(lambda: requests.get(f"{api}/version", timeout=1).ok, 15, what="fault proxy API")
    return proc, api


def _rtts(address: str, rounds: int) -> list[float]:
    sock = connect(address)
    for _ in range(100):  # warm-up
        round_trip(sock)
    samples = [round_trip(sock) for _ in range(rounds)]
    sock.close()
    return samples


def _p99(samples: list[float]) -> float:
    return sorted(samples)[int(len(samples) * 0.99) - 1]


def _throughput(address: str, transfer_bytes: int) -> float:
    sock = connect(address, timeout=30)
    received, started = 0, time.perf_counter()
    buffer = bytearray(1024 * 1024)
    while received < transfer_bytes:
        n = sock.recv_into(buffer)
        if not n:
            break
        received += n
    took = time.perf_counter() - started
    sock.close()
    if received != transfer_bytes:
        raise RuntimeError(f"transfer short: {received} of {transfer_bytes} bytes")
    return transfer_bytes / took / 1e6


def _latency_toxic(api: str, latency_ms: int) -> None:
    requests.delete(f"{api}/proxies/bulk/toxics/latency_downstream", timeout=5)
    requests.post(f"{api}/proxies/bulk/toxics", json={"type": "latency", "attributes": {"latency": latency_ms}},
                  timeout=5).raise_for_status()


def _toxiproxy_burst(address: str) -> float:
    """Toxiproxy's TestLatencyToxicBandwidth: with a 100 ms latency toxic, let the pipe
    fill for 150 ms, then time reading 100 x 12,000 bytes; returns MB/s."""
    sock = connect(address, timeout=30)
    time.sleep(0.15)  # part of the measurement: the data in flight piles up behind the delay
    piece = 12_000
    started = time.perf_counter()
    for _ in range(100):
        if len(recv_exactly(sock, piece)) != piece:
            raise RuntimeError("stream ended during the burst")
    took = time.perf_counter() - started
    sock.close()
    return 100 * piece / took / 1e6


def _proxy_for(api: str, name: str, upstream: str) -> str:
    answer = requests.post(f"{api}/proxies", json={"name": name, "upstream": upstream, "listen": "127.0.0.1:0"},
                           timeout=5)
    answer.raise_for_status()
    return answer.json()["listen"]


def run(dry: bool = False) -> dict:
    """Returns the figures; `dry`: 50 round trips and 16 MiB transfers."""
    rounds, transfer = (DRY_ROUNDS, DRY_TRANSFER_BYTES) if dry else (ROUNDS, TRANSFER_BYTES)
    proc, api = _start_proxy()
    firehose = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _firehose(transfer))
    firehose.daemon_threads = True
    threading.Thread(target=firehose.serve_forever, daemon=True).start()
    firehose_address = f"127.0.0.1:{firehose.server_address[1]}"
    try:
        with echo_server() as echo:
            direct, proxied = _rtts(echo.address, rounds), _rtts(_proxy_for(api, "echo", echo.address), rounds)
        through = _proxy_for(api, "bulk", firehose_address)
        mb_direct, mb_proxied = _throughput(firehose_address, transfer), _throughput(through, transfer)
        _latency_toxic(api, 10)
        mb_latency = _throughput(through, transfer)
        _latency_toxic(api, 100)
        mb_burst = _toxiproxy_burst(through)
    finally:
        firehose.shutdown()
        proc.terminate()
        proc.wait(timeout=10)
    added_median = (statistics.median(proxied) - statistics.median(direct)) * 1000
    result = {
        "rtt_direct_ms": {"median": round(statistics.median(direct) * 1000, 3), "p99": round(_p99(direct) * 1000, 3)},
        "rtt_proxied_ms": {"median": round(statistics.median(proxied) * 1000, 3),
                           "p99": round(_p99(proxied) * 1000, 3)},
        "added_latency_ms": {"median": round(added_median, 3),
                             "p99": round((_p99(proxied) - _p99(direct)) * 1000, 3)},
        "throughput_mb_s": {"direct": round(mb_direct), "proxied": round(mb_proxied),
                            "proxied_with_10ms_latency_sustained": round(mb_latency),
                            "proxied_with_100ms_latency_toxiproxy_method": round(mb_burst)},
        "transfer_mb": transfer // 1_000_000,
        "targets": {"added_median_ms": TARGET_ADDED_MEDIAN_MS, "mb_s": TARGET_MB_S},
    }
    result["meets_target"] = (added_median < TARGET_ADDED_MEDIAN_MS
                              and min(mb_proxied, mb_latency, mb_burst) >= TARGET_MB_S)
    return result
