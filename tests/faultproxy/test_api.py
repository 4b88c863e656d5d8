"""Toxiproxy 2.12's HTTP API, endpoint by endpoint and error by error, over raw HTTP."""

import socket

import pytest
import requests

from tests.faultproxy.conftest import add_toxic, make_proxy
from bench.loopback import connect, echo_server, round_trip


def _error(answer) -> tuple[int, dict]:
    return answer.status_code, answer.json()


def test_version_is_toxiproxys_json(api):
    answer = requests.get(f"{api}/version", timeout=5)
    assert answer.json() == {"version": "2.12.0"}


def test_a_created_proxy_is_201_with_its_bound_address_and_listed(api):
    proxy = make_proxy(api, "127.0.0.1:9", name="db")
    assert proxy["name"] == "db" and proxy["enabled"] is True and proxy["toxics"] == []
    assert proxy["listen"].startswith("127.0.0.1:") and not proxy["listen"].endswith(":0")
    assert requests.get(f"{api}/proxies", timeout=5).json() == {"db": proxy}
    assert requests.get(f"{api}/proxies/db", timeout=5).json() == proxy


@pytest.mark.parametrize("body, status, message", [
    ({"name": "a", "upstream": "x:1"}, 409, "proxy already exists"),
    ({"upstream": "x:1"}, 400, "missing required field: name"),
    ({"name": "b"}, 400, "missing required field: upstream"),
    ({"name": 5, "upstream": "x:1"}, 400, "bad request body: name must be str"),
    ({"name": "c", "upstream": "x:1", "listen": "no-port"}, 500, "listen tcp no-port"),
])
def test_bad_proxy_requests_get_toxiproxys_errors(api, body, status, message):
    make_proxy(api, "x:1", name="a")
    answer = requests.post(f"{api}/proxies", json=body, timeout=5)
    assert answer.status_code == status
    assert answer.json()["status"] == status and answer.json()["error"].startswith(message)


def test_a_malformed_body_is_400_bad_request_body(api):
    answer = requests.post(f"{api}/proxies", data=b"{nope", timeout=5)
    assert _error(answer)[0] == 400 and answer.json()["error"].startswith("bad request body: ")


def test_an_unknown_proxy_is_404_for_every_route(api):
    for method, path in [("GET", "/proxies/none"), ("POST", "/proxies/none"), ("DELETE", "/proxies/none"),
                         ("GET", "/proxies/none/toxics"), ("POST", "/proxies/none/toxics")]:
        answer = requests.request(method, f"{api}{path}", json={}, timeout=5)
        assert _error(answer) == (404, {"error": "proxy not found", "status": 404}), path


def test_a_port_in_use_is_an_error_and_the_server_keeps_working(api):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        answer = requests.post(f"{api}/proxies", json={"name": "clash", "upstream": "x:1",
                                                       "listen": f"127.0.0.1:{port}"}, timeout=5)
    assert answer.status_code == 500 and "address already in use" in answer.json()["error"].lower()
    assert "clash" not in requests.get(f"{api}/proxies", timeout=5).json()
    make_proxy(api, "x:1", name="after")


def test_disabling_closes_live_connections_and_refuses_new_ones_until_enabled(api):
    with echo_server() as echo:
        proxy = make_proxy(api, echo.address)
        live = connect(proxy["listen"])
        round_trip(live)
        for method in ("POST", "PATCH"):
            answer = requests.request(method, f"{api}/proxies/p", json={"enabled": False}, timeout=5)
            assert answer.status_code == 200 and answer.json()["enabled"] is False
        live.settimeout(5)
        try:
            assert live.recv(1) == b""  # closed by the proxy
        except ConnectionResetError:
            pass
        with pytest.raises(ConnectionRefusedError):
            connect(proxy["listen"])
        requests.patch(f"{api}/proxies/p", json={"enabled": True}, timeout=5).raise_for_status()
        round_trip(connect(proxy["listen"]))


def test_a_deleted_proxy_stops_listening_and_is_404(api):
    proxy = make_proxy(api, "x:1")
    assert requests.delete(f"{api}/proxies/p", timeout=5).status_code == 204
    assert requests.get(f"{api}/proxies/p", timeout=5).status_code == 404
    with pytest.raises(ConnectionRefusedError):
        connect(proxy["listen"])


def test_populate_creates_or_replaces_and_reports_201(api):
    make_proxy(api, "x:1", name="keep")
    body = [{"name": "keep", "upstream": "x:2", "listen": "127.0.0.1:0"},
            {"name": "new", "upstream": "x:3", "listen": "127.0.0.1:0", "enabled": False}]
    answer = requests.post(f"{api}/populate", json=body, timeout=5)
    assert answer.status_code == 201
    proxies = {p["name"]: p for p in answer.json()["proxies"]}
    assert proxies["keep"]["upstream"] == "x:2" and proxies["new"]["enabled"] is False


