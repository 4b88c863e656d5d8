"""The benchmark's user: one GET of a trivial endpoint, no think time - it measures the
load generator, not the system. Records like load/locustfile.py when DRILL_RECORDS is set."""

import json
import os

from locust import FastHttpUser, constant, events, task

_RECORDS = os.environ.get("DRILL_RECORDS")
_out = None


@events.request.add_listener
def _record(request_type, name, response_time, response, exception, start_time=None, **_):
    global _out
    if not _RECORDS:
        return
    if _out is None:
        # Block-buffered (a line-buffered write per request costs a third of the
        # throughput); flushed when Locust quits and at interpreter exit.
        _out = open(f"{_RECORDS}.{os.getpid()}.jsonl", "a", buffering=256 * 1024)
        events.quitting.add_listener(lambda **_: _out.flush())
    status = getattr(response, "status_code", 0) or None
    _out.write(json.dumps({"t": start_time, "method": request_type, "endpoint": name, "status": status,
                           "latency": response_time / 1000, "error": ""}) + "\n")


class TrivialUser(FastHttpUser):
    wait_time = constant(0)
    network_timeout = connection_timeout = 2.0

    @task
    def ping(self) -> None:
        self.client.get("/", name="/")
