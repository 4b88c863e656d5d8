"""The runbook as a Markdown document: a CommonMark parse (markdown-it-py) into blocks -
headings, paragraphs, list items and code lines - each with its plain text and the lines
of the file as written that it spans, and the headings it stands under.

Plain text is what a reader sees: emphasis, code-span backticks, link targets and line
wrapping are gone (a soft break is a space), whitespace collapsed. Any heading depth,
setext headings, any list marker (`-`, `*`, `+`, numbered), CRLF and trailing spaces
read the same; a fenced or indented code block is one block per non-empty line, since a
command is a line. A GFM table's body row is one block (ROW) whose text is its cells in
order joined by " - " - `| http_requests_total | Total requests |` reads as the list item
`http_requests_total - Total requests` - with a leading numbering cell (`1`, `2.`) and
empty cells left out; the header row names columns and is structure."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt

HEADING, PARAGRAPH, ITEM, ROW, CODE = "heading", "paragraph", "item", "row", "code"
_PARSER = MarkdownIt("commonmark").enable("table")


@dataclass(frozen=True)
class Block:
    """One readable unit: its kind, plain text, first and last line (1-based, inclusive)
    and the headings above it, outermost first (a heading's own path ends with itself)."""

    kind: str
    text: str
    line: int
    end: int
    path: tuple[str, ...]

    @property
    def section(self) -> str:
        """The innermost heading the block stands under ("" before the first one)."""
        return self.path[-1] if self.path else ""

    def under(self, section: str) -> bool:
        """True when some heading above the block (or the block itself) starts with
        `section`, case and spacing aside."""
        wanted = normalized(section)
        return any(normalized(heading).startswith(wanted) for heading in self.path)


def normalized(text: str) -> str:
    """Returns `text` lower-cased with runs of whitespace as one space (for matching)."""
    return " ".join(text.split()).lower()


def source_lines(text: str) -> list[str]:
    """Returns the file's lines as written, whatever its line endings (CRLF, CR, LF)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def blocks(text: str) -> list[Block]:
    """Returns the document's blocks in reading order."""
    reader = _Reader()
    for token in _PARSER.parse(text.replace("\r\n", "\n").replace("\r", "\n")):
        reader.read(token)
    return reader.found


class _Reader:
    """Turns the parser's token stream into Blocks, keeping track of the headings and
    containers open at each token and of the cells of the table row being read."""

    def __init__(self) -> None:
        self.found: list[Block] = []
        self.headings: list[tuple[int, str]] = []  # (level, plain text) of the headings open here
        self.containers: list = []  # the tokens open around the current one
        self.cells: list[str] | None = None  # the row being read, if any

    def read(self, token) -> None:
        if token.nesting == 1:
            self.containers.append(token)
            self.cells = [] if token.type == "tr_open" else self.cells
        elif token.nesting == -1:
            self._closed(self.containers.pop())
        elif token.type == "inline" and token.map:
            self._inline(token)
        elif token.type in ("fence", "code_block") and token.map:
            self.found += _code_lines(token, self._path())

    def _path(self) -> tuple[str, ...]:
        return tuple(h for _, h in self.headings)

    def _inline(self, token) -> None:
        plain = _plain(token)
        if self.cells is not None:
            self.cells.append(plain)
            return
        kind = _kind(self.containers)
        if kind == HEADING:
            level = int(self.containers[-1].tag[1:])  # h1..h6
            self.headings = [h for h in self.headings if h[0] < level] + [(level, plain)]
        self.found.append(Block(kind, plain, token.map[0] + 1, token.map[1], self._path()))

    def _closed(self, opened) -> None:
        if opened.type != "tr_open":
            return
        text = _row_text(self.cells or [])
        if text and opened.map and any(t.type == "tbody_open" for t in self.containers):
            self.found.append(Block(ROW, text, opened.map[0] + 1, opened.map[1], self._path()))
        self.cells = None


def _row_text(cells: list[str]) -> str:
    """Returns a body row's text: its cells joined by " - ", empty ones and a leading
    numbering cell (a step's or a level's number) left out."""
    kept = [cell for cell in cells if cell]
    if len(kept) > 1 and re.fullmatch(r"#?\d+[.)]?", kept[0]):
        kept = kept[1:]
    return " - ".join(kept)


def _kind(containers: list) -> str:
    if containers and containers[-1].type == "heading_open":
        return HEADING
    return ITEM if any(t.type == "list_item_open" for t in containers) else PARAGRAPH


def _plain(token) -> str:
    """Returns an inline token's text as read: markup dropped, breaks as spaces."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return " ".join("".join(parts).split())


def _code_lines(token, path: tuple[str, ...]) -> list[Block]:
    first = token.map[0] + (2 if token.type == "fence" else 1)
    return [Block(CODE, " ".join(line.split()), first + i, first + i, path)
            for i, line in enumerate(token.content.split("\n")) if line.strip()]


def closest(candidates: list[Block], wanted: str) -> Block | None:
    """Returns the block whose text is most like `wanted` (None when there is none)."""
    import difflib

    scored = [(difflib.SequenceMatcher(None, normalized(b.text), normalized(wanted)).ratio(), -b.line, b)
              for b in candidates]
    return max(scored, key=lambda s: s[:2])[2] if scored else None

