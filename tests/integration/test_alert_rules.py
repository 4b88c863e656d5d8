"""The generated rules and routing, checked by Prometheus's and Alertmanager's own tools
(promtool, amtool, in the stack's images): both profiles are valid, and each alert
fires, stays quiet under its threshold and resolves (tests/alerts/*.test.yml, written
by hand from the runbook's thresholds - the oracle, not the generator's output)."""

import shutil
from pathlib import Path

import pytest

from runbook_drill.harness.alerts import routing, rules
from runbook_drill.harness.engine.resources import run_labels
from runbook_drill.harness.runbook import Runbook

TESTS = Path(__file__).resolve().parents[1] / "alerts"


def _tool(session, image: str, tool: str, workdir: Path, *args: str) -> tuple[int, str]:
    """Runs promtool/amtool in the image on the files in `workdir`; returns (exit code, output)."""
    ref = session.images.resolve(image).ref
    workdir.chmod(0o755)
    for path in workdir.iterdir():
        path.chmod(0o644)
    container = session.client.containers.run(ref, list(args), entrypoint=tool, working_dir="/w", detach=True,
                                              volumes={str(workdir): {"bind": "/w", "mode": "ro"}},
                                              labels=run_labels())
    try:
        code = container.wait(timeout=60)["StatusCode"]
        return code, container.logs().decode(errors="replace")
    finally:
        container.remove(force=True)


@pytest.mark.parametrize("profile", ["test", "production"])
def test_promtool_passes_the_rules_unit_tests_of_each_profile(session, tmp_path, profile):
    (tmp_path / "rules.yml").write_text(rules.render(Runbook(), rules.PROFILES[profile]))
    shutil.copy(TESTS / f"{profile}-profile.test.yml", tmp_path)
    code, out = _tool(session, "prometheus", "promtool", tmp_path, "check", "rules", "rules.yml")
    assert code == 0, out
    code, out = _tool(session, "prometheus", "promtool", tmp_path, "test", "rules", f"{profile}-profile.test.yml")
    assert code == 0 and "SUCCESS" in out, out


def test_promtool_fails_a_rule_whose_threshold_is_not_the_runbook_s(session, tmp_path):
    # The unit tests can fail: a 5% threshold in place of the runbook's 1% misses the
    # 5%-errors case they expect to page.
    (tmp_path / "rules.yml").write_text(rules.render(Runbook(), rules.PROFILES["test"]).replace("> 0.01", "> 0.05"))
    shutil.copy(TESTS / "test-profile.test.yml", tmp_path)
    code, out = _tool(session, "prometheus", "promtool", tmp_path, "test", "rules", "test-profile.test.yml")
    assert code != 0 and "HighErrorRate" in out, out


@pytest.mark.parametrize("profile", ["test", "production"])
def test_amtool_accepts_the_routing_of_each_profile(session, tmp_path, profile):
    (tmp_path / "alertmanager.yml").write_text(routing.render(Runbook(), rules.PROFILES[profile]))
    code, out = _tool(session, "alertmanager", "amtool", tmp_path, "check-config", "alertmanager.yml")
    assert code == 0 and "SUCCESS" in out, out
