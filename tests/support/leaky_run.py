"""A run for the cleanup tests: it starts one labelled container and one labelled
network, prints their names (and what its start-up swept) as a JSON line, then waits
for a line on stdin to clean up and exit - unless it is killed first."""

import json
import sys

from runbook_drill.harness.engine.containers import generic_container, network
from runbook_drill.harness.engine.session import begin
from runbook_drill.harness.settings import load_settings


def main() -> int:
    session = begin(load_settings())
    image = session.images.resolve("debian", build=False).ref
    net = network().create()
    container = generic_container(image).with_command("sleep 600").with_network(net).start()
    print(json.dumps({"container": container.get_wrapped_container().name, "network": net.name,
                      "swept": session.swept.containers + session.swept.networks}), flush=True)
    sys.stdin.readline()
    container.stop()
    net.remove()
    session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
