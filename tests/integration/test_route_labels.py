"""Metric labels are the image's own: a Go build that labels its requests by handler name
(`handler="user_item"`, not a path) and one whose integer-reading image is told its
pool wait in milliseconds are read and driven as the path-labelled original is - the
route census finds the users routes, the profile writes each knob in its unit - and the
scenarios that read the users routes (the counted metrics, an unready replica's traffic,
the cache-miss calibration) pass on it."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

from runbook_drill.harness.engine.recipes import EXAMPLES_DIR, DockerfileRecipe, ImageSpec

DRILL = str(Path(sys.executable).parent / "drill")
HANDLER_NAMES = '''func template(path string) string {
	switch {
	case path == "/users":
		return "list_users"
	case strings.HasPrefix(path, "/users/"):
		return "user_item"
	case path == "/health/live":
		return "liveness"
	case path == "/health/ready":
		return "readiness"
	case path == "/metrics":
		return "prometheus"
	}
	return "other"
}
'''


def _handler_labelled(session, tmp_path) -> str:
    source = tmp_path / "handlers" / "go-user-api"
    shutil.copytree(EXAMPLES_DIR / "go-user-api", source)
    api = source / "api.go"
    text = api.read_text()
    start, end = text.index("func template(path string) string {"), text.index("func (a *API) routes()")
    api.write_text(text[:start] + HANDLER_NAMES + "\n" + text[end:])
    metrics = source / "metrics.go"
    metrics.write_text(metrics.read_text().replace('"path"', '"handler"'))
    spec = ImageSpec("go-user-api-handler-labels", None, DockerfileRecipe("go-user-api", root=source.parent),
                     "labelled by handler name")
    return session.images.resolve_spec(spec).ref


def test_an_image_labelling_requests_by_handler_name_passes_the_scenarios_that_read_users_routes(session, tmp_path):
    image = _handler_labelled(session, tmp_path)
    done = subprocess.run([DRILL, "run", "metrics-counted", "health-replica-unready", "latency-cache-misses",
                           "--user-api-image", image, "--profile", str(EXAMPLES_DIR / "go-user-api" / "profile.toml")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    journal = json.loads((tmp_path / "reports" / "latest" / "journal" / "metrics-counted.json").read_text())
    census = next(e for e in journal["history"]["events"] if e["kind"] == "routes")
    assert census["data"]["families"]["http_requests_total"]["key"] == "handler"
    assert "readiness" in census["data"]["families"]["http_requests_total"]["others"]
