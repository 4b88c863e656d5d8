"""The Go User API (examples/go-user-api) through the suite: one scenario of every
runbook section, driven by its profile - its own variable names, port 9000, plain-text
logs, its own tables and UUID ids. The whole suite against it is measured in the note
of the issue that brought it (`drill run --user-api-image ... --profile ...`)."""

import subprocess
import sys
from pathlib import Path

from runbook_drill.harness.contract.lines import LINES
from runbook_drill.harness.engine.recipes import EXAMPLES, EXAMPLES_DIR

ROOT = Path(__file__).resolve().parents[2]
ONE_PER_SECTION = ["health-redis-down", "down-escalation-slow-database", "errors-query-timeouts",
                   "latency-cache-misses", "db-refused", "auth-clock-skew", "memory-oom-restarts",
                   "metrics-contract", "incident-pool-exhaustion"]


def test_one_scenario_of_every_runbook_section_passes_against_the_go_user_api(session, tmp_path):
    from runbook_drill import scenarios
    from runbook_drill.harness.runbook import Runbook

    by_id = {s.id: s.runbook for s in scenarios.build(Runbook())}
    assert {by_id[i] for i in ONE_PER_SECTION} == set(by_id.values())  # every section has its scenario here
    image = session.images.resolve_spec(EXAMPLES["go-user-api"]).ref
    junit = tmp_path / "junit.xml"
    done = subprocess.run([sys.executable, "-m", "runbook_drill", "run", *ONE_PER_SECTION, "--user-api-image", image,
                           "--profile", str(EXAMPLES_DIR / "go-user-api" / "profile.toml"), "--junit", str(junit)],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]
    assert f"all {sum(line.preflight for line in LINES)} pre-flight lines met" in done.stdout
    assert f"suite: {len(ONE_PER_SECTION)} passed" in done.stdout
