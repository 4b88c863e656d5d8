"""`drill contract` on real images: the bundled User API and the Go example meet every
pre-flight line; an image that breaks one line (a mutant of the bundled one, a Go build
with a renamed metric) fails that line with its evidence; the command's exit codes and
its bad input."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from runbook_drill.harness.contract.preflight import preflight
from runbook_drill.harness.engine.recipes import EXAMPLES, EXAMPLES_DIR, DockerfileRecipe, ImageSpec
from runbook_drill.harness.runbook import Runbook
from runbook_drill.harness.stack import Stack
from runbook_drill.harness.stack.profile import ServiceProfile, load_profile
from runbook_drill.scenarios.common import SUITE_KNOBS

GO_PROFILE = EXAMPLES_DIR / "go-user-api" / "profile.toml"
ROOT = Path(__file__).resolve().parents[2]


def _check(session, image, profile):
    return {r.line.id: r for r in preflight(session, image, profile, SUITE_KNOBS, Runbook().metric_names(), Stack)}


@pytest.fixture(scope="module")
def go_image(session):
    return session.images.resolve_spec(EXAMPLES["go-user-api"]).ref


def test_the_bundled_user_api_meets_every_pre_flight_line(session):
    results = _check(session, None, ServiceProfile())
    assert [f"{i}: {r.evidence}" for i, r in results.items() if not r.met] == []
    assert len(results) == 15


def test_the_go_user_api_meets_every_pre_flight_line_with_its_own_names_port_logs_and_ids(session, go_image):
    results = _check(session, go_image, load_profile(GO_PROFILE))
    assert [f"{i}: {r.evidence}" for i, r in results.items() if not r.met] == []
    assert "port 9000" in results["start.ready"].evidence and "-" in results["users.create"].evidence  # a UUID
    assert "ERROR invalid token" in results["auth.invalid_token"].evidence  # a plain-text line, grepped


def test_a_go_build_with_a_renamed_metric_fails_the_metrics_line_naming_it(session, tmp_path):
    source = tmp_path / "renamed"
    shutil.copytree(EXAMPLES_DIR / "go-user-api", source / "go-user-api")
    metrics = source / "go-user-api" / "metrics.go"
    metrics.write_text(metrics.read_text().replace('"http_requests_errors_total"', '"http_errors_total"'))
    spec = ImageSpec("go-user-api-renamed-metric", None, DockerfileRecipe("go-user-api", root=source), "a mutant")
    image = session.images.resolve_spec(spec).ref
    results = _check(session, image, load_profile(GO_PROFILE))
    unmet = {i: r.evidence for i, r in results.items() if not r.met}
    assert list(unmet) == ["metrics.exported"] and "http_requests_errors_total: missing" in unmet["metrics.exported"]


MUTANT_BREAKS = {"invalid-token-is-403": "auth.invalid_token", "live-path-renamed": "probe.live",
                 "page-size-cap-dropped": "users.paginated", "requests-metric-renamed": "metrics.exported",
                 "rate-limit-unhandled": "ratelimit.client"}


@pytest.mark.parametrize("mutant_id", sorted(MUTANT_BREAKS))
def test_a_mutant_that_breaks_a_pre_flight_line_fails_that_line(session, mutant_id):
    from runbook_drill.harness.mutation import build, catalog

    mutant = next(m for m in catalog.load(Runbook()) if m.id == mutant_id)
    image, _ = build.build(session.images, mutant)
    results = _check(session, image, ServiceProfile())
    unmet = [i for i, r in results.items() if not r.met]
    assert MUTANT_BREAKS[mutant_id] in unmet, {i: r.evidence for i, r in results.items()}


def _drill(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "runbook_drill", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_drill_contract_prints_the_table_and_exits_0_when_every_line_is_met(go_image):
    done = _drill("contract", "--user-api-image", go_image, "--profile", str(GO_PROFILE))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "15 of 15 lines met" in done.stdout and "users.list" in done.stdout


@pytest.mark.parametrize("args, says", [
    (("--profile", "/no/such/profile.toml"), "no such file"),
    (("--user-api-port", "70000"), "user_api.port"),
    (("--user-api-env", "NOEQUALS"), "--user-api-env"),
    (("--user-api-image", "runbook-drill/no-such-image:never"), "no such image"),
])
def test_bad_input_is_one_line_and_exit_2(args, says):
    done = _drill("contract", *args)
    assert done.returncode == 2 and says in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_a_run_against_an_image_the_suite_cannot_drive_stops_at_the_table_as_a_harness_verdict(session, tmp_path):
    not_a_user_api = session.images.resolve("python").ref  # an image that serves nothing
    profile = tmp_path / "profile.toml"
    profile.write_text("[user_api]\nstartup_timeout_s = 5\n")
    done = _drill("run", "health-baseline", "--user-api-image", not_a_user_api, "--profile", str(profile))
    assert done.returncode == 3, done.stdout + done.stderr
    assert "start.ready" in done.stdout and "UNMET" in done.stdout
    assert "does not meet the contract" in done.stderr and "PASSED" not in done.stdout


def test_a_run_against_an_image_with_an_unmet_runbook_line_fails_with_that_line_in_junit(session, tmp_path):
    from runbook_drill.harness.mutation import build, catalog

    mutant = next(m for m in catalog.load(Runbook()) if m.id == "invalid-token-is-403")
    image, _ = build.build(session.images, mutant)
    junit = tmp_path / "results.xml"
    done = _drill("run", "health-baseline", "--user-api-image", image, "--junit", str(junit))
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    assert "unmet runbook line auth.invalid_token: a failed case of this run" in done.stdout
    assert "PASSED   health-baseline" in done.stdout and "FAILED   contract" in done.stdout
    xml = junit.read_text() if junit.exists() else (ROOT / "reports" / "latest" / "junit.xml").read_text()
    assert "auth.invalid_token" in xml and "Authentication Failures" in xml
