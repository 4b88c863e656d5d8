"""Runs Locust headless in processes of its own (Locust patches its process with gevent:
it must stay out of the harness process), single or distributed (a master and N
workers on this machine; across machines, see the README), and reads back the
per-request records every process wrote.

`python -m runbook_drill.load.runner --host URL --auth-url URL [--users N] [--workers N] ...` runs
one load and prints its summary. Bad input fails fast with one line and exit 2."""

from __future__ import annotations

import argparse
import ctypes
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlparse

from runbook_drill.harness.errors import ConfigError, HarnessError

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
_PR_SET_PDEATHSIG = 1


@dataclass
class LoadConfig:
    """One load: target, users, spawn rate, duration (None: until stopped), seed."""

    host: str
    auth_url: str
    users: int = 10
    spawn_rate: float = 50.0
    duration_s: float | None = None
    seed: int = 1
    workers: int = 0  # 0: one process; N: a master and N worker processes
    user_ids: int = 1000
    timeout_s: float = 2.0
    think_s: float = 0.02
    rate_per_user: float = 0.0  # > 0: constant throughput per user (tasks per second)
    relogin_s: float = 0.0  # > 0: a user logs in again once its token is this old
    records_dir: Path | None = None  # None: a temporary directory the run makes and `close()` removes
    locustfile: Path = LOCUSTFILE
    record: bool = True  # False: Locust's own statistics only (the benchmark's baseline)
    extra_args: tuple[str, ...] = ()
    mix: str = ""  # task weights "read,list,create,update"; "" = the locustfile's default
    ids: tuple[str, ...] = ()  # the users read and updated, as the API answered them (none: 1..user_ids)


