"""The harness's one fault-proxy client (harness/stack/proxies.py, toxiproxy-python
extended) against a real proxy process: every call the faults and the stack make, each
server's address its own, every failure named."""

import socket

import pytest
import requests
from toxiproxy.exceptions import InvalidToxic, NotFound

from bench.loopback import connect, echo_server, free_port, round_trip
from runbook_drill.harness.stack.proxies import ProxyClient


@pytest.fixture
def client(api):
    host, port = api.removeprefix("http://").rsplit(":", 1)
    return ProxyClient(host, int(port))


def test_populate_creates_every_proxy_in_one_call_and_a_toxic_slows_its_traffic(client):
    with echo_server() as echo:
        [proxy] = client.populate([{"name": "db", "listen": "127.0.0.1:0", "upstream": echo.address}])
        proxy.add_toxic(name="slow", type="latency", stream="downstream", toxicity=1.0, attributes={"latency": 40})
        assert list(client.proxy("db").toxics()) == ["slow"]
        assert client.proxy("db").state["toxics"][0]["attributes"]["latency"] == 40
        assert round_trip(connect(proxy.listen)) >= 0.04
        assert proxy.destroy_toxic("slow") is True and proxy.destroy_toxic("slow") is False


def test_a_disabled_proxy_refuses_and_the_reset_enables_it_again(client):
    [proxy] = client.populate([{"name": "db", "listen": "127.0.0.1:0", "upstream": "127.0.0.1:9"}])
    proxy.disable()
    assert client.proxy("db").enabled is False
    with pytest.raises(OSError):
        socket.create_connection(tuple(proxy.listen.rsplit(":", 1)), timeout=1).close()
    client.reset()
    assert client.proxy("db").enabled is True


def test_failures_are_the_librarys_named_errors(client):
    with pytest.raises(NotFound):
        client.proxy("nowhere")
    [proxy] = client.populate([{"name": "db", "listen": "127.0.0.1:0", "upstream": "127.0.0.1:9"}])
    with pytest.raises(InvalidToxic):
        proxy.add_toxic(name="x", type="no-such-toxic", stream="downstream", toxicity=1.0, attributes={})


def test_two_clients_keep_their_own_servers(client):
    # toxiproxy-python 0.1.1 keeps one address per process; the harness's client does not.
    elsewhere = ProxyClient("127.0.0.1", free_port(), timeout_s=1)
    client.populate([{"name": "db", "listen": "127.0.0.1:0", "upstream": "127.0.0.1:9"}])
    with pytest.raises(requests.ConnectionError):
        elsewhere.proxy("db")
    assert client.proxy("db").name == "db"


def test_a_handle_reads_nothing_and_a_call_on_a_missing_proxy_is_not_found(client):
    with pytest.raises(NotFound):
        client.handle("nowhere").add_toxic(name="x", type="latency", stream="downstream", toxicity=1.0,
                                           attributes={"latency": 1})
    client.populate([{"name": "db", "listen": "127.0.0.1:0", "upstream": "127.0.0.1:9"}])
    client.handle("db").disable()
    assert client.proxy("db").enabled is False and client.handle("db").destroy_toxic("absent") is False
