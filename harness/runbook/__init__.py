"""The runbook as the oracle. Everything the suite relies on - probe endpoints and
codes, readiness checks, failure actions, metric names, thresholds, symptom strings,
the rollback deadline, the scale-up replica count, the incident list - is read from the
runbook's text, never re-typed in code. Each value is a Claim anchored by the line it
comes from; a claim whose words are gone, or changed so they no longer parse, is drift
(RunbookError names the section, the claim, the text expected and the closest line the
section has), and a run stops before it starts anything.

The runbook is read as Markdown (`document`): a claim is found by its words inside its
section, whatever the layout - heading depth, list markers, emphasis, code spans, line
wrapping, line endings, section order. Anchors are line numbers of the file as written.

The project's copy lives in runbook/user-api-runbook.md; `--runbook PATH` reads
another (a team checks its own edited runbook)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.packaged import asset
from runbook_drill.harness.runbook.document import HEADING, Block, blocks, closest, normalized, source_lines
from runbook_drill.harness.runbook.specs import INCIDENT, METRIC, SPECS, Spec

RUNBOOK = asset("runbook", "user-api-runbook.md")


class RunbookError(ConfigError):
    """The runbook no longer states something the suite relies on (drift): exit 2."""


@dataclass(frozen=True)
class Claim:
    """One machine-checkable statement of the runbook: its id, section, the line it is
    anchored to (1-based, where its block starts), that line's text, and the value."""

    id: str
    section: str
    line: int
    text: str
    value: Any


class Runbook:
    """A parsed runbook: its lines as written, its blocks, and its claims."""

    def __init__(self, path: Path = RUNBOOK) -> None:
        self.path = Path(path)
        try:
            self.text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise RunbookError(f"cannot read the runbook {path}: {getattr(exc, 'strerror', None) or exc}") from None
        self.lines = source_lines(self.text)
        self.blocks = blocks(self.text)
        self.claims: dict[str, Claim] = {spec.id: self._find(spec) for spec in SPECS}
        self._list_claims(METRIC, lambda m: (f"metric.{m.group(1)}", {
            "name": m.group(1), "meaning": (m.group(2) or m.group(3)).strip()}))
        self._list_claims(INCIDENT, lambda m: (f"incident.{m.group(1)}", {
            "date": m.group(1), "title": m.group(2).strip(), "fix": m.group(3).strip()}))

    def _claim(self, claim_id: str, block: Block, value: Any) -> Claim:
        return Claim(claim_id, block.section, block.line, self.lines[block.line - 1].strip(), value)

    def _in(self, section: str, kinds=None) -> list[Block]:
        return [b for b in self.blocks if b.under(section) and (kinds is None or b.kind in kinds)]

    def _find(self, spec: Spec) -> Claim:
        for block in self._in(spec.section, spec.kinds):
            match = re.search(spec.pattern, block.text, re.IGNORECASE)
            if match:
                return self._claim(spec.id, block, spec.value(match))
        raise self._drift(spec)

    def _list_claims(self, spec: Spec, make: Callable[[re.Match], tuple[str, Any]]) -> None:
        found = []
        for block in self._in(spec.section, spec.kinds):
            match = re.match(spec.pattern, block.text)
            if match:
                claim_id, value = make(match)
                found.append(self._claim(claim_id, block, value))
        if not found:
            raise self._drift(spec)
        self.claims.update({c.id: c for c in found})

    def _drift(self, spec: Spec) -> RunbookError:
        """Returns the drift error for `spec`: the section, the claim, the text expected
        and the closest line the section has (or the closest heading, the section gone)."""
        where = self._in(spec.section)
        if not where:
            near = closest([b for b in self.blocks if b.kind == HEADING], spec.section)
            have = f"no section {spec.section!r}" + (f"; closest heading: L{near.line}: {near.text!r}" if near else "")
        else:
            near = closest([b for b in where if b.kind in spec.kinds] or where, spec.expected)
            have = f"closest line: L{near.line}: {near.text!r}"
        return RunbookError(f"{self.path}: drift: section {spec.section!r}, claim {spec.id}: "
                            f"no text like {spec.expected!r}; {have}")

    # What scenarios read ------------------------------------------------------------

    def value(self, claim_id: str) -> Any:
        """Returns the value of a claim; raises RunbookError naming an unknown one."""
        if claim_id not in self.claims:
            raise RunbookError(f"{self.path}: no claim {claim_id!r}")
        return self.claims[claim_id].value

    def metric_names(self) -> list[str]:
        return [c.value["name"] for c in self.claims.values() if c.id.startswith("metric.")]

    def incidents(self) -> list[dict]:
        return [c.value for c in self.claims.values() if c.id.startswith("incident.")]

    def incident(self, words: str) -> Claim:
        """Returns the incident claim whose title contains `words` (case-insensitive);
        raises RunbookError (drift) when none does."""
        for claim in self.claims.values():
            if claim.id.startswith("incident.") and normalized(words) in normalized(claim.value["title"]):
                return claim
        raise RunbookError(f"{self.path}: drift: section 'Recent Incidents': no recent incident mentions {words!r}")

    def section_line(self, section: str, words: str) -> Claim:
        """Returns the block of `section` whose text contains `words` (a cause, a
        resolution step) as a claim anchored at its first line; raises RunbookError
        (drift, with the closest line) when none does."""
        for block in self._in(section):
            if normalized(words) in normalized(block.text):
                return self._claim(f"line.{block.line}", block, words)
        near = closest(self._in(section), words)
        have = f"closest line: L{near.line}: {near.text!r}" if near else f"no section {section!r}"
        raise RunbookError(f"{self.path}: drift: section {section!r} no longer mentions {words!r}; {have}")

    def section_text(self, section: str) -> str:
        """Returns the Markdown of one section as written: from the first heading that
        starts with `section` up to the next heading of the same depth or shallower
        (its sub-sections included); "" when there is no such heading."""
        headings = [b for b in self.blocks if b.kind == HEADING]
        for i, heading in enumerate(headings):
            if normalized(heading.text).startswith(normalized(section)):
                after = [h.line for h in headings[i + 1:] if len(h.path) <= len(heading.path)]
                end = after[0] - 1 if after else len(self.lines)
                return "\n".join(self.lines[heading.line - 1:end]).rstrip()
        return ""


@lru_cache(maxsize=None)
def load(path: Path | str = RUNBOOK) -> Runbook:
    """Returns the parsed runbook at `path` (cached); raises RunbookError on drift."""
    return Runbook(Path(path))


def error_rate_threshold(path: Path = RUNBOOK) -> float:
    """Returns the "High Error Rate (>N%)" threshold as a fraction (0.01 for 1%)."""
    return Runbook(path).value("threshold.error_rate")


def p99_threshold_ms(path: Path = RUNBOOK) -> float:
    """Returns the "High Latency (p99 >Nms)" threshold in milliseconds."""
    return Runbook(path).value("threshold.p99_ms")
