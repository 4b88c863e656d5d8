"""A run for the interruption tests: starts a stack, runs a scenario whose fault
window is long, prints "injected" once the fault is on, and is meant to be stopped
with SIGTERM or SIGINT meanwhile. It prints "clean exit" if it unwound normally, and
exits 130 after Ctrl-C, 143 after SIGTERM, as `drill` does."""

import sys
from pathlib import Path

from runbook_drill.harness import checks as c
from runbook_drill.harness import signals
from runbook_drill.harness.faults import make
from runbook_drill.harness.run.runner import run_scenario
from runbook_drill.harness.run.scenario import Scenario
from runbook_drill.harness.engine.session import begin
from runbook_drill.harness.settings import load_settings
from runbook_drill.harness.stack import Stack, StackConfig


class AnnouncingFault:
    def __init__(self):
        self.inner = make("dependency_latency", dependency="postgres", latency_ms=100)
        self.kind, self.evidence = self.inner.kind, {}

    def inject(self, stack):
        self.evidence = self.inner.inject(stack)
        print("injected", flush=True)
        return self.evidence

    def heal(self, stack):
        self.inner.heal(stack)
        print("healed", flush=True)

    def describe(self):
        return self.inner.describe()


def main() -> int:
    signals.install()
    session = begin(load_settings())
    with Stack(session, StackConfig(replicas=1)) as stack:
        print("stack up", flush=True)
        scenario = Scenario(id="interrupted", runbook="-", fault=AnnouncingFault, load=None,
                            during=[c.error_rate("fault", above=0.5)], steady_s=0.1, fault_s=120, recovery_s=0.1)
        run_scenario(stack, scenario, Path(sys.argv[1]))
    print("clean exit", flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        sys.exit(signals.exit_code())
