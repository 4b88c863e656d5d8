"""Property: random JSON bodies for every write route of the fault proxy's API (it has
no OpenAPI document for schemathesis to read) never crash it and never disturb a live
proxy; every refusal is Toxiproxy's error shape, {"error": ..., "status": <the code>},
with a 4xx code - or a 500 where Toxiproxy 2.12 answers one: an address it cannot
listen on (its apiError turns an error without a status into 500; found by this test,
checked against Toxiproxy's api.go)."""

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.faultproxy.conftest import make_proxy
from bench.loopback import connect, echo_server, round_trip
from tests.support.tokens import any_json

FIELDS = ["name", "listen", "upstream", "enabled", "type", "stream", "toxicity", "attributes", "latency", "jitter",
          "rate", "timeout", "bytes", "average_size", "size_variation", "delay"]
TOXIC_TYPES = ["latency", "bandwidth", "slow_close", "timeout", "reset_peer", "slicer", "limit_data", "nope"]
bodies = (any_json()
          | st.dictionaries(st.sampled_from(FIELDS), any_json() | st.sampled_from(TOXIC_TYPES), max_size=5)
          | st.dictionaries(st.sampled_from(FIELDS), any_json(), max_size=3).map(lambda d: {**d, "type": "latency"}))
ROUTES = ["/proxies", "/proxies/live", "/proxies/live/toxics", "/proxies/live/toxics/t1", "/populate",
          "/proxies/other", "/proxies/other/toxics"]


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(route=st.sampled_from(ROUTES), body=bodies)
def test_any_json_body_on_any_write_route_is_answered_and_leaves_a_live_proxy_serving(api, route, body):
    with echo_server() as upstream:
        if "live" not in requests.get(f"{api}/proxies", timeout=5).json():
            make_proxy(api, upstream.address, name="live")
        answer = requests.post(f"{api}{route}", json=body, timeout=5)
        listen_failed = answer.status_code == 500 and answer.json().get("error", "").startswith("listen tcp")
        assert answer.status_code < 500 or listen_failed, (route, body, answer.status_code, answer.text)
        if answer.status_code >= 400:
            error = answer.json()
            assert set(error) == {"error", "status"} and error["status"] == answer.status_code, (route, body, error)
        live = requests.get(f"{api}/proxies/live", timeout=5)
        if live.status_code == 200 and live.json()["enabled"] and not live.json()["toxics"]:
            # Whatever the body did, the proxy still carries bytes to its upstream.
            requests.post(f"{api}/proxies/live", json={"upstream": upstream.address}, timeout=5)
            with connect(live.json()["listen"]) as sock:
                round_trip(sock, b"ping")
        requests.post(f"{api}/reset", timeout=5)
        requests.delete(f"{api}/proxies/live", timeout=5)
