"""The pre-flight: an image started with its dependencies (one replica, no load
balancer, no monitoring: fast) and every contract line that needs no chaos checked
from outside - HTTP, /metrics, the logs as `grep` reads them, container state. Returns
one Result per line; never raises for what the image does, only for a harness that
cannot run (no engine, a bad profile)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Callable

import requests
from prometheus_client.parser import text_string_to_metric_families

from runbook_drill.harness.checks.logs import greps
from runbook_drill.harness.checks.metrics import expected_type
from runbook_drill.harness.contract.lines import BY_ID, LINES, Line
from runbook_drill.harness.errors import ConfigError
from runbook_drill.harness.polling import wait_until
from runbook_drill.harness.stack.topology import LIVE_PATH, StackConfig

ERROR = "ERROR"  # what the runbook's `grep ERROR` looks for
KNOB_LIMIT = {"rate_limit_requests": "20", "rate_limit_window_s": "10"}
# Twice the limit and one more, sent well within one window: whatever the limiter - a
# fixed window aligned to the clock (the burst may straddle its edge: 30 could split
# 15 + 15 and never be over), a sliding window, a token bucket - some window holds more
# than the limit, so a correct limiter answers 429 at least once.
GREEDY_REQUESTS = 2 * int(KNOB_LIMIT["rate_limit_requests"]) + 1
EXIT_WITHIN_S = 10.0


@dataclass(frozen=True)
class Result:
    """One line's outcome: met or not, with what was seen."""

    line: Line
    met: bool
    evidence: str


def _result(line_id: str, met: bool, evidence: str) -> Result:
    return Result(BY_ID[line_id], bool(met), evidence[:300])


def preflight(session, image: str | None, profile, knobs: dict[str, str], metric_names: list[str],
              stack_factory) -> list[Result]:
    """Starts `image` (None: the bundled User API) as `profile` says, with the suite's
    `knobs` (the rate limit lowered for the burst), checks every pre-flight line and
    returns their Results in contract order. `stack_factory(session, config)` makes the
    stack (harness.stack.Stack)."""
    try:
        profile.require_knobs()
        declared = _result("knobs.declared", True, ", ".join(f"{k}->{v}" for k, v in profile.knobs.items()))
    except ConfigError as exc:
        return [_result("knobs.declared", False, str(exc))]
    config = StackConfig(replicas=1, knobs={**knobs, **KNOB_LIMIT}, user_api_image=image, profile=profile,
                         startup_timeout=profile.startup_timeout_s)
    results = [declared]
    try:
        with stack_factory(session, config) as stack:
            results += [_result("start.ready", True, f"ready on port {profile.port}")]
            results += _checks(stack, metric_names)
    except Exception as exc:  # the image did not come up: that is the answer, not a crash
        results.append(_result("start.ready", False, f"{type(exc).__name__}: {exc}"))
    return _ordered(results)


def _ordered(results: list[Result]) -> list[Result]:
    order = {line.id: n for n, line in enumerate(LINES)}
    return sorted(results, key=lambda r: order[r.line.id])


def _checks(stack, metric_names: list[str]) -> list[Result]:
    """Runs every check in turn; one that raises (the image dropped a connection, answered
    what is not JSON) is its lines unmet with what happened - the others still run."""
    # The metrics after the requests: a labelled counter has no series before its
    # first count (client_golang's way, and Prometheus's): errors must have happened.
    checks: list[tuple[tuple[str, ...], Callable]] = [
        (("probe.live",), _live), (("auth.invalid_token",), _invalid_token),
        (("users.create", "users.read", "users.list", "users.update", "users.paginated"), _users),
        (("ratelimit.client",), _rate_limit),
        (("metrics.exported", "metrics.judging"), lambda s: _metrics(s, metric_names)),
        (("knobs.spelled",), _spelled), (("config.bad_exits",), _bad_config), (("process.exits",), _exits)]
    results: list[Result] = []
    for lines, check in checks:
        try:
            results += check(stack)
        except Exception as exc:  # what the image did is the evidence, not a crash of the pre-flight
            done = {r.line.id for r in results}
            results += [_result(i, False, f"{type(exc).__name__}: {exc}") for i in lines if i not in done]
    return results


def _get(stack, path: str, token: str | None = None, **kwargs) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(f"{stack.url()}{path}", headers=headers, timeout=5, **kwargs)


def _live(stack) -> list[Result]:
    answer = _get(stack, LIVE_PATH)
    return [_result("probe.live", answer.status_code == 200, f"GET {LIVE_PATH}: {answer.status_code}")]


JUDGING = ("redis_misses_total", "db_connection_pool_timeouts_total")


