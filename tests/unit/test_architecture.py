"""The house rules, read from the source: layers point one way (drill -> scenarios ->
load -> harness, and inside harness in data-flow order), no import circle (imports
inside functions count: they hold a circle together as well as top-level ones), no
module imports another module's private names, and no source file grows past ~400
lines."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("drill", "scenarios", "load", "harness")  # highest first
NAMESPACE = "runbook_drill"  # drill/ is the package runbook_drill; the others are its subpackages
# Inside harness, lowest first: a module may import its own rank or below.
HARNESS_RANKS = {
    "errors": 0, "polling": 0, "settings": 0, "progress": 0, "signals": 0, "packaged": 0,
    "runbook": 1, "engine": 2, "observe": 3, "alerts": 4, "stack": 5, "faults": 6, "checks": 7, "run": 8, "contract": 8,
    "mutation": 9, "report": 10, "export": 10,
}
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """Returns (module, names imported from it) for every import statement of the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def _folder_name(name: str) -> str:
    """Returns the folder-relative name of an imported name: runbook_drill.harness.x is
    harness/x, runbook_drill.x (the top package) is drill/x."""
    head, _, rest = name.partition(".")
    if head != NAMESPACE:
        return name
    if rest.split(".")[0] in PACKAGES[1:]:
        return rest
    return f"drill.{rest}" if rest else "drill"


def _internal(name: str) -> str | None:
    """Returns the project module `name` resolves to (its package for a name inside one)."""
    name = _folder_name(name)
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        for target, names in _imports(path):
            resolved = [_internal(f"{target}.{n}") for n in names] or [_internal(target)]
            edges.setdefault(module, set()).update(r for r in resolved if r and r != module)
    return edges


def _rank(module: str) -> tuple[int, int]:
    top = module.split(".")[0]
    sub = module.split(".")[1] if "." in module else ""
    return len(PACKAGES) - PACKAGES.index(top), HARNESS_RANKS.get(sub, 0) if top == "harness" else 0


def _is_package_init(module: str, target: str) -> bool:
    """A package's __init__ re-exports its own modules: that is not a circle's edge."""
    return MODULES[module].name == "__init__.py" and target.startswith(module + ".")


def test_the_import_graph_is_read_from_the_namespace():
    # Guards the other rules against reading nothing: the CLI imports the layers below it.
    assert {"harness.errors", "scenarios"} <= _edges()["drill.cli"] | _edges()["drill.runs"]


def test_no_module_imports_a_higher_layer():
    upward = [f"{m} -> {t}" for m, targets in _edges().items() for t in targets if _rank(t) > _rank(m)]
    assert upward == []


def test_the_import_graph_has_no_circle():
    edges = {m: {t for t in ts if not _is_package_init(m, t)} for m, ts in _edges().items()}
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> list[str] | None:
        state[module] = "open"
        for target in sorted(edges.get(module, ())):
            if state.get(target) == "open":
                return path + [module, target]
            if target not in state and (found := visit(target, path + [module])):
                return found
        state[module] = "done"
        return None

    circles = [found for m in sorted(MODULES) if m not in state and (found := visit(m, []))]
    assert circles == []


def test_no_module_imports_another_modules_private_names():
    private = [f"{module}: from {target} import {name}" for module, path in MODULES.items()
               for target, names in _imports(path) if _internal(target) and _internal(target) != module
               for name in names if name.startswith("_") and not name.startswith("__")]
    assert private == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_source_file_is_over_the_limit(module):
    assert len(MODULES[module].read_text().splitlines()) <= MAX_LINES


def test_the_benchmarks_import_nothing_from_the_tests():
    # bench/ runs without the test tree; what both use (loopback peers, a second engine) is bench's.
    found = [f"{path.name} -> {module}" for path in sorted((ROOT / "bench").rglob("*.py"))
             for module, _ in _imports(path) if module.split(".")[0] == "tests"]
    assert found == []


def test_the_installed_package_holds_no_test_support():
    # What only tests use lives in tests/support/ or bench/, never in the wheel.
    names = {path.stem for package in PACKAGES for path in (ROOT / package).rglob("*.py")}
    assert not names & {"loopback", "conftest", "fakes", "second_engine"}
