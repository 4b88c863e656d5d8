"""How far a verdict's deciding figure sits from its bound: the margin of every check,
a pass or a kill alike (one definition, so the matrix's "weak kill" and the run's
"marginal pass" are the same measurement read from either side).

The ratio is oriented so that 1.0 is "exactly at the bound" and more is further on the
verdict's side: for a pass of "p99 < 500 ms" at 200 ms, 500/200 = 2.5; for a kill of
it at 598 ms, 598/500 = 1.2. A share is measured on its rarer side: "503 rate > 95%" at
100% is "other answers 0% < 5%" (infinitely far), at 96% it is 4% vs 5% (1.25x) - a
share near 1 is otherwise always "close" to a bound near 1. A share also has a room:
how many of its samples would have to change sides to flip the verdict; a pass that
1 or 2 requests would flip is marginal whatever its ratio (when any sample is on the
bad side already - none there, and the figure is as far as it can be).

A check with no numeric figure (a log line absent, a page never sent, "every probe")
decides by kind, not by degree: categorical, never weak, never marginal. So does a
pass on a discrete level (`reached_is_categorical`): a pool that reached its size, a
count of connections in use at its allowance - only one more held would flip it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

WEAK_BELOW = 1.5  # a kill with a smaller ratio is weak
MARGINAL_BELOW = 1.25  # a pass with a smaller ratio is marginal
HANDFUL = 3  # a pass that fewer samples than this would flip is marginal


@dataclass(frozen=True)
class Margin:
    """The deciding figure of one check, its bound and their ratio (None: categorical);
    `room` is, for a share, how many samples would flip the verdict (None otherwise);
    `passed` says from which side the margin was read."""

    check: str
    figure: float | None = None
    bound: float | None = None
    ratio: float | None = None
    room: int | None = None
    passed: bool = False
    bad: int = 0  # samples of a share already on the side that would flip it

    @property
    def weak(self) -> bool:
        """A kill this close to its bound: one slower machine, and the mutant passes."""
        return not self.passed and self.ratio is not None and self.ratio < WEAK_BELOW

    @property
    def marginal(self) -> bool:
        """A pass this close to its bound: one slower machine, and a correct service fails."""
        if not self.passed or self.ratio is None:
            return False
        return self.ratio < MARGINAL_BELOW or (self.room is not None and self.bad > 0 and self.room < HANDFUL)

    def describe(self) -> str:
        """Returns the margin as a line says it: "598 vs 500 (1.2x)" or "categorical"."""
        if self.ratio is None:
            return "categorical"
        ratio = "inf" if math.isinf(self.ratio) else f"{self.ratio:.3g}"
        room = f", {self.room} sample(s) from flipping" if self.room is not None and self.bad else ""
        return f"{self.figure:g} vs {self.bound:g} ({ratio}x{room})"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Margin":
        """Returns the margin `to_json` wrote (a journal's or a matrix row's, read back)."""
        ratio = data.get("ratio")
        return cls(data["check"], data.get("figure"), data.get("bound"), None if ratio is None else float(ratio),
                   data.get("room"), bool(data.get("passed", False)), int(data.get("bad", 0)))

    def to_json(self) -> dict[str, Any]:
        ratio = None if self.ratio is None else ("inf" if math.isinf(self.ratio) else round(self.ratio, 3))
        data = {"check": self.check, "figure": self.figure, "bound": self.bound, "ratio": ratio,
                "passed": self.passed, "weak": self.weak, "marginal": self.marginal}
        if self.room is not None:
            data.update(room=self.room, bad=self.bad)
        return data


def of(check: str, evidence: dict[str, Any], passed: bool = False) -> Margin:
    """Returns the margin of a check's verdict from its evidence: `passed` says whether
    the check passed (the figure inside its bound) or failed (past it)."""
    if isinstance(evidence.get("bound"), dict):
        return _bounded(check, evidence, passed)
    if {"baseline_peak", "end", "slack"} <= set(evidence):
        return _back_to_baseline(check, evidence, passed)
    return Margin(check, passed=passed)


def _oriented(figure: float, limit: float, above: bool, passed: bool) -> float:
    """The ratio with 1.0 at the bound, growing with the distance on the verdict's side."""
    larger_is_further = above == passed  # a pass of "above", or a kill of "below"
    numerator, denominator = (figure, limit) if larger_is_further else (limit, figure)
    return numerator / denominator if denominator > 0 else math.inf  # a figure at 0 (or below): as far as it gets


