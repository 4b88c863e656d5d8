"""The schema of a declarative scenario file (JSON Schema, draft 2020-12), what its
errors say, and where in the file a key is - so each error names the line to fix.
docs/reference/scenario-file.schema.json is generated from SCHEMA (editors read it)."""

from __future__ import annotations

import re
from typing import Any, Iterator

# The runner's windows a check can judge (see docs/explanation.md, "Windows").
WINDOWS = ("steady", "fault", "fault_onset", "fault_steady", "fault_late", "injected", "recovery", "recovered")
TIMING = ("steady_s", "fault_s", "settle_s", "onset_s", "recovery_s", "recovery_settle_s", "recovery_max_s",
          "settle_max_s", "warmup_s", "sample_max_s")
LOAD = ("users", "rate_per_user", "relogin_s", "user_ids", "timeout_s", "spawn_rate", "think_s", "mix")
_NUMBER_OR_REFERENCE = {"anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^\$\{"}]}
_CHECK = {"type": "object", "required": ["check"], "properties": {"check": {"type": "string", "minLength": 1}}}

# What each key means (docs/reference/scenario-file.md).
KEYS_SAID = {
    "id": "the scenario's id: lower case letters, digits, `-`; not one already taken (a built-in one, another file)",
    "section": "the runbook section, by its heading's words (`Recent Incidents`)",
    "proves": "words of the line the scenario proves, found in the section (or a list): a line no longer there "
              "is drift (exit 2), as for the built-in scenarios; `drill coverage` then shows it proved",
    "title": "what the scenario shows, in one line (default: the first line proved)",
    "fault": "`kind` - a registered fault kind ([faults.md](faults.md), or a team's) - and its parameters as keys",
    "load": "the suite's load, changed: " + ", ".join(f"`{k}`" for k in LOAD),
    "timing": "the windows' least lengths and waits, in seconds: " + ", ".join(f"`{k}`" for k in TIMING),
    "checks": "per window (a table of arrays: `[[checks.fault]]`), each entry `check = NAME` and its arguments",
    "calibration": "`name` (below) and its arguments: the fault's magnitude found at run time, each step journaled",
    "remediation": "`action` (below), its arguments, `name` (what the report calls it), `heal_first` (default "
                   "true: the fault healed before it)",
}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://runbook-drill.dev/schema/scenario-file.json",
    "title": "runbook-drill declarative scenario",
    "type": "object",
    "required": ["id", "section", "proves", "fault", "checks"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": r"^[a-z0-9][a-z0-9-]*$"},
        "section": {"type": "string", "minLength": 1},
        "proves": {"anyOf": [{"type": "string", "minLength": 1},
                             {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}}]},
        "title": {"type": "string"},
        "fault": {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}}},
        "load": {"type": "object", "additionalProperties": False,
                 "properties": {name: ({"type": "string"} if name == "mix" else _NUMBER_OR_REFERENCE)
                                for name in LOAD}},
        "timing": {"type": "object", "additionalProperties": False,
                   "properties": {name: {"type": "number", "exclusiveMinimum": 0} for name in TIMING}},
        "checks": {"type": "object", "minProperties": 1, "additionalProperties": False,
                   "properties": {window: {"type": "array", "minItems": 1, "items": _CHECK} for window in WINDOWS}},
        "calibration": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
        "remediation": {"type": "object", "required": ["action"],
                        "properties": {"action": {"type": "string"}, "name": {"type": "string"},
                                       "heal_first": {"type": "boolean"}}},
    },
}


def schema_errors(data: dict) -> Iterator[tuple[tuple, str]]:
    """Yields (key path, message) for each way `data` breaks SCHEMA, in file order."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(SCHEMA)
    for error in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        yield from _said(error)


def _said(error) -> Iterator[tuple[tuple, str]]:
    """Yields what one schema error means, at the key it is about."""
    at = tuple(error.absolute_path)
    if error.validator == "additionalProperties":
        for extra in sorted(set(error.instance) - set(error.schema.get("properties", {}))):
            known = ", ".join(error.schema.get("properties", {}))
            what = "window" if at == ("checks",) else "key"
            yield at + (extra,), f"no {what} {extra!r} here; known: {known}"
    elif error.validator == "required":
        yield at, error.message.replace("is a required property", "is required")
    elif error.validator == "anyOf" and at and at[0] == "proves":
        yield at, "words of a runbook line (a string), or a list of them"
    elif error.validator == "anyOf":
        yield at, f"a number or a runbook value (\"${{claim.id}}\"), not {error.instance!r}"
    elif error.validator == "pattern" and at == ("id",):
        yield at, f"{error.instance!r}: lower case letters, digits and '-'"
    else:
        yield at, error.message


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"'.]+?)\s*=")


def _key_lines(text: str) -> dict[tuple, int]:
    """Returns the line (1-based) of each table header and key of a TOML text, by its
    full path (an array of tables' entries by index)."""
    found: dict[tuple, int] = {}
    counts: dict[tuple, int] = {}
    table: tuple = ()
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            path = tuple(part.strip().strip("\"'") for part in header.group(2).split("."))
            if header.group(1) == "[[":
                counts[path] = counts.get(path, -1) + 1
                table = path + (counts[path],)
            else:
                table = path
            found.setdefault(table, number)
            found.setdefault(path, number)
            continue
        key = _KEY.match(line)
        if key:
            found.setdefault(table + tuple(part.strip("\"'") for part in key.group(1).split(".")), number)
    return found


def locate(text: str, key: tuple) -> int:
    """Returns the line of `key` in the TOML text - or of its nearest enclosing key
    found (an inline table's entry: its key's line); 1 when none is."""
    lines = _key_lines(text)
    for end in range(len(key), 0, -1):
        if key[:end] in lines:
            return lines[key[:end]]
    return 1
