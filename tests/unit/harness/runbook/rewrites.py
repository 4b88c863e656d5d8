"""Meaning-preserving rewrites of a Markdown runbook, as formatters and wikis make them:
each takes the text (LF line endings) and returns it laid out differently, saying the
same things. Fenced code is left as it is, as every formatter leaves it."""

from __future__ import annotations

import re
from typing import Callable

FENCE = re.compile(r"^\s*(```|~~~)")
ITEM = re.compile(r"^(\s*)([-*+]|\d+[.)])(\s+)(.*)$")
BLOCK_START = re.compile(r"^([-*+>#=|<`~]|\d+[.)])")  # a line starting so would open a new block


def outside_fences(text: str, change: Callable[[str], str]) -> str:
    """Returns `text` with `change` applied to every line outside fenced code."""
    out, fenced = [], False
    for line in text.split("\n"):
        if FENCE.match(line):
            fenced = not fenced
            out.append(line)
        else:
            out.append(line if fenced else change(line))
    return "\n".join(out)


def bullets(text: str, marker: str, numbered: str) -> str:
    """Every `-` bullet written with `marker`; every `1.` item with `numbered` (. or ))."""
    def change(line: str) -> str:
        match = ITEM.match(line)
        if not match:
            return line
        indent, mark, space, rest = match.groups()
        mark = marker if mark == "-" else re.sub(r"[.)]$", numbered, mark)
        return f"{indent}{mark}{space}{rest}"
    return outside_fences(text, change)


def headings(text: str, deeper: int) -> str:
    """Every ATX heading `deeper` levels deeper (as pasted under a wiki page's title)."""
    return outside_fences(text, lambda line: re.sub(r"^(#{1,6})(?=\s)", lambda m: m.group(1) + "#" * deeper, line))


def emphasis(text: str, style: str) -> str:
    """Bold written `__x__` (underscore), dropped with code spans too (plain), moved
    inside the colon (inside), or added to every label of a list item (added)."""
    def change(line: str) -> str:
        if style == "underscore":
            return re.sub(r"\*\*(.+?)\*\*", r"__\1__", line)
        if style == "plain":
            return re.sub(r"`([^`]+)`", r"\1", re.sub(r"\*\*(.+?)\*\*", r"\1", line))
        if style == "inside":
            return re.sub(r"\*\*(.+?)\*\*:", r"**\1:**", line)
        if style == "added" and "**" not in line:
            return re.sub(r"^(\s*(?:[-*+]|\d+[.)])\s+)([A-Z][A-Za-z -]*?):", r"\1**\2**:", line)
        return line
    return outside_fences(text, change)


def rewrapped(text: str, width: int) -> str:
    """Paragraphs and list items wrapped at `width`, continuation lines indented under
    the item's text; never a line that would start a new block."""
    def change(line: str) -> str:
        if len(line) <= width or line.lstrip()[:1] in ("#", "|") or not line.strip():
            return line
        match = ITEM.match(line)
        lead = match.group(1) + match.group(2) + match.group(3) if match else re.match(r"\s*", line).group(0)
        return _wrap(line[len(lead):], width, lead, " " * len(lead))
    return outside_fences(text, change)


def _wrap(words_text: str, width: int, first: str, rest: str) -> str:
    lines, current, empty = [], first, True
    for word in words_text.split(" "):
        if empty or len(current) + 1 + len(word) <= width or BLOCK_START.match(word):
            current, empty = (current + word if empty else f"{current} {word}"), False
        else:
            lines.append(current)
            current = rest + word
    return "\n".join(lines + [current])


def reordered(text: str, order: list[int]) -> str:
    """The `## ` sections (after the title's) in `order` (a permutation of their count)."""
    parts = re.split(r"(?m)^(?=## )", text)
    head, sections = parts[0], parts[1:]
    sections = [s if s.endswith("\n\n") else s.rstrip("\n") + "\n\n" for s in sections]
    return head + "".join(sections[i] for i in order)


def section_count(text: str) -> int:
    return len(re.findall(r"(?m)^## ", text))


def trailing_spaces(text: str, every: int) -> str:
    """One to three spaces added at the end of every `every`-th line."""
    return "\n".join(line + " " * (1 + i % 3) if i % every == 0 else line for i, line in enumerate(text.split("\n")))


# The lists a team may write as a table, by the heading they stand under.
TABLE_SECTIONS = ("Liveness Probe", "Readiness Probe", "Dependencies", "Metrics to Monitor", "Escalation Path",
                  "Recent Incidents")
HEADING_LINE = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")


def tables(text: str, sections: tuple[str, ...], split_notes: bool) -> str:
    """The top-level lists under `sections` written as GFM tables: a header row, then a row
    per item with the item's parts as cells ("label: rest", "a - b"); a numbered item
    keeps its number in a first column; with `split_notes`, a closing "(note)" is a cell
    of its own ("Platform Team | auto-paged")."""
    out, heading, run = [], "", []
    for line in text.split("\n") + [""]:
        match = ITEM.match(line)
        if match and not match.group(1) and heading.startswith(sections):
            run.append(match)
            continue
        out += _table(run, split_notes)
        run = []
        found = HEADING_LINE.match(line)
        heading = re.sub(r"[*_`]", "", found.group(1)) if found else heading
        out.append(line)
    return "\n".join(out[:-1])


def _table(items: list[re.Match], split_notes: bool) -> list[str]:
    if not items:
        return []
    rows = [_cells(m.group(4), split_notes) for m in items]
    if items[0].group(2)[0].isdigit():
        rows = [[m.group(2).rstrip(".)")] + row for m, row in zip(items, rows)]
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    header = ["Column " + str(i + 1) for i in range(width)]
    return [_row(header), _row(["---"] * width)] + [_row(row) for row in rows]


def _cells(item: str, split_notes: bool) -> list[str]:
    cells = [c.strip() for c in re.split(r"(?<=\S):\s+| [-–—] ", item, maxsplit=2) if c.strip()]
    note = re.match(r"^(.*\S)\s+\(([^()]+)\)$", cells[-1]) if split_notes else None
    return cells[:-1] + [note.group(1), note.group(2)] if note else cells


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


# Each quantity's spelling in the project's runbook, and others meaning the same.
UNIT_SPELLINGS = {
    "(p99 >500ms)": ["(p99 >500ms)", "(p99 >0.5s)", "(p99 > 500 ms)", "(p99 over 0.5 seconds)",
                     "(p99 above 500 milliseconds)", "(P99 latency more than 500 msec)"],
    "(>1%)": ["(>1%)", "(> 1 %)", "(over 1 percent)", "(more than 1%)", "(above 1.0 %)", "(>1 per cent)"],
    "resolve in 5 minutes": ["resolve in 5 minutes", "resolve in 5 min", "resolve in 300 seconds",
                             "resolve within 5 minutes", "resolve in 300s", "resolve in 5m"],
    "if >30min": ["if >30min", "if over 30 minutes", "if >0.5h", "if more than 30 mins", "if >1800s"],
    "customer-impacting >1hr": ["customer-impacting >1hr", "customer-impacting over 1 hour",
                                "customer-impacting >60 minutes", "customer-impacting >1h"],
}


def units(text: str, choice: dict[str, int]) -> str:
    """Each quantity of UNIT_SPELLINGS written in its `choice[original]`-th spelling."""
    for original, spellings in UNIT_SPELLINGS.items():
        text = text.replace(original, spellings[choice.get(original, 0) % len(spellings)])
    return text


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")
