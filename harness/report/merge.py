"""Shards' runs joined into one: the journals of every shard of one plan (`drill run
--shard K/N`), checked to hold every scenario of the suite exactly once, in the suite's
order - so the merged report, JUnit file and coverage table are those of one run. Shards
of a release validation are joined per side (baseline, candidate), to be compared again."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.report.html import load_journals
from runbook_drill.harness.run.shards import SHARD_FILE
from runbook_drill.harness.run.journal import ScenarioRecord


@dataclass
class Merged:
    """The records of every shard in the suite's order (a release validation's: of the
    baseline and the candidate), and the runbook they judged by."""

    records: list[ScenarioRecord]
    runbook: Path | None
    shards: int
    baseline: list[ScenarioRecord] | None = None  # a release validation's shards: the baseline's records

    @property
    def release(self) -> bool:
        return self.baseline is not None


def _plan_of(run_dir: Path) -> dict:
    """Returns a shard's plan record; raises ConfigError when `run_dir` is not a shard."""
    if not run_dir.is_dir():
        raise ConfigError(f"drill report --merge: {run_dir}: no such directory")
    try:
        plan = json.loads((run_dir / SHARD_FILE).read_text())
        return {"shard": int(plan["shard"]), "of": int(plan["of"]), "suite": list(plan["suite"]),
                "ids": list(plan.get("ids", plan["suite"])), "split": plan.get("split")}
    except FileNotFoundError:
        raise ConfigError(f"drill report --merge: {run_dir} is not a shard's run (no {SHARD_FILE}: "
                          "run it with `drill run --shard K/N`)") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"drill report --merge: {run_dir / SHARD_FILE}: not a shard plan ({exc})") from None


def _digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def _same_plan(plans: dict[Path, dict]) -> None:
    """Raises ConfigError unless every shard took part in one plan, each index once."""
    first_dir, first = next(iter(plans.items()))
    seen: dict[int, Path] = {}
    for run_dir, plan in plans.items():
        if (plan["of"], plan["suite"]) != (first["of"], first["suite"]):
            raise ConfigError(f"drill report --merge: {run_dir} and {first_dir} are unrelated runs "
                              f"(shard {plan['shard']}/{plan['of']} of another suite or split)")
        if _digest(run_dir / "runbook.md") != _digest(first_dir / "runbook.md"):
            raise ConfigError(f"drill report --merge: {run_dir} and {first_dir} judged by different runbooks")
        if plan["split"] != first["split"]:
            raise ConfigError(f"drill report --merge: {run_dir} and {first_dir} are shards of different splits "
                              "(they saw different durations: give every shard the same --durations-from)")
        if plan["shard"] in seen:
            raise ConfigError(f"drill report --merge: shard {plan['shard']}/{plan['of']} given twice "
                              f"({seen[plan['shard']]} and {run_dir})")
        seen[plan["shard"]] = run_dir


def _records(run_dirs: list[Path], suite: list[str], part: str) -> list[dict]:
    """Returns every shard's records (of `part`: "", or a release's baseline/candidate)
    in the suite's order; raises ConfigError naming a scenario present twice, not of the
    suite, or missing from every shard."""
    found: dict[str, tuple[dict, Path]] = {}
    for run_dir in run_dirs:
        journals = run_dir / part / "journal"
        for record in load_journals(journals) if journals.is_dir() else []:
            sid = record.scenario
            if sid in found:
                raise ConfigError(f"drill report --merge: scenario {sid} is in two shards "
                                  f"({found[sid][1]} and {run_dir})")
            if sid not in suite:
                raise ConfigError(f"drill report --merge: scenario {sid} ({run_dir}) is not of the shards' suite")
            found[sid] = (record, run_dir)
    missing = [sid for sid in suite if sid not in found]
    if missing:
        raise ConfigError(f"drill report --merge: scenario {missing[0]} is missing from every shard"
                          + (f"'s {part} run" if part else "")
                          + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))
    return [found[sid][0] for sid in suite]


def merge(run_dirs: list[Path]) -> Merged:
    """Returns the shards' runs joined; raises ConfigError (one line) for a directory that
    is no shard, shards of different plans, or a scenario missing or present twice."""
    given: dict[Path, Path] = {}
    for run_dir in run_dirs:
        if run_dir.resolve() in given:
            raise ConfigError(f"drill report --merge: {run_dir} given twice")
        given[run_dir.resolve()] = run_dir
    plans = {run_dir: _plan_of(run_dir) for run_dir in run_dirs}
    _same_plan(plans)
    suite = next(iter(plans.values()))["suite"]
    runbook = run_dirs[0] / "runbook.md"
    kept = runbook if runbook.is_file() else None
    releases = {(d / "candidate" / "journal").is_dir() or (d / "baseline" / "journal").is_dir()
                for d in run_dirs if plans[d]["ids"]}  # an empty shard ran nothing, of either kind
    if len(releases) > 1:
        raise ConfigError("drill report --merge: some shards are release validations and some are not")
    if releases == {True}:
        return Merged(_records(run_dirs, suite, "candidate"), kept, len(run_dirs), _records(run_dirs, suite, "baseline"))
    return Merged(_records(run_dirs, suite, ""), kept, len(run_dirs))