def metric_types(text: str) -> dict[str, str]:
    """Returns {sample name family: type} of an exposition, counters under their _total
    name too (the parser strips it)."""
    types = {}
    for family in text_string_to_metric_families(text):
        types[family.name] = family.type
        if family.type == "counter":
            types[f"{family.name}_total"] = "counter"
    return types


def _metrics(stack, names: list[str]) -> list[Result]:
    answer = requests.get(f"{stack.url()}/metrics", timeout=5)
    types = metric_types(answer.text) if answer.status_code == 200 else {}
    wrong = [f"{n}: {types.get(n, 'missing')} (want {expected_type(n)})" for n in names
             if types.get(n) != expected_type(n)]
    missing = [n for n in JUDGING if types.get(n) != "counter"]
    return [_result("metrics.exported", not wrong, "; ".join(wrong) or f"{len(names)} runbook metrics, types right"),
            _result("metrics.judging", not missing, f"missing or not counters: {missing}" if missing else "both")]


def _logged(stack, since: float, text: str, within_s: float = 5.0) -> str | None:
    """Returns the first replica log line `grep ERROR` prints naming `text`, once one
    appears within `within_s` (None: none did)."""
    found: list[str] = []

    def appeared() -> bool:
        found[:] = [line for line in stack.logs(stack.replicas[0], since=int(since)).splitlines()
                    if greps(line, ERROR, text)]
        return bool(found)
    return found[0] if wait_until(appeared, within_s, interval=0.25) else None


def _invalid_token(stack) -> list[Result]:
    since = time.time() - 1
    forged = stack.token("drill-contract")[:-4] + "AAAA"
    answer = _get(stack, "/users", forged, params={"limit": 1})
    line = _logged(stack, since, "invalid token")
    met = answer.status_code == 401 and line is not None
    return [_result("auth.invalid_token", met, f"{answer.status_code}; log: {line or 'no ERROR line naming it'}")]


def _users(stack) -> list[Result]:
    from runbook_drill.harness.stack.users import answered_id, page_items, user_body

    token = stack.token(f"drill-contract-{uuid.uuid4().hex[:6]}")
    headers = {"Authorization": f"Bearer {token}"}
    base = stack.url()
    made = [requests.post(f"{base}/users", json=user_body(f"contract-{uuid.uuid4().hex}@example.test"),
                          headers=headers, timeout=5) for _ in range(3)]
    if any(a.status_code not in (200, 201) for a in made):
        bad = next(a for a in made if a.status_code not in (200, 201))
        return [_result("users.create", False, f"POST /users: {bad.status_code} {bad.text[:150]}")]
    try:
        ids = [answered_id(a) for a in made]
    except Exception as exc:
        return [_result("users.create", False, str(exc))]
    results = [_result("users.create", True, f"{made[0].status_code}; ids like {ids[0]!r}")]
    read = _get(stack, f"/users/{ids[0]}", token)
    results += _list(stack, token, ids, page_items)
    renamed = requests.patch(f"{base}/users/{ids[0]}", json={"name": "Drill Renamed"}, headers=headers, timeout=5)
    deleted = requests.delete(f"{base}/users/{ids[0]}", headers=headers, timeout=5)
    gone = _get(stack, f"/users/{ids[0]}", token)
    same = read.status_code == 200 and str(read.json().get("id")) == ids[0]
    results.append(_result("users.read", same and gone.status_code == 404,
                           f"read {read.status_code}; after delete {gone.status_code}"))
    results.append(_result("users.update", renamed.status_code == 200 and 200 <= deleted.status_code < 300,
                           f"PATCH {renamed.status_code}; DELETE {deleted.status_code}"))
    huge = _get(stack, "/users", token, params={"limit": 100000})
    results.append(_result("users.paginated", huge.status_code == 400, f"limit=100000: {huge.status_code}"))
    return results


def _list(stack, token: str, ids: list[str], page_items) -> list[Result]:
    try:
        first = page_items(_get(stack, "/users", token, params={"limit": 2}))
        after = page_items(_get(stack, "/users", token, params={"limit": 2, "after": str(first[-1]["id"])}))
    except Exception as exc:
        return [_result("users.list", False, str(exc))]
    paged = len(first) <= 2 and bool(first) and not {str(u["id"]) for u in first} & {str(u["id"]) for u in after}
    return [_result("users.list", paged, f"limit=2: {len(first)} users; after {first[-1]['id']!r}: {len(after)}, "
                                         "none repeated" if paged else "pages overlap or are too long")]


