"""`drill mutate` end to end on this machine: a mutant is built, the reference build
passes its scenario, the mutant is caught for its documented reason, the matrix says
so (exit 0); an equivalent "mutant" (a comment) survives and fails the matrix (exit 1);
bad input is one line and exit 2 before anything starts; nothing is left behind."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

from runbook_drill.harness.engine.resources import RUN_ID, leftovers
from runbook_drill.harness.mutation import catalog

ROOT = Path(__file__).resolve().parents[2]
DRILL = str(Path(sys.executable).parent / "drill")
EQUIVALENT = """Mutant: comment-only
Violates: claim ready.checks
Caught-by: health-redis-down
Reason: /health/ready fails
Defect: a comment added: the service is the same, so no scenario can catch it.
Way: Readiness checks: none (a comment changes nothing)

--- a/services/user_api/cache.py
+++ b/services/user_api/cache.py
@@ -1,3 +1,4 @@
+# An equivalent change.
 \"\"\"Redis: the read-through user cache, the per-client rate limiter and the cache of
 token introspection answers. Redis failures never fail a request on their own: the
 cache misses, the limiter lets the request through, introspection asks the auth
"""


def _mutate(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([DRILL, "mutate", *args], cwd=cwd, capture_output=True, text=True, timeout=900,
                          stdin=subprocess.DEVNULL)


def _matrix(cwd: Path) -> dict:
    return json.loads((cwd / "reports" / "latest" / "matrix.json").read_text())


def test_a_mutant_is_caught_for_its_reason_and_the_matrix_passes(session, tmp_path):
    done = _mutate(tmp_path, "ready-skips-redis")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    matrix = _matrix(tmp_path)
    assert (matrix["score"], matrix["false_alarms"], matrix["reference"]) == (1.0, [], {"health-redis-down": "passed"})
    cell = matrix["rows"][0]["cells"][0]
    assert cell["outcome"] == "killed"
    assert any("/health/ready fails" in f["check"] for f in cell["failing"])
    assert (tmp_path / "reports" / "latest" / "ready-skips-redis" / "journal" / "health-redis-down.json").exists()
    assert "killed" in (tmp_path / "reports" / "latest" / "matrix.html").read_text()
    assert leftovers(session.client) == leftovers(session.client, RUN_ID)


def test_an_equivalent_mutant_survives_and_the_matrix_fails(session, tmp_path):
    mutants = tmp_path / "mutants"
    mutants.mkdir()
    (mutants / "comment-only.patch").write_text(EQUIVALENT)
    done = _mutate(tmp_path, "--mutants", str(mutants))
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    assert "survivors: comment-only" in done.stdout
    matrix = _matrix(tmp_path)
    assert matrix["survivors"] == ["comment-only"] and matrix["rows"][0]["cells"][0]["outcome"] == "survived"
    assert leftovers(session.client) == leftovers(session.client, RUN_ID)


def test_bad_input_is_one_line_and_exit_2_with_nothing_started(session, tmp_path):
    before = leftovers(session.client)
    unknown = _mutate(tmp_path, "no-such-mutant")
    broken = tmp_path / "broken"
    broken.mkdir()
    shutil.copy(catalog.MUTANTS_DIR / "ready-skips-redis.patch", broken / "ready-skips-redis.patch")
    text = (broken / "ready-skips-redis.patch").read_text()
    (broken / "ready-skips-redis.patch").write_text(text.replace("-        database, redis_check =", "-        database, redis_checks ="))
    stale = _mutate(tmp_path, "--mutants", str(broken))
    for done, message in ((unknown, "no mutant 'no-such-mutant'"), (stale, "does not apply to services/")):
        assert done.returncode == 2 and message in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert leftovers(session.client) == before and not (tmp_path / "reports").exists()
