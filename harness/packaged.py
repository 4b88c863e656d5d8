"""What the tool carries besides its code: image recipes, the reference services'
sources, the default runbook, the compose project, the mutants and the examples.

They live in the repository's own folders; harness/assets/ links to them, and a wheel
carries copies in their place, so a clone and an installed tool read them the same way.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def asset(*parts: str) -> Path:
    """Returns the real path of a carried file or folder (e.g. asset("images")): symlinks
    resolved, so a Docker build context is the folder itself. Raises nothing: whether it
    exists is the caller's question."""
    return Path(str(files(__package__).joinpath("assets", *parts))).resolve()
