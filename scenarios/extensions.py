"""A team's own scenarios, faults and checks, added to the built-in suite from its
repository (`--scenarios PATH`, the `scenarios` setting) or from an installed
distribution (entry points):

- a `*.toml` file is one declarative scenario (scenarios/declared.py);
- a `*.py` file is a module written on the public API: importing it may register fault
  kinds (`register_fault`) and checks (`register_check`); a function
  `scenarios(oracle) -> list[Scenario]` in it adds scenarios;
- a directory is every such file in it, sorted by name (not below; `_*` left out);
- entry points of the group `runbook_drill.scenarios` name such a module (or its
  `scenarios` function), `runbook_drill.faults` a Fault class, `runbook_drill.checks` a
  check factory (registered under the entry point's name).

Modules and entry points load first (what they register, the files may name), each
module once per process. Every error is one line naming the file (and line) - a bad
file, a scenario id that is already one, a line not in the runbook: ConfigError,
exit 2, nothing started."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Callable, Iterable

from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.runbook import RunbookError
from runbook_drill.harness.run.scenario import Scenario
from runbook_drill.scenarios.common import Oracle

GROUPS = {"scenarios": "runbook_drill.scenarios", "faults": "runbook_drill.faults", "checks": "runbook_drill.checks"}
_LOADED: dict[Path, ModuleType] = {}


@dataclass
class Additions:
    """What a team adds: scenario builders (each with where it came from) and the
    declarative files, parsed."""

    builders: list[tuple[str, Callable[[Oracle], list[Scenario]]]] = field(default_factory=list)
    files: list = field(default_factory=list)  # declared.Declared


def files_of(paths: Iterable[Path]) -> list[Path]:
    """Returns the scenario files the paths name (a directory: its *.toml and *.py,
    sorted); raises ConfigError for a path that does not exist or is neither."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in (".toml", ".py") and p.is_file()
                                and not p.name.startswith("_")))
        elif path.is_file() and path.suffix in (".toml", ".py"):
            found.append(path)
        elif path.exists():
            raise ConfigError(f"--scenarios {path}: not a .toml or .py file, nor a directory of them")
        else:
            raise ConfigError(f"--scenarios {path}: no such file or directory")
    return found


def load(paths: Iterable[Path], with_entry_points: bool = True) -> Additions:
    """Returns what the paths (and the installed entry points) add: modules imported
    (their faults and checks registered), declarative files parsed. Raises ConfigError
    (every error one line) for a module that fails to import or a malformed file."""
    from runbook_drill.scenarios import declared

    files, additions, errors = files_of(paths), Additions(), []
    if with_entry_points:
        additions.builders.extend(_entry_points(errors))
    for path in (p for p in files if p.suffix == ".py"):
        module = _import(path, errors)
        if module is not None and callable(getattr(module, "scenarios", None)):
            additions.builders.append((str(path), module.scenarios))
    additions.files = [declared.parse(p) for p in files if p.suffix == ".toml"]
    if errors:
        raise declared.DeclaredError(errors)
    return additions


def _module_name(path: Path) -> str:
    """Returns the name a team file is imported under: stable for its path, so a file
    loaded again (a second build in one process) is the same module."""
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:10]
    return f"runbook_drill_team_{path.stem.replace('-', '_')}_{digest}"


def _import(path: Path, errors: list[str]) -> ModuleType | None:
    """Imports a team module once per process; records an error and returns None when
    it cannot be imported (its exception named, with the line it raised at)."""
    resolved = path.resolve()
    if resolved in _LOADED:
        return _LOADED[resolved]
    name = _module_name(path)
    spec = importlib.util.spec_from_file_location(name, resolved)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # a team's code: whatever it raised is reported, not re-raised
        del sys.modules[name]
        errors.append(f"{path}:{_raised_at(exc, resolved)}: cannot import: {type(exc).__name__}: {exc}".rstrip())
        return None
    _LOADED[resolved] = module
    return module


def _raised_at(exc: BaseException, path: Path) -> int:
    """Returns the line of `path` the exception was raised at (a syntax error's own)."""
    if isinstance(exc, SyntaxError) and exc.lineno:
        return exc.lineno
    line, trace = 1, exc.__traceback__
    while trace is not None:
        if Path(trace.tb_frame.f_code.co_filename) == path:
            line = trace.tb_lineno
        trace = trace.tb_next
    return line


def _entry_points(errors: list[str]) -> list[tuple[str, Callable]]:
    """Loads the installed distributions' additions; returns their scenario builders."""
    from runbook_drill.harness.checks.catalogue import register_check
    from runbook_drill.harness.faults import register

    builders = []
    for kind, group in GROUPS.items():
        for point in entry_points(group=group):
            where = f"entry point {point.name} = {point.value} ({group})"
            try:
                loaded = point.load()
                if kind == "faults":
                    register(loaded)
                elif kind == "checks":
                    register_check(loaded, name=point.name)
                else:
                    builders.append((where, getattr(loaded, "scenarios", loaded)))
            except Exception as exc:  # an installed package's code: reported as one line
                errors.append(f"{where}: cannot load: {type(exc).__name__}: {exc}")
    return builders


def built(additions: Additions, oracle: Oracle, taken: dict[str, str]) -> list[Scenario]:
    """Returns the team's scenarios built on the runbook, after the built-in ones whose
    ids `taken` holds (id -> where from). Raises DeclaredError, every error one line:
    a line not in the runbook, an id already taken, a bad file."""
    from runbook_drill.scenarios import declared

    errors, made = [], []
    for where, builder in additions.builders:
        for scenario in _called(where, builder, oracle, errors):
            if _unique(scenario.id, where, taken, errors):
                scenario.origin = scenario.origin if scenario.origin != "built-in" else where
                made.append(scenario)
    for file in additions.files:
        scenario = declared.build(file, oracle)
        if scenario is not None and not _unique(scenario.id, str(file.path), taken, errors, file):
            scenario = None
        errors.extend(file.errors)
        made.extend([scenario] if scenario is not None else [])
    if errors:
        raise declared.DeclaredError(errors)
    return made


def _called(where: str, builder: Callable, oracle: Oracle, errors: list[str]) -> list[Scenario]:
    """Returns builder(oracle); a line not in the runbook or anything the team's code
    raised is recorded as one line, and nothing is returned."""
    try:
        scenarios = list(builder(oracle))
    except RunbookError as exc:
        errors.append(f"{where}: not a line of the runbook: {str(exc).split(': ', 1)[-1]}")
        return []
    except Exception as exc:  # a team's code
        errors.append(f"{where}: scenarios() raised {type(exc).__name__}: {exc}")
        return []
    wrong = [s for s in scenarios if not isinstance(s, Scenario)]
    if wrong:
        errors.append(f"{where}: scenarios() must return Scenario objects, got {type(wrong[0]).__name__}")
        return []
    return scenarios


def _unique(scenario_id: str, where: str, taken: dict[str, str], errors: list[str], file=None) -> bool:
    """Records the id as taken; False (an error recorded) when it already was."""
    if scenario_id in taken:
        message = f"scenario id {scenario_id!r} is already one ({taken[scenario_id]})"
        if file is not None:
            file.error(("id",), message)
        else:
            errors.append(f"{where}: {message}")
        return False
    taken[scenario_id] = where
    return True
