"""Observers: threads that poll one thing at an interval and append what they saw to
the history - probes, /metrics scrapes, container state - and the log collector that
copies containers' log lines into it. They record; they never judge."""

from __future__ import annotations

import json
import re
import threading
import time
from datetime import datetime
from typing import Any, Callable

import requests
from prometheus_client.parser import text_string_to_metric_families

from runbook_drill.harness.engine.containers import cpus_of
from runbook_drill.harness.observe.history import History

DEFAULT_INTERVAL = 0.25  # seconds: a symptom is seen within this long of appearing (probes)


class Poller:
    """Runs `observe()` every `interval` seconds in a thread until stopped (bounded by
    `max_seconds`, so a forgotten poller cannot run forever)."""

    def __init__(self, name: str, observe: Callable[[], None], interval: float = DEFAULT_INTERVAL,
                 max_seconds: float = 1800.0) -> None:
        self.name, self.observe, self.interval, self.max_seconds = name, observe, interval, max_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"observer-{name}", daemon=True)

    def _run(self) -> None:
        deadline = time.monotonic() + self.max_seconds
        while not self._stop.is_set() and time.monotonic() < deadline:
            started = time.monotonic()
            try:
                self.observe()
            except Exception:  # an observer must never die of what it observes
                pass
            self._stop.wait(max(0.0, self.interval - (time.monotonic() - started)))

    def start(self) -> "Poller":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.signal_stop()
        self._thread.join(timeout=10)

    def signal_stop(self) -> None:
        """Asks the poller to stop after its current observation, without waiting."""
        self._stop.set()


def stop_all(pollers: list[Poller]) -> None:
    """Stops every poller: all are told first, so their last observations end together."""
    for poller in pollers:
        poller.signal_stop()
    for poller in pollers:
        poller.stop()


def probe(history: History, source: str, url_of: Callable[[], str], path: str, timeout: float = 1.0) -> Poller:
    """Polls GET url+path; records status (None on no answer) and latency as "probe"."""
    def observe() -> None:
        started = time.time()
        body = ""
        try:
            answer = requests.get(f"{url_of()}{path}", timeout=timeout)
            status, error, body = answer.status_code, "", answer.text[:300] if answer.status_code != 200 else ""
        except requests.RequestException as exc:
            status, error = None, type(exc).__name__
        history.record("probe", source, t=started, path=path, status=status, error=error, body=body,
                       latency=time.time() - started)
    return Poller(f"probe-{source}{path}", observe)


def scrape(history: History, source: str, url_of: Callable[[], str], names: tuple[str, ...],
           interval: float = 0.5) -> Poller:
    """Scrapes url/metrics; records the samples of the metric families in `names`."""
    def observe() -> None:
        started = time.time()  # a scrape reads the counters somewhere between this and its recording
        text = requests.get(f"{url_of()}/metrics", timeout=2).text
        samples, types = {}, {}
        for family in text_string_to_metric_families(text):
            types[family.name] = {"type": family.type,
                                  "labels": sorted({k for sample in family.samples for k in sample.labels})}
            if family.name in names:
                samples.update(family_samples(family))
        history.record("metrics", source, samples=samples, types=types, started=started)
    return Poller(f"scrape-{source}", observe, interval)


def family_samples(family) -> dict[str, float]:
    """Returns a parsed metric family's samples as a scrape records them: {"name{k=v,...}": value}."""
    found = {}
    for sample in family.samples:
        labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
        found[f"{sample.name}{{{labels}}}"] = sample.value
    return found


def _current(container) -> Callable[[], Any]:
    """Returns a callable giving the container: it may be given as one, or as a callable
    (a replica followed by index, replaced in place by a restart or a rollback)."""
    return container if callable(container) else (lambda: container)


def container_state(history: History, source: str, container, interval: float = 1.0) -> Poller:
    """Records a container's Docker state: Status, OOMKilled, RestartCount, Paused, limits."""
    current = _current(container)

    def observe() -> None:
        wrapped = current().get_wrapped_container()
        wrapped.reload()
        state, host = wrapped.attrs["State"], wrapped.attrs["HostConfig"]
        history.record("container", source, status=state["Status"], oom_killed=state["OOMKilled"],
                       paused=state["Paused"], exit_code=state["ExitCode"],
                       restart_count=wrapped.attrs.get("RestartCount", 0),
                       memory_limit=host.get("Memory", 0), cpu_quota=host.get("CpuQuota", 0),
                       cpus=cpus_of(host))
    return Poller(f"state-{source}", observe, interval)


def collect_logs(history: History, source: str, container, since: float) -> int:
    """Copies the container's log lines since `since` into the history as "log" events
    (JSON lines keep their level and message); returns how many were recorded."""
    raw = container.get_wrapped_container().logs(stdout=True, stderr=True, timestamps=True, since=int(since))
    return record_log_lines(history, source, raw.decode(errors="replace"))


def record_log_lines(history: History, source: str, text: str) -> int:
    """Records Docker's timestamped log lines (`docker logs -t`) as "log" events, each
    with its whole line (what `grep` reads) and, parsed from JSON or logfmt when it is
    either, its level and message (the report's evidence); returns how many."""
    count = 0
    for line in text.splitlines():
        stamp, _, text = line.partition(" ")
        try:
            t = datetime.fromisoformat(stamp[:26].rstrip("Z") + "+00:00").timestamp()
        except ValueError:
            continue
        level, message = parse_log_line(text)
        history.record("log", source, t=t, level=level, message=message, line=text[:2000])
        count += 1
    return count


