"""The User API's traffic mix for Locust: mostly reads of one user (cache hits), list
pages, creates and updates. Each virtual user logs in through the auth service first.
Every request has a timeout (a frozen dependency is a timeout, not a hung user) and is
written to this process's record file: start, endpoint template, status (None when no
answer came: "unknown"), latency.

Pacing: with DRILL_RATE > 0 each user starts tasks at DRILL_RATE per second on average
whatever the answers take (a Poisson arrival per user: the suite's load, so a window has
a known request count). Not Locust's constant_throughput: its fixed period keeps users
in step, and their synchronized bursts tripled the steady p50 (7 -> 21-48 ms measured
with 40 users at 1/s). Otherwise a think time of DRILL_THINK_S between tasks.
Token churn: with DRILL_RELOGIN_S > 0 a user logs in again once its token is that old,
as real clients get new tokens (new sessions, expiry) - without it an auth fault never
reaches a user whose token was verified and cached before the fault.

Configured by environment (set by load/runner.py): DRILL_AUTH_URL, DRILL_RECORDS
(file prefix), DRILL_SEED, DRILL_USER_IDS (ids 1..N) or DRILL_USER_IDS_FILE (the ids
the API answered when the users were made, one per line), DRILL_TIMEOUT_S, DRILL_THINK_S, DRILL_RATE,
DRILL_RELOGIN_S."""

import itertools
import os
import random
import time

from locust import FastHttpUser, between

from runbook_drill.load.records import install_recorder

AUTH_URL = os.environ.get("DRILL_AUTH_URL", "")
SEED = int(os.environ.get("DRILL_SEED", "1"))
USER_IDS = int(os.environ.get("DRILL_USER_IDS", "1000"))
IDS_FILE = os.environ.get("DRILL_USER_IDS_FILE", "")
IDS = (open(IDS_FILE).read().split() if IDS_FILE else [str(i) for i in range(1, USER_IDS + 1)])[:USER_IDS]
TIMEOUT_S = float(os.environ.get("DRILL_TIMEOUT_S", "2"))
THINK_S = float(os.environ.get("DRILL_THINK_S", "0.02"))
RATE = float(os.environ.get("DRILL_RATE", "0"))
RELOGIN_S = float(os.environ.get("DRILL_RELOGIN_S", "0"))
# Task weights read,list,create,update: mostly cached reads, as the service's clients do.
MIX = [int(w) for w in (os.environ.get("DRILL_MIX") or "16,2,1,1").split(",")]
FIRST_PAGES = 0.5  # of list requests: a first page's size is a fact the answer must not contradict
_serial = itertools.count()


def poisson_throughput(rate: float):
    """Returns a wait_time that starts tasks as a Poisson process of `rate` per second:
    an exponential gap from the last task's start, minus what the task itself took."""
    def wait_time(user) -> float:
        now = time.monotonic()
        started = getattr(user, "_task_started", now)
        user._task_started = now + (gap := max(0.0, user.rng.expovariate(rate) - (now - started)))
        return gap
    return wait_time
install_recorder()


class ApiUser(FastHttpUser):
    network_timeout = TIMEOUT_S
    connection_timeout = TIMEOUT_S
    wait_time = poisson_throughput(RATE) if RATE > 0 else between(THINK_S / 2, THINK_S * 1.5)

    def on_start(self) -> None:
        self.number = next(_serial)
        self.rng = random.Random(f"{SEED}:{os.getpid()}:{self.number}")
        self.login()
        if RELOGIN_S > 0:
            # Token ages spread over the churn period: users spawned together would
            # otherwise all log in again together, a burst of new tokens every period.
            self.logged_in -= self.rng.uniform(0, RELOGIN_S)
        if RATE > 0:
            # The first task waits one exponential gap too, as in a Poisson process
            # already running: every user's first request at once was a burst of 80
            # (p99 over 500 ms in the first half second), not the load's steady rate.
            time.sleep(self.rng.expovariate(RATE))  # gevent's sleep: Locust patched it

    def login(self) -> None:
        """Gets a token from the auth service (a failed login keeps the old one, as a
        client would retry with what it has)."""
        self.logged_in = time.monotonic()
        answer = self.client.post(f"{AUTH_URL}/login", json={"sub": f"load-{os.getpid()}-{self.number}"},
                                  name="/login (auth)")
        if answer.status_code == 200:
            self.headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        elif not hasattr(self, "headers"):
            self.headers = {"Authorization": "Bearer none"}

    def on_task(self) -> None:
        if RELOGIN_S > 0 and time.monotonic() - self.logged_in >= RELOGIN_S:
            self.login()

    def read_user(self) -> None:
        self.on_task()
        self.client.get(f"/users/{self.rng.choice(IDS)}", headers=self.headers, name="/users/{user_id}")

    def list_page(self) -> None:
        """A page after a random user, or - one time in FIRST_PAGES - the first page, which
        can never be empty while the users the suite made exist (the recorder notes it)."""
        self.on_task()
        if self.rng.random() < FIRST_PAGES:
            self.client.get("/users?limit=20", headers=self.headers, name="/users", context={"first_page": True})
        else:
            self.client.get(f"/users?limit=20&after={self.rng.choice(IDS)}", headers=self.headers, name="/users")

    def create_user(self) -> None:
        self.on_task()
        email = f"load-{os.getpid()}-{self.number}-{self.rng.getrandbits(48):x}@example.test"
        self.client.post("/users", json={"email": email, "name": "Load User", "roles": ["reader"]},
                         headers=self.headers, name="/users")

    def update_user(self) -> None:
        self.on_task()
        self.client.patch(f"/users/{self.rng.choice(IDS)}", json={"name": "Load Renamed"},
                          headers=self.headers, name="/users/{user_id}")

    tasks = {task: weight for task, weight in zip((read_user, list_page, create_user, update_user), MIX) if weight > 0}
