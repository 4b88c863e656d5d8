"""The journal of one scenario run, Chaos Toolkit's way: every activity in order, timed,
with its output or its error - and the record the runner writes (journal/<id>.json):
a typed ScenarioRecord with a schema version, written once and read back the same way
by every reader (the report, the comparison, the merge, the history, the summary):
its activities as Activity, its verdicts as the checks' own Verdict (whose margin is
computed from the evidence with the same statistics as when it was judged)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from runbook_drill.harness.checks.base import Verdict


@dataclass
class Activity:
    """One activity of a run: its name, when it ran, its output or its error."""

    name: str
    start: float
    end: float = 0.0
    output: Any = None
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "start": self.start, "end": self.end, "output": self.output, "error": self.error}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Activity":
        return cls(data["name"], data["start"], data.get("end", 0.0), data.get("output"), data.get("error", ""))


class Journal:
    """Activities in order, each timed, with its output or its error."""

    def __init__(self) -> None:
        self.activities: list[Activity] = []

    def run(self, name: str, action: Callable[[], Any]) -> Any:
        activity = Activity(name, time.time())
        self.activities.append(activity)
        try:
            output = action()
            activity.output = _recordable(output)
            return output
        except BaseException as exc:
            activity.error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            activity.end = time.time()


def _recordable(output: Any) -> Any:
    """Returns what the journal keeps of an activity's output: a container by its name
    (a remediation that starts one returns it), anything else as it is."""
    if hasattr(output, "get_wrapped_container"):
        wrapped = output.get_wrapped_container()
        return {"container": wrapped.name if wrapped is not None else "(not started)"}
    return output


SCHEMA_VERSION = 2  # 1: journals written before the version was (the same fields)


OPTIONAL = ("seconds", "attempts", "stop", "repetition")  # fields a journal may leave out


class JournalError(ValueError):
    """A journal that is not one of a scenario run (a field missing, a newer schema)."""


@dataclass
class ScenarioRecord:
    """What one scenario run leaves: its verdict, the activities, the fault's evidence,
    every check's verdict with its evidence, the alerts' paging times and the history
    (History.to_json's form, read back with History.from_json)."""

    scenario: str
    title: str
    runbook: str
    # passed, failed, unknown, error, flaky (failed, then passed on a rerun), aborted (a stop
    # condition or the kill switch); running in a snapshot
    status: str
    error: str
    start: float
    end: float
    proves: list[str]
    calibration: dict[str, Any]
    remediation: str
    fault: dict[str, Any]
    background: list[dict[str, Any]]
    activities: list[Activity]
    verdicts: list[Verdict]
    paging: dict[str, Any]
    history: dict[str, Any]
    seconds: float | None = None  # the run's wall time, set by the suite
    attempts: list[dict[str, Any]] | None = None  # a rerun scenario's earlier attempts (--rerun-failed)
    stop: dict[str, Any] | None = None  # the stop condition that aborted it, with its evidence
    repetition: int | None = None  # with --repeat: which repetition this was (1-based)
    schema: int = SCHEMA_VERSION

    def to_json(self) -> dict[str, Any]:
        """Returns the record as the journal file holds it (verdicts with their margins)."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["activities"] = [a.to_json() for a in self.activities]
        data["verdicts"] = [v.to_json() for v in self.verdicts]
        for optional in OPTIONAL:
            if data[optional] is None:
                del data[optional]
        return data

    def failing(self) -> list[Verdict]:
        """Returns the verdicts that are not a pass, in the order judged."""
        return [v for v in self.verdicts if v.status != "pass"]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ScenarioRecord":
        """Returns the record of a journal file's contents; raises JournalError naming
        the first field missing, or a schema newer than this reader."""
        schema = data.get("schema", 1)
        if not isinstance(schema, int) or schema > SCHEMA_VERSION:
            raise JournalError(f"journal schema {schema!r} is newer than this drill reads ({SCHEMA_VERSION})")
        names = [n for n in cls.__dataclass_fields__ if n not in (*OPTIONAL, "schema")]
        missing = [n for n in names if n not in data]
        if missing:
            raise JournalError(f"not a scenario journal: no {missing[0]!r}")
        values = {n: data[n] for n in names}
        values["activities"] = [a if isinstance(a, Activity) else Activity.from_json(a) for a in data["activities"]]
        values["verdicts"] = [v if isinstance(v, Verdict) else Verdict.from_json(v) for v in data["verdicts"]]
        return cls(**values, **{n: data.get(n) for n in OPTIONAL}, schema=SCHEMA_VERSION)


def write(journal_dir: Path, record: ScenarioRecord) -> ScenarioRecord:
    """Writes journal_dir/<scenario>.json; returns the record."""
    journal_dir.mkdir(parents=True, exist_ok=True)
    (journal_dir / f"{record.scenario}.json").write_text(json.dumps(record.to_json(), indent=1, default=str) + "\n")
    return record


def read(path: Path) -> ScenarioRecord:
    """Returns one journal file as its typed record, validated; raises JournalError."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise JournalError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise JournalError(f"{path}: not a scenario journal")
    try:
        return ScenarioRecord.from_json(data)
    except (JournalError, KeyError, TypeError) as exc:
        raise JournalError(f"{path}: {exc if isinstance(exc, JournalError) else f'a malformed field ({exc})'}") from None


def read_all(journal_dir: Path) -> list[ScenarioRecord]:
    """Returns every journal of a directory, by file name; raises JournalError for the
    first file that is not one."""
    return [read(path) for path in sorted(journal_dir.glob("*.json"))]

