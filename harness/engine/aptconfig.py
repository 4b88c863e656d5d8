"""Reads the Debian mirror this machine's apt uses, so it is never hard-coded."""

from __future__ import annotations

from pathlib import Path


def _deb822_entries(text: str):
    for paragraph in text.split("\n\n"):
        fields: dict[str, str] = {}
        for line in paragraph.splitlines():
            if line.startswith("#") or ":" not in line or line[:1].isspace():
                continue
            key, _, value = line.partition(":")
            fields[key.strip().lower()] = value.strip()
        if "deb" in fields.get("types", "").split():
            for uri in fields.get("uris", "").split():
                yield uri, fields.get("suites", "").split(), fields.get("components", "").split()


def _one_line_entries(text: str):
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if not words or words[0] != "deb":
            continue
        words = words[1:]
        if words and words[0].startswith("["):
            while words and not words[0].endswith("]"):
                words = words[1:]
            words = words[1:]
        if len(words) >= 3:
            yield words[0], [words[1]], words[2:]


def apt_sources(etc_apt: Path = Path("/etc/apt")):
    """Yields (uri, suites, components) for every `deb` entry of the apt configuration."""
    files = [etc_apt / "sources.list"] + sorted((etc_apt / "sources.list.d").glob("*"))
    for path in files:
        try:
            text = path.read_text()
        except OSError:
            continue
        if path.suffix == ".sources":
            yield from _deb822_entries(text)
        elif path.suffix == ".list":
            yield from _one_line_entries(text)


def debian_mirror(suite: str, etc_apt: Path = Path("/etc/apt")) -> str | None:
    """Returns the first mirror URI that serves `suite` with component main, or None."""
    for uri, suites, components in apt_sources(etc_apt):
        if suite in suites and "main" in components:
            return uri
    return None