def _die_with_parent() -> None:
    # Linux: the kernel sends SIGTERM to this child when its parent dies, even by SIGKILL.
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _reachable(url: str, what: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ConfigError(f"{what} {url!r} is not an http(s) URL")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        socket.getaddrinfo(parsed.hostname, port)
    except socket.gaierror:
        raise ConfigError(f"{what} {url}: unknown host {parsed.hostname!r}") from None
    try:
        socket.create_connection((parsed.hostname, port), timeout=2).close()
    except OSError as exc:
        raise ConfigError(f"{what} {url} is unreachable: {exc.strerror or exc}") from None


def _validate_mix(mix: str) -> None:
    """Raises ConfigError unless `mix` is "" or four whole weights, one of them positive."""
    weights = mix.split(",") if mix else []
    if mix and (len(weights) != 4 or not all(w.strip().isdigit() for w in weights)
                or not any(int(w) for w in weights)):
        raise ConfigError(f'mix must be four whole weights "read,list,create,update", one of them positive; got {mix!r}')


def validate(config: LoadConfig) -> None:
    """Raises ConfigError (one line) for a load that cannot run."""
    if config.users < 1:
        raise ConfigError(f"users must be at least 1, got {config.users}")
    if config.spawn_rate <= 0:
        raise ConfigError(f"spawn rate must be positive, got {config.spawn_rate}")
    if config.rate_per_user < 0 or config.relogin_s < 0:
        raise ConfigError(f"rate per user and relogin seconds must not be negative, got "
                          f"{config.rate_per_user} and {config.relogin_s}")
    if config.duration_s is not None and config.duration_s <= 0:
        raise ConfigError(f"duration must be positive, got {config.duration_s}")
    if config.user_ids < 1 or config.timeout_s <= 0:
        raise ConfigError(f"user ids must be at least 1 and the timeout positive, got {config.user_ids} and "
                          f"{config.timeout_s}")
    _validate_mix(config.mix)
    _reachable(config.host, "target")
    _reachable(config.auth_url, "auth service")


class LoadRun:
    """A running load; `stop()` ends it and `records()` reads what it recorded."""

    def __init__(self, config: LoadConfig) -> None:
        validate(config)
        # Made only once the load is valid: bad input leaves nothing behind.
        self._made_dir = config.records_dir is None
        self.config = replace(config, records_dir=Path(tempfile.mkdtemp(prefix="drill-load-"))) \
            if self._made_dir else config
        self.processes: list[subprocess.Popen] = []
        self.started = 0.0

    def _env(self) -> dict[str, str]:
        c = self.config
        return {**os.environ, "DRILL_AUTH_URL": c.auth_url, "DRILL_RECORDS": str(c.records_dir / "records") if c.record else "",
                "DRILL_SEED": str(c.seed), "DRILL_USER_IDS": str(c.user_ids), "DRILL_TIMEOUT_S": str(c.timeout_s),
                "DRILL_THINK_S": str(c.think_s), "DRILL_RATE": str(c.rate_per_user),
                "DRILL_RELOGIN_S": str(c.relogin_s), "DRILL_MIX": c.mix, "DRILL_USER_IDS_FILE": self._ids_file()}

    def _ids_file(self) -> str:
        """Writes the ids the load reads, one per line, beside its records; returns the
        file ("" when the load reads ids 1..user_ids)."""
        if not self.config.ids:
            return ""
        path = self.config.records_dir / "user-ids.txt"
        path.write_text("\n".join(self.config.ids) + "\n")
        return str(path)

    def _spawn(self, args: list[str]) -> subprocess.Popen:
        log = open(self.config.records_dir / f"locust-{len(self.processes)}.log", "w")
        proc = subprocess.Popen([sys.executable, "-m", "locust", "-f", str(self.config.locustfile), "--loglevel",
                                 "WARNING", *args], env=self._env(), stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        self.processes.append(proc)
        return proc

    def start(self) -> "LoadRun":
        c = self.config
        common = ["--headless", "--host", c.host, "-u", str(c.users), "-r", str(c.spawn_rate), "--only-summary",
                  "--stop-timeout", "5", *c.extra_args]
        if c.duration_s:
            common += ["-t", f"{int(max(1, round(c.duration_s)))}s"]
        self.started = time.time()
        if c.workers == 0:
            self._spawn(common)
            return self
        port = _free_port()
        self._spawn([*common, "--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", str(port),
                     "--expect-workers", str(c.workers)])
        for _ in range(c.workers):
            self._spawn(["--worker", "--master-host", "127.0.0.1", "--master-port", str(port)])
        return self

    def wait(self, timeout: float) -> None:
        """Waits for a bounded run to end; raises HarnessError if it does not."""
        deadline = time.monotonic() + timeout
        for proc in self.processes:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stop()
                raise HarnessError(f"the load did not end within {timeout:g}s") from None

    def stop(self) -> None:
        """Stops every Locust process (SIGTERM, then SIGKILL after 10 s)."""
        for proc in self.processes:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.processes:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def close(self) -> None:
        """Stops the load and removes the records directory if the run made it."""
        self.stop()
        if self._made_dir:
            shutil.rmtree(self.config.records_dir, ignore_errors=True)

    def records(self) -> list[dict]:
        """Returns every request recorded by every process, in start order."""
        return sorted(RecordTail(self.config.records_dir).read_new(), key=lambda r: r["t"])


class RecordTail:
    """Follows the record files of a running load: each `read_new()` returns the records
    completed since the last call (whole lines only: a line still being written is kept
    for the next call), from every process's file, including files that appear later."""

    def __init__(self, records_dir: Path) -> None:
        self.records_dir = records_dir
        self._read: dict[str, int] = {}  # path -> bytes consumed

    def read_new(self) -> list[dict]:
        rows: list[dict] = []
        for path in glob.glob(str(self.records_dir / "records.*.jsonl")):
            with open(path, "rb") as source:
                source.seek(self._read.get(path, 0))
                chunk = source.read()
            complete = chunk[:chunk.rfind(b"\n") + 1]
            self._read[path] = self._read.get(path, 0) + len(complete)
            rows += [json.loads(line) for line in complete.splitlines() if line.strip()]
        return rows


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    from runbook_drill.harness import signals
    from runbook_drill.load.summary import summarize

    signals.install()  # SIGTERM/Ctrl-C unwind through `finally`: the Locust processes and records go

    parser = argparse.ArgumentParser(prog="load", description="Run the User API traffic mix with Locust.")
    parser.add_argument("--host", required=True, help="User API (or load balancer) base URL")
    parser.add_argument("--auth-url", required=True, help="auth service base URL")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--spawn-rate", type=float, default=50.0)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds")
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rate-per-user", type=float, default=0.0,
                        help="tasks per second per user, as Poisson arrivals (default 0: the think time)")
    parser.add_argument("--relogin-s", type=float, default=0.0, help="a user logs in again this often (0: never)")
    parser.add_argument("--user-ids", type=int, default=LoadConfig.user_ids,
                        help=f"users read and updated: ids 1..N (default {LoadConfig.user_ids})")
    parser.add_argument("--timeout-s", type=float, default=LoadConfig.timeout_s,
                        help=f"a request's timeout (default {LoadConfig.timeout_s:g})")
    parser.add_argument("--mix", default="", help='task weights "read,list,create,update" (default: the locustfile\'s)')
    args = parser.parse_args(argv)
    config = LoadConfig(args.host, args.auth_url, args.users, args.spawn_rate, args.duration, args.seed, args.workers,
                        user_ids=args.user_ids, timeout_s=args.timeout_s, rate_per_user=args.rate_per_user,
                        relogin_s=args.relogin_s, mix=args.mix)
    try:
        run = LoadRun(config)
    except ConfigError as exc:
        print(f"load: error: {exc}", file=sys.stderr)
        return 2
    try:
        run.start().wait(args.duration + 60)
        print(json.dumps(summarize(run.records(), run.started, time.time() + 1), indent=2))
    finally:
        run.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