def _bounded(check: str, evidence: dict[str, Any], passed: bool) -> Margin:
    bound = evidence["bound"]
    figure, limit, above = evidence.get(bound["figure"]), bound["value"], bound["op"].startswith(">")
    if not isinstance(figure, (int, float)) or not isinstance(limit, (int, float)):
        return Margin(check, passed=passed)
    if passed and bound.get("reached_is_categorical"):
        return Margin(check, passed=passed)
    if bound["op"] == "~":  # within a tolerance of a count: how far inside the nearer edge
        deviation, tolerance = abs(figure - limit), float(bound.get("tolerance") or 0)
        if not tolerance:
            return Margin(check, passed=passed)
        return Margin(check, figure, limit, tolerance / deviation if deviation else math.inf, passed=passed)
    total = bound.get("of")
    if isinstance(total, int):
        return _share(check, float(figure), float(limit), above, passed, total, bound["op"])
    if not limit:
        return Margin(check, figure, limit, passed=passed)
    return Margin(check, figure, limit, _oriented(figure, limit, above, passed), passed=passed)


def _share(check: str, figure: float, limit: float, above: bool, passed: bool, total: int, op: str) -> Margin:
    """A share of `total` samples: read on its rarer side, with its room in samples."""
    if (above and limit > 0.5) or (not above and limit >= 0.5):  # "> 95%" is "the others < 5%"
        figure, limit, above = round(1 - figure, 6), round(1 - limit, 6), not above
        op = {">": "<", ">=": "<=", "<": ">", "<=": ">="}[op]
    if limit <= 0:  # "every sample": any one flips it - by kind, not degree
        return Margin(check, passed=passed)
    count = round(figure * total)
    room = abs(count - _flip_at(limit, total, op)) + (0 if passed else 1)
    bad = total - count if above else count
    return Margin(check, figure, limit, _oriented(figure, limit, above, passed), room, passed,
                  bad if passed else 0)


def _flip_at(limit: float, total: int, op: str) -> int:
    """Returns the count at which a share of `total` first breaks `op limit` (a pass's
    figure moving towards the bound)."""
    exact = limit * total
    if op == ">":
        return math.floor(exact + 1e-9)  # k/n > v breaks at k <= v*n
    if op == ">=":
        return math.ceil(exact - 1e-9) - 1
    if op == "<":
        return math.ceil(exact - 1e-9)  # k/n < v breaks at k >= v*n
    return math.floor(exact + 1e-9) + 1


def _back_to_baseline(check: str, evidence: dict[str, Any], passed: bool) -> Margin:
    """The replica closest to (pass) or furthest past (kill) its baseline: its end
    against its peak + slack."""
    limits = {src: evidence["baseline_peak"].get(src, 0) + evidence["slack"] for src in evidence["end"]}
    if not limits:
        return Margin(check, passed=passed)

    def ratio(src: str) -> float:
        return _oriented(evidence["end"][src], limits[src], False, passed)
    deciding_src = (min if passed else max)(limits, key=ratio)
    return Margin(check, evidence["end"][deciding_src], limits[deciding_src], ratio(deciding_src), passed=passed)


def deciding(failing: list, counts) -> Margin | None:
    """Returns the widest margin among the failing verdicts (checks.base.Verdict) that
    `counts` accepts (the checks that are the mutant's documented reason); None when none is."""
    found = [of(f.check, f.evidence) for f in failing if counts(f.check)]
    if not found:
        return None
    return max(found, key=lambda m: math.inf if m.ratio is None else m.ratio)


def marginal(verdicts: list) -> list[Margin]:
    """Returns the margins of the passes of `verdicts` (checks.base.Verdict) that sat
    near their bounds (a room check's pass decides nothing: left out)."""
    found = [v.margin() for v in verdicts if not v.evidence.get("room")]
    return [m for m in found if m is not None and m.marginal]


def worst(verdicts: list) -> Margin | None:
    """Returns the pass of `verdicts` nearest its bound (None: no pass had a figure)."""
    found = [m for m in (v.margin() for v in verdicts) if m is not None and m.passed and m.ratio is not None]
    return min(found, key=lambda m: (m.marginal is False, m.ratio), default=None)
