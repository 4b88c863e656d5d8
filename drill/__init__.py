"""runbook-drill: a chaos suite that proves an on-call runbook true.

The public API - what the `drill` command is written on, and what a team builds on - is
the names below, imported on first use (`from runbook_drill import Scenario, checks`):
importing the package itself loads nothing heavy, so the load generator's processes and
a pytest plugin stay light. docs/reference/api.md says what each is.

The layers are this package's subpackages, one way down: the commands (this package's
own modules) -> scenarios -> load -> harness; nothing below imports the CLI.
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> (module, attribute); None: the module itself
PUBLIC = {
    "RunOptions": ("runbook_drill.options", "RunOptions"),
    "Settings": ("runbook_drill.harness.settings", "Settings"),
    "load_settings": ("runbook_drill.harness.settings", "load_settings"),
    "Runbook": ("runbook_drill.harness.runbook", "Runbook"),
    "RunbookError": ("runbook_drill.harness.runbook", "RunbookError"),
    "Scenario": ("runbook_drill.harness.run.scenario", "Scenario"),
    "build_scenarios": ("runbook_drill.scenarios", "build"),
    "select_scenarios": ("runbook_drill.scenarios", "select"),
    "Oracle": ("runbook_drill.scenarios.common", "Oracle"),
    "suite_load": ("runbook_drill.scenarios.common", "suite_load"),
    "Fault": ("runbook_drill.harness.faults", "Fault"),
    "FaultNotApplied": ("runbook_drill.harness.faults", "FaultNotApplied"),
    "register_fault": ("runbook_drill.harness.faults", "register"),
    "make_fault": ("runbook_drill.harness.faults", "make"),
    "FAULTS": ("runbook_drill.harness.faults", "REGISTRY"),
    "checks": ("runbook_drill.harness.checks", None),
    "Check": ("runbook_drill.harness.checks", "Check"),
    "Verdict": ("runbook_drill.harness.checks", "Verdict"),
    "register_check": ("runbook_drill.harness.checks.catalogue", "register_check"),
    "check_catalogue": ("runbook_drill.harness.checks.catalogue", "catalogue"),
    "History": ("runbook_drill.harness.observe.history", "History"),
    "Window": ("runbook_drill.harness.observe.history", "Window"),
    "ScenarioRecord": ("runbook_drill.harness.run.journal", "ScenarioRecord"),
    "read_journal": ("runbook_drill.harness.run.journal", "read"),
    "JournalError": ("runbook_drill.harness.run.journal", "JournalError"),
    "Stack": ("runbook_drill.harness.stack", "Stack"),
    "StackConfig": ("runbook_drill.harness.stack", "StackConfig"),
    "ProxyClient": ("runbook_drill.harness.stack.proxies", "ProxyClient"),
    "DrillError": ("runbook_drill.harness.errors", "DrillError"),
    "ConfigError": ("runbook_drill.harness.errors", "ConfigError"),
    "HarnessError": ("runbook_drill.harness.errors", "HarnessError"),
}
__all__ = sorted(PUBLIC)


def __getattr__(name: str) -> Any:
    """Returns a public name, importing its module on first use; raises AttributeError
    for any other."""
    if name not in PUBLIC:
        raise AttributeError(f"module 'runbook_drill' has no attribute {name!r}")
    module, attribute = PUBLIC[name]
    found = importlib.import_module(module)
    return found if attribute is None else getattr(found, attribute)
