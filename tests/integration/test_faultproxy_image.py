"""The toxiproxy image the stack resolves (the official one, or services/faultproxy built
offline) keeps Toxiproxy's contract: API on 8474, -host/-config flags, proxies that
reach other containers by name, toxics that act on them."""

import json
import time

import redis
import requests
from testcontainers.core.wait_strategies import HttpWaitStrategy

from runbook_drill.harness.engine.containers import generic_container, network, redis_container


def test_the_toxiproxy_image_populates_from_config_and_its_toxics_act_on_redis(session, tmp_path):
    config = tmp_path / "toxiproxy.json"
    config.write_text(json.dumps([{"name": "redis", "listen": "0.0.0.0:20000", "upstream": "redis:6379"}]))
    tmp_path.chmod(0o755)
    config.chmod(0o644)
    with network() as net, \
            redis_container(session.images.resolve("redis").ref).with_network(net).with_network_aliases("redis"), \
            generic_container(session.images.resolve("toxiproxy").ref).with_network(net) \
            .with_command(["-host=0.0.0.0", "-config=/config/toxiproxy.json"]) \
            .with_volume_mapping(str(tmp_path), "/config", "ro").with_exposed_ports(8474, 20000) \
            .waiting_for(HttpWaitStrategy(8474, "/version").for_status_code(200).with_startup_timeout(30)
                         .with_poll_interval(0.1)) as proxy:
        api = f"http://127.0.0.1:{proxy.get_exposed_port(8474)}"
        assert requests.get(f"{api}/proxies", timeout=5).json()["redis"]["upstream"] == "redis:6379"
        client = redis.Redis(host="127.0.0.1", port=proxy.get_exposed_port(20000), socket_timeout=5)
        assert client.ping() is True
        requests.post(f"{api}/proxies/redis/toxics", json={"type": "latency", "attributes": {"latency": 200}},
                      timeout=5).raise_for_status()
        started = time.perf_counter()
        assert client.ping() is True
        assert time.perf_counter() - started >= 0.19
        assert requests.post(f"{api}/reset", timeout=5).status_code == 204
        started = time.perf_counter()
        assert client.ping() is True
        assert time.perf_counter() - started < 0.1
        client.close()
