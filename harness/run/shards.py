"""Shards: the suite split across N runners, each taking about 1/N of the time.

The split is deterministic (the same scenarios, durations and N give the same shards on
every runner, with nothing exchanged between them) and balanced by the scenario
durations earlier runs recorded (their JUnit files) - a built-in estimate from a
scenario's own windows where there are none. Each shard runs its scenarios in the suite's order; a
shard's run directory keeps a `shard.json` (the plan it took part in) so that
`drill report --merge` can tell shards of one plan from unrelated runs."""

from __future__ import annotations

import json
import re
import statistics
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from runbook_drill.harness.errors import ConfigError

RESET_S = 6.0  # what a reset between scenarios costs, about (seen on this machine: 4-8 s)
SHARD_FILE = "shard.json"


@dataclass(frozen=True)
class Shard:
    """Shard `index` (1-based) of `count`."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> "Shard":
        """Returns the shard of "K/N"; raises ConfigError (one line) unless 1 <= K <= N."""
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
        if not match:
            raise ConfigError(f"--shard {text!r}: give it as K/N (shard K of N, e.g. 1/3)")
        index, count = int(match[1]), int(match[2])
        if count < 1 or not 1 <= index <= count:
            raise ConfigError(f"--shard {text}: K must be 1..N and N at least 1")
        return cls(index, count)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def estimate(scenario) -> float:
    """Returns a scenario's built-in duration estimate (seconds): its windows' least
    lengths, the warm-up and a reset - used when no journal has recorded it."""
    windows = (scenario.warmup_s, scenario.steady_s, scenario.settle_s, scenario.fault_s, scenario.recovery_s)
    return round(sum(windows) + RESET_S, 1)


def recorded_durations(reports: Path) -> dict[str, float]:
    """Returns the median recorded duration of each scenario in the JUnit files under
    `reports` (any depth: a release's baseline/ and candidate/, a merged run's too) -
    a run's own summary of its journals, cheap to read however many runs are kept.
    Unreadable files are skipped: this is an estimate, never a verdict."""
    seen: dict[str, list[float]] = {}
    for path in reports.glob("**/junit.xml") if reports.is_dir() else []:
        if _of_a_shard(path):
            continue
        try:
            cases = ET.parse(path).getroot().iter("testcase")
            for case in cases:
                seen.setdefault(case.get("name", ""), []).append(float(case.get("time", "")))
        except (OSError, ET.ParseError, ValueError):
            continue
    return {sid: round(statistics.median(times), 1) for sid, times in seen.items() if sid and times}


def _of_a_shard(junit: Path) -> bool:
    """True for a shard's own JUnit file (its run, or its release's baseline/candidate):
    the shards of one split must all see the same durations, so none reads another's."""
    return (junit.parent / SHARD_FILE).is_file() or (junit.parent.parent / SHARD_FILE).is_file()


def durations(scenarios: Iterable, recorded: dict[str, float]) -> dict[str, float]:
    """Returns each scenario's expected seconds: recorded when known, else estimated."""
    return {s.id: recorded.get(s.id, estimate(s)) for s in scenarios}


def plan(ids: list[str], seconds: dict[str, float], count: int) -> list[list[str]]:
    """Returns `count` lists of ids that together hold every id once: the longest first,
    each to the shard with the least time so far (ties: the lower shard), then each
    shard in the suite's order. Deterministic for the same inputs."""
    shards: list[list[str]] = [[] for _ in range(count)]
    loads = [0.0] * count
    for sid in sorted(ids, key=lambda i: (-seconds.get(i, 0.0), i)):
        lightest = min(range(count), key=lambda k: (loads[k], k))
        shards[lightest].append(sid)
        loads[lightest] += seconds.get(sid, 0.0)
    order = {sid: position for position, sid in enumerate(ids)}
    return [sorted(shard, key=order.__getitem__) for shard in shards]


def take(scenarios: list, shard: Shard, recorded: dict[str, float]) -> tuple[list, dict]:
    """Returns (this shard's scenarios, the plan record written beside its journals: the
    whole split too, so a merge can tell shards of one split from those of another)."""
    ids = [s.id for s in scenarios]
    seconds = durations(scenarios, recorded)
    split = plan(ids, seconds, shard.count)
    chosen = [s for s in scenarios if s.id in set(split[shard.index - 1])]
    record = {"shard": shard.index, "of": shard.count, "suite": ids, "ids": [s.id for s in chosen], "split": split,
              "expected_s": round(sum(seconds[s.id] for s in chosen), 1),
              "suite_expected_s": round(sum(seconds.values()), 1)}
    return chosen, record


def write_plan(run_dir: Path, record: dict) -> None:
    (run_dir / SHARD_FILE).write_text(json.dumps(record, indent=1) + "\n")