def _rate_limit(stack) -> list[Result]:
    since, token = time.time() - 1, stack.token(f"drill-greedy-{uuid.uuid4().hex[:6]}")
    with requests.Session() as session:
        statuses = [session.get(f"{stack.url()}/users", params={"limit": 1}, timeout=5,
                                headers={"Authorization": f"Bearer {token}"}).status_code
                    for _ in range(GREEDY_REQUESTS)]
    line = _logged(stack, since, "rate limit") if 429 in statuses else None
    return [_result("ratelimit.client", 429 in statuses and line is not None,
                    f"{GREEDY_REQUESTS} requests, limit 20 per 10 s: {statuses.count(429)} answered 429; "
                    f"log: {line or 'no ERROR line naming rate limit'}")]


# The pool as the pool scenarios shrink it: a fraction of a second, the minimum at 1.
SCENARIO_KNOBS = {"db_pool_max": 2, "db_pool_min": 1, "db_pool_timeout_s": 0.5, "db_statement_timeout_ms": 30000}


def _spelled(stack) -> list[Result]:
    """A replica started with the knobs at values the scenarios set, written as the
    profile spells them, becomes ready (an image that reads 0.5 as a bad integer does not)."""
    env = stack.config.profile.knob_env(SCENARIO_KNOBS)
    written = ", ".join(f"{name}={value}" for name, value in env.items())
    container = stack.replica_container(env)
    try:
        container.__enter__()  # waits until ready; removes itself when it never is
        return [_result("knobs.spelled", True, f"ready with {written}")]
    except Exception as exc:  # not ready with the suite's values: that is the answer
        return [_result("knobs.spelled", False, f"with {written}: {type(exc).__name__}: {str(exc)[:150]}")]
    finally:
        stack.discard(container)


def _bad_config(stack) -> list[Result]:
    container = stack.replica_container(stack.config.profile.knob_env({"db_pool_max": "not-a-number"}),
                                        wait_ready=False)
    container.start()
    try:
        wrapped = container.get_wrapped_container()

        def exited() -> bool:
            wrapped.reload()
            return wrapped.status == "exited"
        done = wait_until(exited, 15, interval=0.2)
        code = wrapped.attrs["State"]["ExitCode"]
        last = (wrapped.logs().decode(errors="replace").strip().splitlines() or [""])[-1]
        return [_result("config.bad_exits", done and code != 0,
                        f"exit {code}: {last}" if done else "still running 15 s after start")]
    finally:
        stack.discard(container)


def _exits(stack) -> list[Result]:
    wrapped = stack.replicas[0].get_wrapped_container()
    started = time.monotonic()
    wrapped.stop(timeout=int(EXIT_WITHIN_S) + 5)
    took = time.monotonic() - started
    wrapped.reload()
    return [_result("process.exits", took <= EXIT_WITHIN_S, f"SIGTERM: exited {wrapped.attrs['State']['ExitCode']} "
                                                             f"after {took:.1f}s")]


def render(results: list[Result]) -> str:
    """Returns the table `drill contract` prints: line, result, evidence."""
    rows = [(r.line.id, "met" if r.met else "UNMET", r.evidence) for r in results]
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"{i:<{width}}  {m:<5}  {e}" for i, m, e in rows)


CONTRACT_CASE = "contract"  # the run's case for the runbook lines the pre-flight found unmet


def judged_elsewhere(results: list[Result], run: set[str]) -> dict[str, list[str]]:
    """Returns {unmet runbook line: the scenarios of `run` that judge it too}."""
    return {r.line.id: [s for s in r.line.judged_by if s in run] for r in results if not r.met and not r.line.drives}


def unmet_record(results: list[Result], image: str, started: float, ended: float):
    """Returns the pre-flight's unmet runbook lines as a failed case of the run (a
    journal record: one failed verdict per line, with its evidence and the runbook line
    it comes from), so no run exits 0 with a runbook line known unmet - a ScenarioRecord;
    None when every runbook line was met."""
    from runbook_drill.harness.checks.base import FAIL, Verdict
    from runbook_drill.harness.run.journal import ScenarioRecord

    unmet = [r for r in results if not r.met and not r.line.drives]
    if not unmet:
        return None
    verdicts = [Verdict(f"{r.line.id}: {r.line.claim}", FAIL, {"seen": r.evidence, "runbook": r.line.source,
                                                               "judged_by": list(r.line.judged_by)})
                for r in unmet]
    return ScenarioRecord(
        scenario=CONTRACT_CASE, title=f"the pre-flight of {image} (docs/contract.md)", runbook="Contract",
        status="failed", error="", start=started, end=ended, proves=[r.line.source for r in unmet], calibration={},
        remediation="", fault={}, background=[], activities=[], verdicts=verdicts, paging={},
        history={"windows": {}, "events": []}, seconds=round(ended - started, 2))
