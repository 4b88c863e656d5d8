"""One defect costs one verdict, not the run: a candidate whose pool leaks dry after
statement timeouts (a connection given back on the happy path only, and a pool of 3 so
the timeouts take every one) fails the scenario that causes it; the reset after it
finds replicas that can never become ready again and replaces them, as an orchestrator
restarts a pod; the next scenario still runs and is judged; the run exits 1."""

import json
import subprocess
import sys
from pathlib import Path

from runbook_drill.harness.engine.resources import RUN_ID, leftovers
from runbook_drill.harness.mutation import build, catalog
from runbook_drill.harness.runbook import Runbook

DRILL = str(Path(sys.executable).parent / "drill")


def test_replicas_leaked_dry_are_replaced_and_the_next_scenario_still_runs(session, tmp_path):
    mutant = next(m for m in catalog.load(Runbook()) if m.id == "leak-on-query-failure")
    image, _ = build.build(session.images, mutant)
    done = subprocess.run([DRILL, "run", "errors-query-timeouts", "errors-invalid-tokens", "--user-api-image", image,
                           "--user-api-env", "DB_POOL_MAX=3", "--user-api-env", "DB_POOL_MIN=1"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    journals = tmp_path / "reports" / "latest" / "journal"
    leaked = json.loads((journals / "errors-query-timeouts.json").read_text())
    after = json.loads((journals / "errors-invalid-tokens.json").read_text())
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    assert leaked["status"] == "failed", leaked["error"]
    assert after["status"] in ("passed", "failed"), after["error"]  # judged, not lost to a harness error
    replaced = next(a for a in after["activities"] if a["name"] == "reset replaced unready replicas")
    assert replaced["output"]["replaced"], replaced
    assert leftovers(session.client) == leftovers(session.client, RUN_ID)
