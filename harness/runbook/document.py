"""The runbook as a Markdown document: a CommonMark parse (markdown-it-py) into blocks -
headings, paragraphs, list items and code lines - each with its plain text and the lines
of the file as written that it spans, and the headings it stands under.

Plain text is what a reader sees: emphasis, code-span backticks, link targets and line
wrapping are gone (a soft break is a space), whitespace collapsed. Any heading depth,
setext headings, any list marker (`-`, `*`, `+`, numbered), CRLF and trailing spaces
read the same; a fenced or indented code block is one block per non-empty line, since a
command is a line."""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it import MarkdownIt

HEADING, PARAGRAPH, ITEM, CODE = "heading", "paragraph", "item", "code"
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
    found: list[Block] = []
    headings: list[tuple[int, str]] = []  # (level, plain text) of the headings open here
    containers: list = []  # the tokens open around the current one
    for token in _PARSER.parse(text.replace("\r\n", "\n").replace("\r", "\n")):
        if token.nesting == 1:
            containers.append(token)
        elif token.nesting == -1:
            containers.pop()
        elif token.type == "inline" and token.map:
            kind, plain = _kind(containers), _plain(token)
            if kind == HEADING:
                level = int(containers[-1].tag[1:])  # h1..h6
                headings = [h for h in headings if h[0] < level] + [(level, plain)]
            found.append(Block(kind, plain, token.map[0] + 1, token.map[1], tuple(h for _, h in headings)))
        elif token.type in ("fence", "code_block") and token.map:
            found += _code_lines(token, tuple(h for _, h in headings))
    return found


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

