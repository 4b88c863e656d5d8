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
        if len(line) <= width or line.lstrip().startswith("#") or not line.strip():
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


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")
