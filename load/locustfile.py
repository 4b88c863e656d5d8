"""The User API's traffic mix for Locust: mostly reads of one user (cache hits), list
pages, creates and updates. Each virtual user logs in through the auth service first.
Every request has a timeout (a frozen dependency is a timeout, not a hung user) and is
written to this process's record file: start, endpoint template, status (None when no
answer came: "unknown"), latency.

Configured by environment (set by load/runner.py): DRILL_AUTH_URL, DRILL_RECORDS
(file prefix), DRILL_SEED, DRILL_USER_IDS, DRILL_TIMEOUT_S, DRILL_THINK_S."""

import itertools
import os
import random

from locust import FastHttpUser, between, task

from load.records import install_recorder

AUTH_URL = os.environ.get("DRILL_AUTH_URL", "")
SEED = int(os.environ.get("DRILL_SEED", "1"))
USER_IDS = int(os.environ.get("DRILL_USER_IDS", "1000"))
TIMEOUT_S = float(os.environ.get("DRILL_TIMEOUT_S", "2"))
THINK_S = float(os.environ.get("DRILL_THINK_S", "0.02"))
_serial = itertools.count()
install_recorder()


class ApiUser(FastHttpUser):
    network_timeout = TIMEOUT_S
    connection_timeout = TIMEOUT_S
    wait_time = between(THINK_S / 2, THINK_S * 1.5)

    def on_start(self) -> None:
        self.number = next(_serial)
        self.rng = random.Random(f"{SEED}:{os.getpid()}:{self.number}")
        answer = self.client.post(f"{AUTH_URL}/login", json={"sub": f"load-{os.getpid()}-{self.number}"},
                                  name="/login (auth)")
        token = answer.json()["access_token"] if answer.status_code == 200 else "none"
        self.headers = {"Authorization": f"Bearer {token}"}

    @task(16)
    def read_user(self) -> None:
        self.client.get(f"/users/{self.rng.randint(1, USER_IDS)}", headers=self.headers, name="/users/{user_id}")

    @task(2)
    def list_page(self) -> None:
        self.client.get(f"/users?limit=20&after={self.rng.randrange(USER_IDS)}", headers=self.headers,
                        name="/users")

    @task(1)
    def create_user(self) -> None:
        email = f"load-{os.getpid()}-{self.number}-{self.rng.getrandbits(48):x}@example.test"
        self.client.post("/users", json={"email": email, "name": "Load User", "roles": ["reader"]},
                         headers=self.headers, name="/users")

    @task(1)
    def update_user(self) -> None:
        self.client.patch(f"/users/{self.rng.randint(1, USER_IDS)}", json={"name": "Load Renamed"},
                          headers=self.headers, name="/users/{user_id}")
