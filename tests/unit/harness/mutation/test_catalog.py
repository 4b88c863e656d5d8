"""The mutant catalogue: every patch in mutants/ parses, names a runbook line and real
scenarios, and applies to the services as they are; a bad patch file is one line."""

from pathlib import Path

import pytest

from runbook_drill import scenarios
from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.mutation import build, catalog
from runbook_drill.harness.runbook import RUNBOOK, Runbook

RUNBOOK_ = Runbook(RUNBOOK)
SCENARIOS = {s.id for s in scenarios.build(RUNBOOK_)}
GOOD = """Mutant: {id}
Violates: claim ready.checks
Caught-by: health-redis-down
Reason: /health/ready answers 503
Defect: readiness checks only the database,
  as a long line continued.
Way: Readiness checks: the Redis check dropped

--- a/services/user_api/app.py
+++ b/services/user_api/app.py
@@ -1 +1 @@
-x
+y
"""


def _write(tmp_path: Path, text: str, name: str = "m1") -> Path:
    path = tmp_path / f"{name}.patch"
    path.write_text(text)
    return path


def test_every_mutant_in_the_repository_parses_and_names_known_scenarios():
    mutants = catalog.load(RUNBOOK_, known_scenarios=SCENARIOS)
    assert len(mutants) >= 25 and len({m.id for m in mutants}) == len(mutants)
    assert all(m.line.startswith("L") and m.caught_by for m in mutants)


@pytest.mark.parametrize("mutant", catalog.load(RUNBOOK_), ids=lambda m: m.id)
def test_every_mutant_applies_to_the_services_as_they_are(mutant, tmp_path):
    tree = build.patched_tree(mutant, tmp_path)
    assert (tree / "services" / "user_api" / "app.py").exists()


def test_the_machine_checkable_claims_each_have_a_mutant_or_a_stated_reason():
    violated = {m.violates.removeprefix("claim ") for m in catalog.load(RUNBOOK_)}
    unmutated = set(RUNBOOK_.claims) - violated
    readme = (catalog.MUTANTS_DIR / "README.md").read_text()
    assert [c for c in sorted(unmutated) if f"`{c}`" not in readme] == []


def test_a_header_is_parsed_with_continuation_lines(tmp_path):
    mutant = catalog.parse(_write(tmp_path, GOOD.format(id="m1")), RUNBOOK_)
    assert mutant.defect == "readiness checks only the database, as a long line continued."
    assert mutant.line.startswith("L118: - Checks: Database connectivity")
    assert mutant.caught_for_reason(["replica-* /health/ready answers 503 (>= 95% of probes)"])
    assert not mutant.caught_for_reason(["error rate < 1.0%"])


@pytest.mark.parametrize("change, message", [
    (lambda t: t.replace("Mutant: m1", "Mutant: other"), "is not the file's name"),
    (lambda t: t.replace("Caught-by: health-redis-down\n", ""), "header has no Caught-by"),
    (lambda t: t.replace("claim ready.checks", "claim no.such"), "no claim 'no.such'"),
    (lambda t: t.replace("claim ready.checks", "Health Checks | no such words"), "no longer mentions"),
    (lambda t: t.replace("Reason: /health/ready answers 503", "Reason: (unclosed"), "not a regular expression"),
    (lambda t: t.replace("\n\n---", "\n---"), "a header, a blank line, then a unified diff"),
    (lambda t: t.replace("Defect:", "Effect:"), "is not one of"),
    (lambda t: t.replace("Way: Readiness checks: the Redis check dropped\n", ""), "header has no Way"),
])
def test_a_bad_patch_file_is_one_line_naming_the_file(tmp_path, change, message):
    path = _write(tmp_path, change(GOOD.format(id="m1")))
    with pytest.raises(ConfigError) as err:
        catalog.parse(path, RUNBOOK_)
    assert message in str(err.value) and str(path) in str(err.value) and "\n" not in str(err.value)


def test_a_caught_by_scenario_that_does_not_exist_is_refused(tmp_path):
    _write(tmp_path, GOOD.format(id="m1").replace("health-redis-down", "health-nope"))
    with pytest.raises(ConfigError, match="'health-nope', which is no scenario"):
        catalog.load(RUNBOOK_, tmp_path, SCENARIOS)


def test_an_unknown_mutant_id_is_refused_with_the_known_ones():
    with pytest.raises(ConfigError, match="no mutant 'nope'; known: .*ready-skips-redis"):
        catalog.choose(catalog.load(RUNBOOK_), ["nope"])


def test_a_patch_that_no_longer_applies_says_so_in_one_line(tmp_path):
    path = _write(tmp_path, GOOD.format(id="m1"))
    mutant = catalog.parse(path, RUNBOOK_)
    with pytest.raises(ConfigError) as err:
        build.patched_tree(mutant, tmp_path / "tree")
    assert "mutant m1 does not apply to services/" in str(err.value) and "\n" not in str(err.value)


def test_the_patch_digest_changes_with_the_patch(tmp_path):
    first = catalog.parse(_write(tmp_path, GOOD.format(id="m1")), RUNBOOK_)
    second = catalog.parse(_write(tmp_path, GOOD.format(id="m1").replace("+y", "+z")), RUNBOOK_)
    assert first.digest != second.digest
