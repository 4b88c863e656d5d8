"""Declarative scenarios: a team's runbook line proved by a TOML file, no code (EXAMPLE;
docs/reference/scenario-file.md says every key).

A value "${claim.id}" is the runbook's value of that claim (`drill coverage` lists them;
"${claim.id} * 2" scales it), "${line}" the first line proved as written,
"${line.quoted}" its first quoted or `code` text (a symptom's log text). The file is
checked against the schema first; every error is one line naming the file, the line
and the key (`DeclaredError`), and nothing starts."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.runbook import RunbookError
from runbook_drill.harness.run.scenario import Scenario
from runbook_drill.scenarios.common import Oracle, suite_load
from runbook_drill.scenarios.schema import SCHEMA, WINDOWS, locate, schema_errors
from runbook_drill.scenarios.vocabulary import HELPERS, REMEDIATIONS, build_calibration, build_check, build_remediation

# Where each window's checks go in a Scenario: before the fault, during it, after the remediation.
PHASE = {"steady": "steady", "fault": "during", "fault_steady": "during", "fault_onset": "during",
         "injected": "during", "fault_late": "during", "recovery": "after", "recovered": "after"}
assert set(PHASE) == set(WINDOWS)
REFERENCE = re.compile(r"^\$\{([A-Za-z0-9_.\-]+)\}(?:\s*\*\s*([0-9.]+))?$")
EXAMPLE = """
id = "incident-db-restart-heals-itself"
section = "Recent Incidents"                   # the runbook section, by its heading's words
proves = "Pools now reconnect without a pod restart"   # words of the line it proves (or a list)
title = "The database restarts; the pods serve again on their own"   # optional

[fault]                                        # a registered kind, its parameters as keys
kind = "db_restart"
down_s = 2.0

[load]                                         # optional: the suite's load, changed
users = 80

[timing]                                       # optional: the windows' least lengths (s)
fault_s = 3

[[checks.fault]]                               # checks per window: a catalogue name, its arguments
check = "error_rate"
above = "${threshold.error_rate}"              # the runbook's value ("${...} * 2": scaled)
statuses = [500]

[[checks.recovery]]
check = "recovered"                            # a runbook helper: served again within 30 s
within_s = 30
"""
QUOTED = re.compile(r"[\"`“]([^\"`”]+)[\"`”]")


class DeclaredError(ConfigError):
    """Errors of team scenario files: one line each (file:line: key: what is wrong)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


@dataclass
class Declared:
    """One parsed file: its path, text and data, and the errors found so far."""

    path: Path
    text: str
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def error(self, key: tuple, message: str) -> None:
        """Records one error at `key` (a path of keys and indices)."""
        dotted = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in key).lstrip(".") or "(file)"
        self.errors.append(f"{self.path}:{locate(self.text, key)}: {dotted}: {message}")


