"""Benchmark of the load generator against a trivial endpoint on loopback: requests per
second with one Locust process and with a master + 2 workers, the CPU each costs, and
the overhead of per-request recording against Locust's own statistics (same run).
Target: >= 1,000 req/s from one process with recording on."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from runbook_drill.harness.errors import HarnessError
from bench.loopback import free_port
from runbook_drill.harness.polling import eventually
from runbook_drill.load.runner import LoadConfig, LoadRun

TRIVIAL_APP = (
    "import uvicorn\n"
    "async def app(scope, receive, send):\n"
    "    if scope['type'] != 'http':\n"
    "        return\n"
    "    await send({'type': 'http.response.start', 'status': 200, 'headers': [(b'content-length', b'2')]})\n"
    "    await send({'type': 'http.response.body', 'body': b'ok'})\n"
    "uvicorn.run(app, host='127.0.0.1', port={port}, log_level='warning', access_log=False, loop='uvloop',"
    " http='httptools')\n")
LOCUSTFILE = Path(__file__).resolve().parent / "trivial_locustfile.py"
DURATION_S = 10
USERS = 20
TARGET_RPS = 1000


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    import os

    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measure(url: str, workers: int, record: bool, duration_s: int = DURATION_S) -> dict:
    """Runs Locust against `url`; returns its figures. Its files go with it."""
    records = Path(tempfile.mkdtemp(prefix="drill-bench-load-"))
    config = LoadConfig(url, url, users=USERS, spawn_rate=1000, duration_s=duration_s, workers=workers,
                        records_dir=records, locustfile=LOCUSTFILE, record=record,
                        extra_args=("--csv", str(records / "stats")))
    run = LoadRun(config)
    try:
        run.start()
        cpu = _sample_cpu(run, duration_s + 60)
        run.wait(30)
        total = _aggregated(records)
        recorded = len(run.records()) if record else None
    finally:
        run.close()
        shutil.rmtree(records, ignore_errors=True)
    count = int(total["Request Count"])
    return {"workers": workers, "recording": record, "requests": count, "rps": round(count / duration_s),
            "failures": int(total["Failure Count"]), "recorded": recorded,
            "cpu_s_per_1000_requests": round(sum(cpu.values()) / max(count, 1) * 1000, 3)}


def _sample_cpu(run: LoadRun, within_s: float) -> dict[int, float]:
    """Returns the CPU seconds of each Locust process, last sampled before it ended."""
    cpu = {p.pid: 0.0 for p in run.processes}
    deadline = time.monotonic() + within_s
    while any(p.poll() is None for p in run.processes) and time.monotonic() < deadline:
        for p in run.processes:
            try:
                cpu[p.pid] = _cpu_seconds(p.pid)
            except (OSError, IndexError):
                pass
        time.sleep(0.2)  # sampling the processes' CPU while they run
    return cpu


def _aggregated(records: Path) -> dict:
    """Returns Locust's aggregated statistics row; raises HarnessError with its log when
    it wrote none (it did not start)."""
    try:
        with open(records / "stats_stats.csv") as stats:
            return next(r for r in csv.DictReader(stats) if r["Name"] == "Aggregated")
    except (OSError, StopIteration):
        logs = " | ".join(p.read_text()[-500:] for p in sorted(records.glob("locust-*.log")))
        raise HarnessError(f"Locust wrote no statistics: {logs or 'no log'}") from None


def run(dry: bool = False) -> dict:
    """Returns the figures; `dry`: one second of one recording process only."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", TRIVIAL_APP.replace("{port}", str(port))])
    url = f"http://127.0.0.1:{port}"
    try:
        eventually(lambda: requests.get(url, timeout=1).ok, 15, what="the trivial server")
        if dry:
            return {"one_process": _measure(url, 0, True, duration_s=1)}
        one = _measure(url, 0, True)
        one_bare = _measure(url, 0, False)
        two = _measure(url, 2, True)
    finally:
        server.terminate()
        server.wait(timeout=10)
    overhead = 1 - one["rps"] / one_bare["rps"] if one_bare["rps"] else None
    return {"one_process": one, "one_process_no_recording": one_bare, "master_and_2_workers": two,
            "recording_overhead": round(overhead, 3) if overhead is not None else None,
            "duration_s": DURATION_S, "users": USERS, "target_rps": TARGET_RPS,
            "meets_target": one["rps"] >= TARGET_RPS}
