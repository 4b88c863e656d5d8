"""The journal of one scenario run, Chaos Toolkit's way: every activity in order, timed,
with its output or its error - and the record the runner writes (journal/<id>.json):
a typed ScenarioRecord with a schema version, written once and read back the same way
by every reader (the report, the comparison, `drill report`)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable


@dataclass
class Activity:
    name: str
    start: float
    end: float = 0.0
    output: Any = None
    error: str = ""


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


OPTIONAL = ("seconds", "attempts", "stop")  # fields a journal may leave out


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
    activities: list[dict[str, Any]]
    verdicts: list[dict[str, Any]]
    paging: dict[str, Any]
    history: dict[str, Any]
    seconds: float | None = None  # the run's wall time, set by the suite
    attempts: list[dict[str, Any]] | None = None  # a rerun scenario's earlier attempts (--rerun-failed)
    stop: dict[str, Any] | None = None  # the stop condition that aborted it, with its evidence
    schema: int = SCHEMA_VERSION

    def to_json(self) -> dict[str, Any]:
        """Returns the record as the journal file holds it."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        for optional in OPTIONAL:
            if data[optional] is None:
                del data[optional]
        return data

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
        return cls(**{n: data[n] for n in names}, **{n: data.get(n) for n in OPTIONAL}, schema=SCHEMA_VERSION)


def write(journal_dir: Path, record: ScenarioRecord) -> dict[str, Any]:
    """Writes journal_dir/<scenario>.json; returns the record in its journal form."""
    data = record.to_json()
    journal_dir.mkdir(parents=True, exist_ok=True)
    (journal_dir / f"{record.scenario}.json").write_text(json.dumps(data, indent=1, default=str) + "\n")
    return data


def rewrite(journal_dir: Path, data: dict[str, Any]) -> dict[str, Any]:
    """Writes a record in its journal form again (a rerun's verdict and attempts added);
    returns it as written. Raises JournalError for a dict that is not one."""
    return write(journal_dir, ScenarioRecord.from_json(data))


def read(path: Path) -> dict[str, Any]:
    """Returns one journal file in its journal form, validated; raises JournalError."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise JournalError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise JournalError(f"{path}: not a scenario journal")
    try:
        return ScenarioRecord.from_json(data).to_json()
    except JournalError as exc:
        raise JournalError(f"{path}: {exc}") from None
