"""How far past its bound a failing check was: the margin of a kill. A kill whose
deciding figure is barely past the threshold (p99 598 ms against 500) is weak - one
slower machine, one smaller page, and the mutant passes; it is listed as such.

The ratio is oriented so that 1.0 is "exactly at the bound" and more is a wider miss:
figure / bound for a claim "below", bound / figure for a claim "above" (a figure of 0
against "above" is infinitely far). A check with no numeric figure (a log line absent,
a page never sent, a status never reached) decides by kind, not by degree: categorical."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

WEAK_BELOW = 1.5  # a kill with a smaller margin is weak


@dataclass(frozen=True)
class Margin:
    """The deciding figure of one failing check, its bound and their ratio (None:
    categorical)."""

    check: str
    figure: float | None = None
    bound: float | None = None
    ratio: float | None = None

    @property
    def weak(self) -> bool:
        return self.ratio is not None and self.ratio < WEAK_BELOW

    def describe(self) -> str:
        """Returns the margin as a line says it: "p99_ms 598 vs 500 (1.2x)" or "categorical"."""
        if self.ratio is None:
            return "categorical"
        ratio = "inf" if math.isinf(self.ratio) else f"{self.ratio:.2g}"
        return f"{self.figure:g} vs {self.bound:g} ({ratio}x)"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Margin":
        """Returns the margin `to_json` wrote (a matrix row's, read back)."""
        ratio = data.get("ratio")
        return cls(data["check"], data.get("figure"), data.get("bound"), None if ratio is None else float(ratio))

    def to_json(self) -> dict[str, Any]:
        ratio = None if self.ratio is None else ("inf" if math.isinf(self.ratio) else round(self.ratio, 3))
        return {"check": self.check, "figure": self.figure, "bound": self.bound, "ratio": ratio, "weak": self.weak}


def of(check: str, evidence: dict[str, Any]) -> Margin:
    """Returns the margin of a failed check from its evidence."""
    if isinstance(evidence.get("bound"), dict):
        return _bounded(check, evidence)
    if {"baseline_peak", "end", "slack"} <= set(evidence):
        return _back_to_baseline(check, evidence)
    return Margin(check)


def _bounded(check: str, evidence: dict[str, Any]) -> Margin:
    bound = evidence["bound"]
    figure, limit = evidence.get(bound["figure"]), bound["value"]
    if not isinstance(figure, (int, float)) or not limit:
        return Margin(check)
    if bound["op"].startswith(">"):  # the figure should have been above the bound
        return Margin(check, figure, limit, limit / figure if figure else math.inf)
    return Margin(check, figure, limit, figure / limit)


def _back_to_baseline(check: str, evidence: dict[str, Any]) -> Margin:
    """The replica furthest from its baseline: its end against peak + slack."""
    limits = {src: evidence["baseline_peak"].get(src, 0) + evidence["slack"] for src in evidence["end"]}
    worst = max(evidence["end"], key=lambda src: evidence["end"][src] / limits[src] if limits[src] else math.inf)
    figure, limit = evidence["end"][worst], limits[worst]
    return Margin(check, figure, limit, figure / limit if limit else math.inf)


def deciding(failing: list[dict[str, Any]], counts) -> Margin | None:
    """Returns the widest margin among the failing checks that `counts` accepts (the
    checks that are the mutant's documented reason); None when none is."""
    found = [of(f["check"], f["evidence"]) for f in failing if counts(f["check"])]
    if not found:
        return None
    return max(found, key=lambda m: math.inf if m.ratio is None else m.ratio)
