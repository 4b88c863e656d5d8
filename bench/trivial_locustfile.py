"""The benchmark's user: one GET of a trivial endpoint, no think time - it measures the
load generator, not the system. Records like load/locustfile.py when DRILL_RECORDS is set."""

from locust import FastHttpUser, constant, task

from runbook_drill.load.records import install_recorder

install_recorder()


class TrivialUser(FastHttpUser):
    wait_time = constant(0)
    network_timeout = connection_timeout = 2.0

    @task
    def ping(self) -> None:
        self.client.get("/", name="/")
