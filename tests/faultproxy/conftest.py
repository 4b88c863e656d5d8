"""Each test module gets a real fault proxy server process on loopback."""

import subprocess
import sys

import pytest
import requests

from runbook_drill.harness.polling import eventually
from bench.loopback import free_port

SEED = 20261127


def start_server(seed: int = SEED, *extra: str) -> tuple[subprocess.Popen, str]:
    """Starts `python -m services.faultproxy` on a free port (Go-style flags, as the
    official binary takes them); returns the process and its API URL."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "services.faultproxy", "-host=127.0.0.1", f"-port={port}",
                             "-seed", str(seed), "-log-level", "WARNING", *extra], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        eventually(lambda: requests.get(f"{url}/version", timeout=1).status_code == 200, 15,
                   what="the fault proxy API")
    except AssertionError:
        proc.kill()
        raise AssertionError(f"fault proxy did not start: {proc.communicate()[1].decode()[-2000:]}")
    return proc, url


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def api():
    proc, url = start_server()
    yield url
    stop_server(proc)
    assert proc.returncode in (0, -15), proc.stderr.read().decode()[-2000:]


@pytest.fixture(autouse=True)
def clean_slate(api):
    """Every test starts with no proxies."""
    for name in requests.get(f"{api}/proxies", timeout=5).json():
        requests.delete(f"{api}/proxies/{name}", timeout=5)
    yield


def make_proxy(api: str, upstream: str, name: str = "p", **fields) -> dict:
    answer = requests.post(f"{api}/proxies", json={"name": name, "upstream": upstream,
                                                   "listen": "127.0.0.1:0", **fields}, timeout=5)
    assert answer.status_code == 201, answer.text
    return answer.json()


def add_toxic(api: str, proxy: str, **toxic) -> dict:
    answer = requests.post(f"{api}/proxies/{proxy}/toxics", json=toxic, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()
