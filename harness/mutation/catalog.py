"""The mutant catalogue: `mutants/*.patch`, each a unified diff against services/ with a
header saying what it breaks and who must notice:

    Mutant: ready-skips-redis
    Violates: claim ready.checks            (or "<section> | <words of a line>")
    Caught-by: health-redis-down, ...       (scenario ids, cheapest first)
    Reason: /health/ready answers 503       (a regular expression: the failing check)
    Defect: what a developer changed, and why it seemed right
      (continuation lines are indented)
    Way: how the code breaks the runbook line    ("Unclosed connections: on a query error")

then a blank line and the diff."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.packaged import asset
from runbook_drill.harness.runbook import Runbook, RunbookError

MUTANTS_DIR = asset("mutants")
FIELDS = ("Mutant", "Violates", "Caught-by", "Reason", "Defect", "Way")


@dataclass(frozen=True)
class Mutant:
    """One defect: its id, the runbook line it violates ("L118: ..."), the scenarios
    that must catch it and the reason (a pattern of the failing check's name)."""

    id: str
    violates: str
    line: str
    caught_by: tuple[str, ...]
    reason: str
    defect: str
    patch: str
    path: Path
    way: str = ""  # one of the ways code breaks the line (a leak "on a query error")

    @property
    def digest(self) -> str:
        """Returns a short hash of the patch: a changed patch is a new build."""
        return hashlib.sha256(self.patch.encode()).hexdigest()[:12]

    def caught_for_reason(self, failing_checks: list[str]) -> bool:
        """Returns True when one of `failing_checks` is the documented reason."""
        return any(re.search(self.reason, check) for check in failing_checks)


def _header(path: Path, text: str) -> tuple[dict[str, str], str]:
    head, blank, patch = text.partition("\n\n")
    if not blank or not patch.lstrip().startswith("---"):
        raise ConfigError(f"{path}: a header, a blank line, then a unified diff (--- a/...) expected")
    fields: dict[str, str] = {}
    last = None
    for line in head.splitlines():
        if line[:1].isspace() and last:
            fields[last] += " " + line.strip()
            continue
        key, colon, value = line.partition(":")
        if not colon or key not in FIELDS:
            raise ConfigError(f"{path}: header line {line!r} is not one of {', '.join(FIELDS)}")
        fields[key], last = value.strip(), key
    missing = [key for key in FIELDS if not fields.get(key)]
    if missing:
        raise ConfigError(f"{path}: header has no {missing[0]}")
    return fields, patch


def _anchor(violates: str, runbook: Runbook, path: Path) -> str:
    """Returns "L<n>: <text>" of the runbook line `violates` names; raises ConfigError."""
    try:
        if violates.startswith("claim "):
            claim = runbook.claims.get(violates.removeprefix("claim ").strip())
            if claim is None:
                raise RunbookError(f"no claim {violates.removeprefix('claim ').strip()!r}")
        else:
            section, bar, words = violates.partition("|")
            if not bar:
                raise RunbookError("'claim <id>' or '<section> | <words>' expected")
            claim = runbook.section_line(section.strip(), words.strip())
    except RunbookError as exc:
        raise ConfigError(f"{path}: Violates {violates!r}: {exc}") from None
    return f"L{claim.line}: {claim.text}"


def parse(path: Path, runbook: Runbook) -> Mutant:
    """Returns the mutant of one patch file; raises ConfigError (one line) when its
    header is incomplete, its id is not its file name, or its runbook line is gone."""
    fields, patch = _header(path, path.read_text())
    if fields["Mutant"] != path.stem:
        raise ConfigError(f"{path}: Mutant {fields['Mutant']!r} is not the file's name {path.stem!r}")
    try:
        re.compile(fields["Reason"])
    except re.error as exc:
        raise ConfigError(f"{path}: Reason {fields['Reason']!r} is not a regular expression: {exc}") from None
    caught_by = tuple(s.strip() for s in fields["Caught-by"].split(",") if s.strip())
    return Mutant(id=fields["Mutant"], violates=fields["Violates"], line=_anchor(fields["Violates"], runbook, path),
                  caught_by=caught_by, reason=fields["Reason"], defect=fields["Defect"], patch=patch, path=path,
                  way=fields.get("Way", ""))


def load(runbook: Runbook, directory: Path = MUTANTS_DIR, known_scenarios: set[str] | None = None) -> list[Mutant]:
    """Returns every mutant of `directory`, by id; raises ConfigError for a bad one, or
    one whose Caught-by names a scenario not in `known_scenarios`."""
    mutants = [parse(path, runbook) for path in sorted(Path(directory).glob("*.patch"))]
    if not mutants:
        raise ConfigError(f"no mutants (*.patch) in {directory}")
    for mutant in mutants:
        unknown = [s for s in mutant.caught_by if known_scenarios is not None and s not in known_scenarios]
        if unknown:
            raise ConfigError(f"{mutant.path}: Caught-by names {unknown[0]!r}, which is no scenario (see `drill list`)")
    return mutants


def choose(mutants: list[Mutant], ids: list[str]) -> list[Mutant]:
    """Returns the mutants named by `ids` (all when empty); raises ConfigError for an unknown id."""
    by_id = {m.id: m for m in mutants}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise ConfigError(f"no mutant {unknown[0]!r}; known: {', '.join(sorted(by_id))}")
    return [by_id[i] for i in ids] if ids else mutants
