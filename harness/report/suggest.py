"""What the runbook does not say, from what a run saw: per section, what its scenarios
showed under their faults that the section never names - ERROR lines (grouped by their
message with ids, numbers, tokens and addresses masked; counts and a first example),
statuses users got, readiness and load-balancer states, alerts that paged, the metrics
that moved most - and the lines the run found contradicted (a failed check's line) or
that cannot be proved as written. Written as a unified diff against the runbook under
test (`git apply`): a bullet under the section's **Symptoms** (or at its end) per
suggestion, citing the scenarios and journals it came from; the findings at the end.

Deterministic for a given run; nothing is suggested from fewer than MIN_SEEN
observations."""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field

from runbook_drill.harness.observe.history import History, Window, is_api_request
from runbook_drill.harness.runbook import Runbook
from runbook_drill.harness.runbook.document import normalized

MIN_SEEN = 2
MOST_PER_SECTION = 8  # the most seen first: a reviewer reads a short list
_MASKS = [(re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]*"), "<token>"),
          (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I), "<uuid>"),
          (re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"), "<email>"),
          (re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b"), "<address>"),
          (re.compile(r"\b[0-9a-f]{12,}\b", re.I), "<id>"),
          (re.compile(r"(?i)\b(password|secret|token|authorization|api_key)=\S+"), r"\1=<masked>"),
          (re.compile(r"(?i)\bbearer\s+\S+"), "Bearer <masked>"),
          (re.compile(r"\b\d+(?:\.\d+)?\b"), "<n>")]


def masked(text: str) -> str:
    """Returns a log message with what differs between occurrences (and what must not
    be published: tokens, secrets, addresses) replaced by placeholders."""
    for pattern, placeholder in _MASKS:
        text = pattern.sub(placeholder, text)
    return " ".join(text.split())[:160]


@dataclass
class Suggestion:
    """One line the section could say, and where it was seen."""

    section: str
    text: str
    seen: int  # observations (an unexplained page: the scenarios it paged for)
    scenarios: list[str] = field(default_factory=list)
    unexplained: bool = False

    def bullet(self, journal_dir: str) -> str:
        cited = ", ".join(f"{journal_dir}/{s}.json" for s in sorted(set(self.scenarios)))
        return f"- {self.text} (runbook-drill: {self.seen}x; {cited})" if not self.unexplained else \
            f"- {self.text} (runbook-drill: unexplained page; {cited})"


def _fault_span(history: History, end: float) -> Window | None:
    found = history.windows.get("injected") or history.windows.get("fault")
    return Window("seen", found.start, end) if found else None


def _said(section_text: str) -> tuple[set[str], set[str]]:
    """Returns what a section says already: its quoted texts, and the statuses it names."""
    quoted = {normalized(q) for q in re.findall(r"[\"`]([^\"`]{3,})[\"`]", section_text)}
    return quoted, set(re.findall(r"\b([1-5]\d\d)\b", section_text))


def _observations(record, level: str) -> dict[str, Counter]:
    """Returns what one scenario saw under its fault, by kind: ERROR messages (masked),
    statuses users got, readiness answers, alerts firing (poll counts)."""
    history = History.from_json(record.history)
    span = _fault_span(history, record.end)
    seen = {"log": Counter(), "status": Counter(), "ready": Counter(), "alert": Counter(), "metric": Counter()}
    if span is None:
        return seen
    seen["metric"].update(moved(history, span))
    for event in history.events("log", span):
        if level in event.data.get("line", "") or event.data.get("level") == level:
            seen["log"][masked(event.data.get("message") or event.data.get("line", ""))] += 1
    for event in (e for e in history.events("request", span) if is_api_request(e)):
        status = event.data.get("status")
        if status is None or status >= 400:
            seen["status"]["no answer" if status is None else str(status)] += 1
    for event in history.events("probe", span):
        if event.data.get("status") != 200 and "ready" in str(event.data.get("path", "")):
            where = "the load balancer" if event.source == "lb" else "a replica"
            seen["ready"][f"{where}'s readiness answered {event.data.get('status') or 'nothing'}"] += 1
    for event in history.events("alerts", span):
        seen["alert"].update(event.data.get("firing", []))
    return seen


def _figures(history: History, window: Window) -> dict[str, float]:
    """Returns each metric as an on-call's graph shows it over `window`, summed over the
    replicas and label sets: a counter (`*_total`) as its rate per second, anything
    else (a gauge) as its level at the last scrape; a histogram's parts left out."""
    first: dict[tuple[str, str], tuple[float, float]] = {}
    last: dict[tuple[str, str], tuple[float, float]] = {}
    for event in history.events("metrics", window):
        for key, value in event.data.get("samples", {}).items():
            first.setdefault((event.source, key), (event.t, value))
            last[(event.source, key)] = (event.t, value)
    figures: Counter = Counter()
    for (source, key), (t1, v1) in last.items():
        name = key.partition("{")[0]
        if name.endswith(("_bucket", "_sum", "_count", "_created")):
            continue
        t0, v0 = first[(source, key)]
        if name.endswith("_total"):
            figures[name] += (v1 - v0) / (t1 - t0) if t1 > t0 else 0.0
        else:
            figures[name] += v1
    return dict(figures)


def moved(history: History, span: Window, most: int = 3) -> dict[str, int]:
    """Returns the `most` metrics that moved most from the steady state to the fault
    (relative change of a counter's rate, of a gauge's level; half at least), each as
    "NAME went from A to B" -> the scrapes in the fault that saw it."""
    steady = history.windows.get("steady")
    if steady is None:
        return {}
    before, after = _figures(history, steady), _figures(history, span)
    scrapes = len(history.events("metrics", span))
    change = {n: abs(after[n] - before.get(n, 0.0)) / max(abs(before.get(n, 0.0)), 1.0) for n in after}
    top = sorted((n for n in change if change[n] >= 0.5), key=lambda n: (-change[n], n))[:most]
    unit = {n: "/s" if n.endswith("_total") else "" for n in top}
    return {f"{n} went from {before.get(n, 0.0):.3g}{unit[n]} to {after[n]:.3g}{unit[n]}": scrapes for n in top}


def _for_section(section: str, records: list, runbook: Runbook) -> list[Suggestion]:
    """Returns the suggestions of one section from its scenarios' records."""
    from runbook_drill.harness.alerts.matrix import expectations

    text = runbook.section_text(section)
    quoted, statuses = _said(text)
    own = {e.alert for e in expectations(runbook) if normalized(e.section).startswith(normalized(section))}
    level = runbook.value("logs.error_grep")
    found: dict[tuple[str, str], Suggestion] = {}
    for record in records:
        for kind, counts in _observations(record, level).items():
            for what, count in counts.items():
                if _already_said(kind, what, quoted, statuses, text) or (kind == "alert" and what in own):
                    continue
                key = (kind, what)
                found.setdefault(key, Suggestion(section, _phrase(kind, what), 0))
                found[key].seen += count
                found[key].scenarios.append(record.scenario)
    kept = sorted((s for s in found.values() if s.seen >= MIN_SEEN), key=lambda s: (-s.seen, s.text))
    return kept[:MOST_PER_SECTION]


def _already_said(kind: str, what: str, quoted: set[str], statuses: set[str], text: str) -> bool:
    if kind == "log":
        return any(q in normalized(what) for q in quoted)
    if kind == "status":
        return what in statuses
    if kind == "alert":
        return normalized(what) in normalized(text)
    if kind == "metric":
        return normalized(what.split()[0]) in normalized(text)
    return "readiness" in normalized(text) or "load balancer" in normalized(text)


def _phrase(kind: str, what: str) -> str:
    return {"log": f'logs show "{what}"', "status": f"users get {what}" + ("" if what == "no answer" else " errors"),
            "ready": what, "alert": f"the {what} alert pages", "metric": f"metrics: {what}"}[kind]


@dataclass
class Finding:
    """A runbook line the run found contradicted, or that cannot be proved as written."""

    line: int
    text: str
    why: str


def findings(records: list, runbook: Runbook, unprovable: list) -> list[Finding]:
    """Returns the lines a failed scenario's failing checks contradict (the lines it
    proves) and the coverage's lines flagged as not provable as written (`unprovable`:
    coverage rows)."""
    found: dict[int, Finding] = {}
    for record in (r for r in records if r.status == "failed"):
        failing = "; ".join(v.check for v in record.failing())[:200]
        for anchor in record.proves or []:
            match = re.match(r"L(\d+):", anchor)
            if match:
                line = int(match.group(1))
                found.setdefault(line, Finding(line, runbook.lines[line - 1].strip(),
                                               f"contradicted by {record.scenario}: {failing}"))
    for row in unprovable:
        found.setdefault(row.line, Finding(row.line, row.text.strip(), row.detail))
    return [found[line] for line in sorted(found)]


def _unexplained(records: list, runbook: Runbook, cells: list) -> list[Suggestion]:
    """Returns, under each alert's own section, the causes it also paged for - every
    unexplained page of the alert matrix (`cells`), as a line the section could add to
    its Common causes (never cut: each is a gap the on-call met)."""
    from runbook_drill.harness.alerts.matrix import expectations

    sections = {e.alert: e.section for e in expectations(runbook)}
    of = {r.scenario: r.runbook for r in records}
    found: dict[tuple[str, str], Suggestion] = {}
    for cell in sorted(cells, key=lambda c: (c.alert, c.scenario)):
        key = (cell.alert, of.get(cell.scenario, cell.scenario))
        found.setdefault(key, Suggestion(sections[cell.alert], f"{cell.alert} also pages for: {key[1]}", 0,
                                         unexplained=True))
        found[key].seen += 1
        found[key].scenarios.append(cell.scenario)
    return list(found.values())


def suggestions(records: list, runbook: Runbook, unexplained: list = ()) -> list[Suggestion]:
    """Returns every section's suggestions, sections in runbook order; `unexplained`:
    the alert matrix's unexplained pages, each written under its alert's section."""
    by_section: dict[str, list] = {}
    for record in records:
        by_section.setdefault(record.runbook, []).append(record)
    order = {normalized(b.text): b.line for b in runbook.blocks if b.kind == "heading"}
    sections = sorted(by_section, key=lambda s: min((n for h, n in order.items() if h.startswith(normalized(s))),
                                                  default=10**9))
    found = [s for section in sections for s in _for_section(section, by_section[section], runbook)]
    return found + _unexplained(records, runbook, list(unexplained))


def _insert_at(runbook: Runbook, section: str) -> int:
    """Returns the line (0-based index) after which a section's suggestions go: after its
    **Symptoms** paragraph, else at the end of the section."""
    start = next(b.line for b in runbook.blocks if b.kind == "heading"
                 and normalized(b.text).startswith(normalized(section)))
    length = len(runbook.section_text(section).splitlines())
    lines = runbook.lines[start - 1:start - 1 + length]
    for offset, line in enumerate(lines):
        if "symptoms" in line.lower():
            return start - 1 + offset + 1
    while length > 1 and not lines[length - 1].strip():
        length -= 1
    return start - 1 + length


def patch(runbook: Runbook, suggested: list[Suggestion], found: list[Finding], journal_dir: str,
          name: str = "runbook.md") -> str:
    """Returns the unified diff (a/NAME b/NAME) that writes the suggestions and findings
    into the runbook; "" when there is nothing to say."""
    if not suggested and not found:
        return ""
    edited = list(runbook.lines)
    by_place: dict[int, list[str]] = {}
    for suggestion in suggested:
        by_place.setdefault(_insert_at(runbook, suggestion.section), []).append(suggestion.bullet(journal_dir))
    for place in sorted(by_place, reverse=True):  # from the bottom: earlier places keep their index
        edited[place:place] = ["", "**Also seen** (suggested by runbook-drill):", *by_place[place]]
    if found:
        edited += ["", "## Runbook findings (runbook-drill)", "",
                   *[f"- L{f.line}: {f.text} - {f.why}" for f in found]]
    diff = difflib.unified_diff([line + "\n" for line in runbook.lines], [line + "\n" for line in edited],
                                f"a/{name}", f"b/{name}")
    return "".join(diff)