def parse(path: Path) -> Declared:
    """Returns the file read and checked against the schema (errors recorded, not raised)."""
    declared = Declared(path, path.read_text(encoding="utf-8", errors="replace"))
    try:
        declared.data = tomllib.loads(declared.text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        declared.errors.append(f"{path}:{line.group(1) if line else 1}: malformed TOML: {str(exc).split(' (at')[0]}")
        return declared
    for key, message in schema_errors(declared.data):
        declared.error(key, message)
    return declared


def build(declared: Declared, oracle: Oracle) -> Scenario | None:
    """Returns the file's scenario built on the runbook, or None with its errors recorded
    (a line not in the runbook, an unknown fault kind or check, a bad argument)."""
    if declared.errors:
        return None
    data = declared.data
    proves = _proved(declared, oracle)
    values = _Values(oracle, proves, declared)
    fault = _fault(declared, values)
    checks = {window: _checks(declared, window, values) for window in data.get("checks", {})}
    remediation = _named(declared, values, "remediation", "action", build_remediation, ("name", "heal_first"))
    calibration = _named(declared, values, "calibration", "name", build_calibration) or {}
    if declared.errors or fault is None:
        return None
    phases: dict[str, list] = {"steady": [], "during": [], "after": []}
    for window, made in checks.items():
        phases[PHASE[window]].extend(made)
    return Scenario(
        id=data["id"], runbook=data["section"], title=data.get("title") or proves[0].text, fault=fault,
        steady=phases["steady"] if "steady" in checks else oracle.steady(), during=phases["during"],
        after=phases["after"], load=suite_load(**values.resolve(("load",), data.get("load", {}))),
        proves=[f"L{claim.line}: {claim.text}" for claim in proves], origin=str(declared.path),
        **{**calibration, **_remediation_fields(remediation, data), **data.get("timing", {})})


def _proved(declared: Declared, oracle: Oracle) -> list:
    """Returns the runbook lines the file proves (drift recorded as an error)."""
    words = declared.data["proves"]
    found = []
    for index, each in enumerate([words] if isinstance(words, str) else words):
        try:
            found.append(oracle.rb.section_line(declared.data["section"], each))
        except RunbookError as exc:
            declared.error(("proves",) if isinstance(words, str) else ("proves", index),
                           f"not a line of the runbook: {str(exc).split(': ', 1)[-1]}")
    return found


def _fault(declared: Declared, values: "_Values") -> Callable | None:
    """Returns the fault factory (made once here, so a bad kind or parameter is an error now)."""
    from runbook_drill.harness.faults import make

    spec = dict(declared.data["fault"])
    kind = spec.pop("kind")
    params = values.resolve(("fault",), spec)
    try:
        make(kind, **params)
    except ConfigError as exc:
        declared.error(("fault", "kind") if "unknown fault kind" in str(exc) else ("fault",), str(exc))
        return None
    return lambda: make(kind, **params)


def _checks(declared: Declared, window: str, values: "_Values") -> list:
    """Returns the checks of one window, each built now (an unknown name or a bad
    argument recorded as an error)."""
    made = []
    for index, spec in enumerate(declared.data["checks"][window]):
        arguments = values.resolve(("checks", window, index), {k: v for k, v in spec.items() if k != "check"})
        try:
            made.extend(build_check(spec["check"], window, arguments, values.oracle))
        except ConfigError as exc:
            key = ("checks", window, index, "check") if "unknown check" in str(exc) else ("checks", window, index)
            declared.error(key, str(exc))
    return made


def _named(declared: Declared, values: "_Values", table: str, key: str, build, settings: tuple = ()):
    """Returns what `build(name, arguments, oracle)` makes of the file's `[table]` (its
    `key` names the entry; `settings` are keys of the scenario's own, not arguments);
    None when the file has no such table, or (an error recorded) when it fails."""
    spec = declared.data.get(table)
    if spec is None:
        return None
    arguments = values.resolve((table,), {k: v for k, v in spec.items() if k not in (key, *settings)})
    try:
        return build(spec[key], arguments, values.oracle)
    except ConfigError as exc:
        declared.error((table, key), str(exc))
        return None


def _remediation_fields(remediation, data: dict) -> dict:
    if remediation is None:
        return {}
    step, name = remediation
    return {"remediation": step, "remediation_name": data["remediation"].get("name") or name,
            "heal_first": data["remediation"].get("heal_first", True)}


def _scaled(value: Any, factor: float) -> Any:
    """Returns value x factor, a whole number as an int (a latency in ms, a count: what
    a fault's parameter and the fault proxy take)."""
    scaled = value * factor
    return int(scaled) if isinstance(scaled, float) and scaled.is_integer() and scaled >= 1 else scaled


class _Values:
    """Resolves "${...}" references against the runbook and the lines proved."""

    def __init__(self, oracle: Oracle, proves: list, declared: Declared) -> None:
        self.oracle, self.proves, self.declared = oracle, proves, declared

    def resolve(self, at: tuple, spec: dict) -> dict:
        """Returns `spec` with every reference (also in lists) replaced by its value."""
        return {key: self._value(at + (key,), value) for key, value in spec.items()}

    def _value(self, at: tuple, value: Any) -> Any:
        if isinstance(value, list):
            return [self._value(at + (i,), v) for i, v in enumerate(value)]
        match = REFERENCE.match(value) if isinstance(value, str) else None
        if not match:
            return value
        try:
            found = self._reference(match.group(1))
        except (RunbookError, IndexError) as exc:
            self.declared.error(at, str(exc).split(": ", 1)[-1] if isinstance(exc, RunbookError) else str(exc))
            return None
        return _scaled(found, float(match.group(2))) if match.group(2) else found

    def _reference(self, name: str) -> Any:
        """Returns a reference's value; raises RunbookError (unknown) or IndexError."""
        if name in ("line", "line.quoted"):
            if not self.proves:
                raise IndexError("${line}: the file proves no line")
            text = self.oracle.rb.lines[self.proves[0].line - 1]
            if name == "line":
                return self.proves[0].text
            quoted = QUOTED.search(text)
            if not quoted:
                raise IndexError(f"${{line.quoted}}: the line proved has no quoted text: {text.strip()!r}")
            return quoted.group(1)
        return self.oracle.rb.value(name)


__all__ = ["DeclaredError", "Declared", "parse", "build", "SCHEMA", "HELPERS", "REMEDIATIONS"]