LEVEL_KEYS, MESSAGE_KEYS = ("level", "severity", "lvl"), ("message", "msg")
_LOGFMT = re.compile(r'([A-Za-z_][\w.-]*)=("(?:[^"\\]|\\.)*"|\S*)')


def parse_log_line(line: str) -> tuple[str, str]:
    """Returns (level, message) of a JSON or logfmt log line (level "" and the line
    itself for plain text: its words are still there for grep)."""
    fields: dict = {}
    try:
        parsed = json.loads(line)
        fields = parsed if isinstance(parsed, dict) else {}
    except ValueError:
        pairs = _LOGFMT.findall(line)
        if len(pairs) >= 2:
            fields = {k: v[1:-1].replace('\\"', '"') if v.startswith('"') else v for k, v in pairs}
    level = next((str(fields[k]) for k in LEVEL_KEYS if k in fields), "")
    message = next((str(fields[k]) for k in MESSAGE_KEYS if k in fields), "")
    return level.upper(), message or line


def resources(history: History, source: str, container, interval: float = 1.0) -> Poller:
    """Records a container's memory use, CPU time used and CPU throttling (periods
    throttled so far), from Docker's one-shot stats: the evidence for memory pressure and
    CPU throttling, and the CPU demand a throttling fault is sized from."""
    current = _current(container)

    def observe() -> None:
        wrapped = current().get_wrapped_container()
        stats = wrapped.client.api.stats(wrapped.id, stream=False, one_shot=True)
        throttling = stats.get("cpu_stats", {}).get("throttling_data", {})
        history.record("resources", source, memory_bytes=stats.get("memory_stats", {}).get("usage", 0),
                       memory_limit=stats.get("memory_stats", {}).get("limit", 0),
                       throttled_periods=throttling.get("throttled_periods", 0),
                       throttled_ns=throttling.get("throttled_time", 0),
                       cpu_ns=stats.get("cpu_stats", {}).get("cpu_usage", {}).get("total_usage", 0))
    return Poller(f"resources-{source}", observe, interval)


def collect_events(history: History, source: str, container, since: float) -> int:
    """Copies the container's Docker events since `since` (oom, die, start, kill, ...)
    into the history as "event" events - "OOMKilled in events", as `kubectl describe
    pod` shows them; returns how many were recorded."""
    wrapped = container.get_wrapped_container()
    # until = now, to the microsecond: the daemon streams events until `until` comes, so
    # a whole second rounded up kept every teardown waiting for it.
    events = wrapped.client.api.events(since=int(since), until=f"{time.time():.6f}", decode=True,
                                       filters={"container": wrapped.id, "type": "container"})
    count = 0
    for event in events:
        history.record("event", source, t=event.get("timeNano", 0) / 1e9 or event.get("time", 0),
                       action=event.get("Action") or event.get("status"),
                       exit_code=event.get("Actor", {}).get("Attributes", {}).get("exitCode"))
        count += 1
    return count


def alerts(history: History, source: str, url_of: Callable[[], str], interval: float = 0.5) -> Poller:
    """Polls Prometheus's /api/v1/alerts; records which alerts are pending and firing
    (an "alerts" event per poll, empty lists included: a quiet poll is evidence too).
    Every 10th poll also records the metric names Prometheus holds ("series"): what
    the alert rules can read (again and again: right after a start, a target may not
    have been scraped yet)."""
    polls = {"count": 0}

    def observe() -> None:
        if polls["count"] % 10 == 0:
            names = requests.get(f"{url_of()}/api/v1/label/__name__/values", timeout=2).json()["data"]
            history.record("series", source, names=names)
        polls["count"] += 1
        found = requests.get(f"{url_of()}/api/v1/alerts", timeout=2).json()["data"]["alerts"]
        history.record("alerts", source, firing=sorted({a["labels"]["alertname"] for a in found if a["state"] == "firing"}),
                       pending=sorted({a["labels"]["alertname"] for a in found if a["state"] == "pending"}))
    return Poller(f"alerts-{source}", observe, interval)


def queries(history: History, source: str, url_of: Callable[[], str], exprs: dict[str, str],
            interval: float = 1.0) -> Poller:
    """Evaluates Prometheus queries (name -> PromQL: what a dashboard panel shows) at
    every poll; records a "query" event each: the highest value of its series (a panel's
    top line), None when the query gave no series (the panel shows no data)."""
    def observe() -> None:
        for name, expr in exprs.items():
            result = requests.get(f"{url_of()}/api/v1/query", params={"query": expr}, timeout=2).json()["data"]["result"]
            values = [float(r["value"][1]) for r in result if r["value"][1] not in ("NaN", "+Inf", "-Inf")]
            history.record("query", source, name=name, value=max(values) if values else None)
    return Poller(f"queries-{source}", observe, interval)


def pages(history: History, source: str, url_of: Callable[[], str], interval: float = 0.5) -> Poller:
    """Polls the pager's GET /pages; records each page that arrived since the poller was
    made, once, at the time it arrived, as a "page" event (receiver, firing/resolved,
    the alerts in it)."""
    since, seen = time.time(), {"count": 0}

    def observe() -> None:
        received = requests.get(f"{url_of()}/pages", timeout=2).json()
        for page in received[seen["count"]:]:
            if page["received_at"] >= since:
                history.record("page", source, t=page["received_at"], receiver=page["receiver"],
                               status=page["status"], alerts=page["alerts"])
        seen["count"] = len(received)
    return Poller(f"pages-{source}", observe, interval)