def test_populate_validates_everything_before_creating_anything(api):
    body = [{"name": "one", "upstream": "x:1"}, {"name": "two"}]
    answer = requests.post(f"{api}/populate", json=body, timeout=5)
    assert _error(answer) == (400, {"error": "missing required field: upstream at proxy 2", "status": 400})
    assert requests.get(f"{api}/proxies", timeout=5).json() == {}


def test_a_toxic_gets_toxiproxys_defaults(api):
    make_proxy(api, "x:1")
    toxic = add_toxic(api, "p", type="latency", attributes={"latency": 50})
    assert toxic == {"name": "latency_downstream", "type": "latency", "stream": "downstream", "toxicity": 1.0,
                     "attributes": {"latency": 50, "jitter": 0}}
    assert requests.get(f"{api}/proxies/p/toxics", timeout=5).json() == [toxic]
    assert requests.get(f"{api}/proxies/p/toxics/latency_downstream", timeout=5).json() == toxic
    assert requests.get(f"{api}/proxies/p", timeout=5).json()["toxics"] == [toxic]


@pytest.mark.parametrize("body, status, message", [
    ({"type": "latency"}, 409, "toxic already exists"),
    ({"type": "earthquake"}, 400, "invalid toxic type"),
    ({"type": "latency", "stream": "sideways"}, 400, "stream was invalid, can be either upstream or downstream"),
    ({"type": "latency", "name": "l2", "attributes": {"latency": -5}}, 400, "bad request body: attribute latency"),
    ({"type": "latency", "name": "l3", "attributes": {"latency": "slow"}}, 400, "bad request body: attribute"),
    ({"type": "latency", "name": "l4", "toxicity": 1.5}, 400, "bad request body: toxicity"),
    ({"type": "latency", "name": "l5", "attributes": [1]}, 400, "bad request body: attributes must be an object"),
])
def test_bad_toxic_requests_get_toxiproxys_errors(api, body, status, message):
    make_proxy(api, "x:1")
    add_toxic(api, "p", type="latency")
    answer = requests.post(f"{api}/proxies/p/toxics", json=body, timeout=5)
    assert answer.status_code == status and answer.json()["error"].startswith(message)


def test_a_toxic_update_merges_attributes_and_keeps_toxicity(api):
    make_proxy(api, "x:1")
    add_toxic(api, "p", type="latency", toxicity=0.5, attributes={"latency": 50, "jitter": 5})
    answer = requests.patch(f"{api}/proxies/p/toxics/latency_downstream", json={"attributes": {"latency": 80}},
                            timeout=5)
    assert answer.status_code == 200
    assert answer.json()["attributes"] == {"latency": 80, "jitter": 5} and answer.json()["toxicity"] == 0.5


def test_a_deleted_toxic_is_gone_and_404(api):
    make_proxy(api, "x:1")
    add_toxic(api, "p", type="noop")
    assert requests.delete(f"{api}/proxies/p/toxics/noop_downstream", timeout=5).status_code == 204
    for method in ("GET", "PATCH", "DELETE"):
        answer = requests.request(method, f"{api}/proxies/p/toxics/noop_downstream", json={}, timeout=5)
        assert _error(answer) == (404, {"error": "toxic not found", "status": 404})


def test_reset_removes_every_toxic_and_enables_every_proxy(api):
    make_proxy(api, "x:1", name="a")
    make_proxy(api, "x:1", name="b", enabled=False)
    add_toxic(api, "a", type="timeout")
    assert requests.post(f"{api}/reset", timeout=5).status_code == 204
    proxies = requests.get(f"{api}/proxies", timeout=5).json()
    assert all(p["enabled"] and p["toxics"] == [] for p in proxies.values())


def test_a_browser_user_agent_is_refused(api):
    answer = requests.get(f"{api}/proxies", headers={"User-Agent": "Mozilla/5.0"}, timeout=5)
    assert answer.status_code == 403


def test_toxiproxy_python_drives_it_unchanged(api):
    from toxiproxy import Toxiproxy

    port = int(api.rsplit(":", 1)[1])
    client = Toxiproxy()
    client.update_api_consumer("127.0.0.1", port)
    with echo_server() as echo:
        proxy = client.create(upstream=echo.address, name="via-client")
        proxy.add_toxic(type="latency", attributes={"latency": 30})
        assert [t.name for t in proxy.toxics().values()] == ["latency_downstream"]
        assert round_trip(connect(proxy.listen)) >= 0.03
        proxy.destroy_toxic("latency_downstream")
        proxy.disable()
        assert client.get_proxy("via-client").enabled is False
        proxy.enable()
        assert client.reset()
        assert b"2.12.0" in client.version()
        proxy.destroy()
    assert client.proxies() == {}
