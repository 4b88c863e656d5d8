"""The operations the runbook's remediations (and the faults) need, as a mixin of the
stack: restart pods, scale, redeploy or roll back, change limits, replace the auth
service, seed users, and `reset()` - everything back to the stack's start, so a suite
starts the stack once. Each waits on a real condition with a deadline."""

from __future__ import annotations

import dataclasses

import requests

from runbook_drill.harness.engine.containers import cfs_period_us
from runbook_drill.harness.errors import HarnessError
from runbook_drill.harness.polling import wait_until
from runbook_drill.harness.stack.handles import ensure_running, logs_of, remove_quietly, together, url
from runbook_drill.harness.observe.routes import FamilyRoutes, census
from runbook_drill.harness.stack.topology import LIVE_PATH, READY_PATH
from runbook_drill.harness.stack.users import create_users, listed_ids


READY_WITHIN_S = 20.0  # after a reset, a replica not ready by then is replaced


class StackOperations:
    """Mixed into Stack: reads its containers (`replicas`, `auth_api`, ...) and config."""

    def seed(self, count: int) -> list[str]:
        """Makes `count` users - through the profile's declared command when it has one,
        else through POST /users on the first replica - and adds their ids, as the API
        answered them, to `user_ids` (what the load reads and updates); returns the new
        ids. Raises HarnessError when the users cannot be made."""
        base, argv = self.url(0), self.config.profile.create_users_argv(count)
        if not argv:
            made = create_users(base, count, self.token)
        else:
            result = self.replicas[0].exec(argv)
            if result.exit_code != 0:
                raise HarnessError(f"the profile's create_users {argv} exited {result.exit_code}: "
                                   f"{result.output.decode(errors='replace')[-300:]}")
            made = [i for i in listed_ids(base, self.token("drill-seed"), count + len(self.user_ids))
                    if i not in set(self.user_ids)]
        if len(made) < count:
            raise HarnessError(f"seeding made {len(made)} of {count} users")
        self.user_ids = [*self.user_ids, *made]
        return made

    def take_census(self) -> dict[str, FamilyRoutes]:
        """Finds which series of the request metrics are the users routes on the first
        replica (harness.observe.routes), keeps them as `routes` and returns them; {}
        when the replica's /metrics cannot be read (the checks then read a label value
        starting with /users). The cache is emptied after it: what it read is not served
        from the cache later (a test reading one of those users expects the database)."""
        base, ids = self.url(0), list(self.user_ids[:3])
        token = self.token("drill-census")

        def probes() -> None:
            for path in (LIVE_PATH, READY_PATH) * 2:
                requests.get(f"{base}{path}", timeout=5)

        def users_requests() -> None:
            headers, forged = {"Authorization": f"Bearer {token}"}, {"Authorization": f"Bearer {token[:-4]}AAAA"}
            for user_id in ids:
                requests.get(f"{base}/users/{user_id}", headers=headers, timeout=5)
            for params in ({"limit": 2}, {"limit": 2, **({"after": ids[0]} if ids else {})}):
                requests.get(f"{base}/users", params=params, headers=headers, timeout=5)
            requests.get(f"{base}/users/{ids[0] if ids else 1}", headers=forged, timeout=5)
        try:
            self.routes = census(base, probes, users_requests)
        except requests.RequestException:
            self.routes = {}
        self.redis.get_client(socket_timeout=5).flushall()  # the census's reads leave nothing cached
        return self.routes

    def wait_ready(self, container, timeout: float | None = None, port: int | None = None,
                   path: str = READY_PATH) -> None:
        """Waits until `container` answers 200 on `path` at `port` (a replica's readiness
        by default); raises HarnessError with its last log lines otherwise."""
        port = port or self.config.profile.port

        def answers() -> bool:
            return requests.get(f"{url(container, port)}{path}", timeout=1).status_code == 200

        if wait_until(answers, timeout or self.config.startup_timeout):
            return
        raise HarnessError(f"{container.get_wrapped_container().name} not ready in time; last logs: "
                           + logs_of(container)[-800:])

    def restart(self, container, wait_ready: bool = True) -> None:
        """Restarts a container (the runbook's "restart pods"); waits for a replica's readiness."""
        container.get_wrapped_container().restart(timeout=10)
        if wait_ready and container in self.replicas:
            self.wait_ready(container)

    def restart_replicas(self) -> None:
        """Restarts every replica at once (`kubectl delete pods -l app=user-api`: the
        deployment's pods restart together) and waits until each is ready."""
        together(self.restart, list(self.replicas))

    def scale(self, replicas: int) -> None:
        """Adds or removes baseline replicas until there are `replicas` of them (new ones
        start together, as a scaled deployment's pods do)."""
        together(lambda _: self.add_replica(), range(replicas - len(self.replicas)))
        while len(self.replicas) > replicas:
            self.remove_replica(self.replicas[-1])

    def redeploy(self, env: dict[str, str] | None = None, image: str | None = None, wait_ready: bool = True,
                 **docker_kwargs) -> None:
        """Hook: replaces every replica with one of `image`/`env` (None: the baseline: a
        rollback)."""
        count = len(self.replicas) or self.config.replicas
        self._remove_all_replicas()
        together(lambda _: self.add_replica(env, wait_ready=wait_ready, image=image, **docker_kwargs), range(count))

    def use_user_api_image(self, image: str | None, startup_timeout: float | None = None) -> None:
        """Makes `image` the User API the stack runs normally (None: the bundled one; a
        reset keeps it) and redeploys every replica with it, each given `startup_timeout`
        (default: the stack's) to become ready from now on. Raises what a replica that
        never becomes ready raises (a testcontainers TimeoutError, with its logs)."""
        self.config = dataclasses.replace(self.config, user_api_image=image,
                                          startup_timeout=startup_timeout or self.config.startup_timeout)
        self.redeploy()

    def update_limits(self, container, memory: str | None = None, cpus: float | None = None,
                      restart_on_failure: bool = False) -> None:
        """Updates a running container's memory limit (no swap) and CPU quota."""
        changes: dict = {}
        if memory is not None:
            changes.update(mem_limit=memory, memswap_limit=memory)
        if cpus is not None:
            period = cfs_period_us(cpus)
            changes.update(cpu_period=period, cpu_quota=round(cpus * period) if cpus > 0 else -1)
        if restart_on_failure:
            changes["restart_policy"] = {"Name": "on-failure", "MaximumRetryCount": 10}
        container.get_wrapped_container().update(**changes)

    def replace_auth_api(self, env: dict[str, str]) -> None:
        """Hook: starts the auth service with `env` (alias auth-api), replacing any
        running one; it is removed at exit whichever way it was replaced."""
        if self.auth_api is not None:
            self.discard(self.auth_api)
        self.auth_api = self.auth_api_container(env)
        self.auth_api.__enter__()
        self.exit_stack.callback(remove_quietly, self.auth_api)
        self.auth_env = env

    def reset(self) -> None:
        """Returns the stack to its start: no toxics, every proxy enabled, dependencies
        running and unpaused, baseline replicas and auth service, an empty cache. The
        seeded users stay (the contract names no table to empty: a scenario's load only
        reads, lists, creates and renames)."""
        self.fault_proxy().reset()
        self.restore_containers()
        self._reset_data()
        self.last_reset = {"replaced": self._replace_unready()}
        self.wait_lb_serving(len(self.replicas))

    def _replace_unready(self) -> list[dict]:
        """Waits until every replica is ready; one that is not in READY_WITHIN_S (a
        defect left it unable to serve - its pool leaked dry by the scenario before) is
        replaced, as the orchestrator the runbook assumes would restart it: one defect
        costs one verdict, not the run. Returns what was replaced, with its last log
        lines; raises HarnessError when a replacement is not ready either (the stack
        cannot be rebuilt)."""
        def ready(index: int) -> bool:
            try:
                self.wait_ready(self.replicas[index], timeout=READY_WITHIN_S)
                return True
            except HarnessError:
                return False

        unready = [i for i, ok in enumerate(together(ready, range(len(self.replicas)))) if not ok]
        replaced = []
        for index in unready:
            old = self.replicas[index]
            replaced.append({"replica": f"replica-{index}", "container": old.get_wrapped_container().name,
                             "last_logs": logs_of(old)[-400:]})
            self.replace_replica(index)  # waits for the new one's readiness: HarnessError if it never comes
        return replaced

    def wait_lb_serving(self, replicas: int, timeout: float = 15.0) -> None:
        """Waits until the load balancer routes to exactly `replicas` servers (a replica
        removed by the reset is out of its pool - its requests would be 503s in the next
        scenario's steady state); raises HarnessError naming the count at the deadline."""
        if self.lb is None:
            return
        seen: list[int] = [-1]

        def serving() -> bool:
            csv = requests.get(f"{self.lb_stats_url()}/stats;csv", timeout=2).text.splitlines()
            fields = csv[0].lstrip("# ").split(",")
            rows = [dict(zip(fields, line.split(","))) for line in csv[1:] if line]
            seen[0] = sum(1 for r in rows if r.get("pxname") == "user_api" and r.get("svname") not in
                          ("FRONTEND", "BACKEND") and r.get("status", "").startswith("UP"))
            return seen[0] == replicas

        if not wait_until(serving, timeout, interval=0.2):
            raise HarnessError(f"the load balancer routes to {seen[0]} replica(s), not {replicas}, {timeout:g}s "
                               "after its replicas were replaced")

    def wait_alerts_quiet(self, timeout: float = 30.0) -> list[str]:
        """Waits until no alert is pending or firing - what the last scenario set off
        has resolved, and a scenario's pages are its own; returns the alerts still
        active at the deadline ([] when quiet, or when the stack has no Prometheus)."""
        if self.prometheus is None:
            return []
        active: list[str] = ["(not asked yet)"]

        def quiet() -> bool:
            alerts = requests.get(f"{self.prometheus_url()}/api/v1/alerts", timeout=2).json()["data"]["alerts"]
            active[:] = [a["labels"]["alertname"] for a in alerts]
            return not active

        wait_until(quiet, timeout, interval=0.25)
        return active

    def restore_containers(self) -> None:
        """Hook: baseline replicas and auth service, running and unpaused, limits lifted."""
        for replica in [r for r in self.replicas if not getattr(r, "drill_baseline", False)]:
            self.remove_replica(replica)
        for container in (self.postgres, self.redis, self.auth_api, *self.replicas):
            ensure_running(container)
        if self.auth_env != {"JWT_SECRET": self.config.jwt_secret}:
            self.replace_auth_api({"JWT_SECRET": self.config.jwt_secret})
        for replica in self.replicas:
            self.update_limits(replica, memory="8g", cpus=0)  # limits back to none in effect
        self.scale(self.config.replicas)

    def _reset_data(self) -> None:
        self.redis.get_client(socket_timeout=5).flushall()
        if len(self.user_ids) < self.config.seed_users:
            self.seed(self.config.seed_users - len(self.user_ids))
