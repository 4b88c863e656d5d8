"""A Python service image gets its dependencies from a host-built wheelhouse and
installs them with --no-index inside the build (no package index in the container)."""

import dataclasses

from runbook_drill.harness.engine.containers import generic_container
from runbook_drill.harness.engine.recipes import ImageSpec, PythonServiceRecipe

DOCKERFILE = """ARG BASE
FROM ${BASE}
COPY wheels /wheels
COPY requirements.txt probe.py /app/
RUN python -m venv /opt/venv \\
 && /opt/venv/bin/pip install --no-index --find-links /wheels -r /app/requirements.txt
CMD ["/opt/venv/bin/python", "/app/probe.py"]
"""
PROBE = "import prometheus_client, uvloop; print('imported', prometheus_client.__name__, uvloop.__name__)\n"


def test_a_service_image_installs_pure_and_binary_wheels_from_the_host_wheelhouse(session, tmp_path):
    context = tmp_path / "probe-service"
    context.mkdir()
    (context / "Dockerfile").write_text(DOCKERFILE)
    (context / "requirements.txt").write_text("prometheus-client==0.26.0\nuvloop==0.21.0\n")
    (context / "probe.py").write_text(PROBE)
    settings = dataclasses.replace(session.images.settings, image_policy="offline", cache_dir=tmp_path / "cache")
    spec = ImageSpec("wheelhouse-probe", "runbook-drill/wheelhouse-probe:never-published",
                     PythonServiceRecipe(context), "test probe")
    resolver = type(session.images)(session.client, settings)
    image = resolver.resolve_spec(spec)
    try:
        assert image.source == "built offline"
        wheels = sorted(p.name for p in (settings.cache_dir / "wheelhouse").glob("*/*.whl"))
        assert any(w.startswith("uvloop-0.21.0-cp311") for w in wheels), wheels
        probe = generic_container(image.ref)
        probe.start()
        try:
            assert probe.get_wrapped_container().wait(timeout=60)["StatusCode"] == 0
            assert b"imported prometheus_client uvloop" in probe.get_logs()[0]
        finally:
            probe.stop()
    finally:
        session.client.images.remove(image.ref, force=True)
