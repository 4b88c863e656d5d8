"""The users the load reads and updates, made the way the contract allows: through the
public API (POST /users), or through a command the team's profile declares - and their
ids always as the API answered them (integers, UUIDs, any text), never assumed.

Each seeding worker sends as its own client (a new token every BATCH creates), as the
load's users do: a rate limit counted per client then never slows the seeding; a 429
is waited out (its Retry-After, bounded by the deadline), as a client would."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import requests

from runbook_drill.harness.errors import HarnessError

WORKERS = 8
BATCH = 25  # creates per token
SEED_TIMEOUT_S = 180.0
PAGE = 100  # users per list page when ids are collected after a declared command


def user_body(email: str) -> dict:
    """Returns the body of POST /users the contract names (email, name, roles)."""
    return {"email": email, "name": "Drill User", "roles": ["reader"]}


def answered_id(answer: requests.Response) -> str:
    """Returns the id of the user in `answer` (a created or read user) as text; raises
    HarnessError when the answer has none."""
    try:
        body = answer.json()
        return str(body["id"])
    except (ValueError, KeyError, TypeError):
        raise HarnessError(f"POST /users answered {answer.status_code} without a user id: "
                           f"{answer.text[:200]}") from None


def create_users(base: str, count: int, token: Callable[[str], str], deadline_s: float = SEED_TIMEOUT_S) -> list[str]:
    """Creates `count` users through POST /users at `base`; returns their ids in order
    of creation. Raises HarnessError when a create fails or the deadline passes."""
    run = uuid.uuid4().hex[:8]
    deadline = time.monotonic() + deadline_s
    batches = [range(start, min(start + BATCH, count)) for start in range(0, count, BATCH)]

    def create_batch(numbers: range) -> list[str]:
        headers = {"Authorization": f"Bearer {token(f'drill-seed-{run}-{numbers.start}')}"}
        with requests.Session() as session:
            return [_create_one(session, base, headers, f"drill-{run}-{n}@example.test", deadline) for n in numbers]

    with ThreadPoolExecutor(WORKERS, thread_name_prefix="seed") as pool:
        return [user_id for batch in pool.map(create_batch, batches) for user_id in batch]


def _create_one(session: requests.Session, base: str, headers: dict, email: str, deadline: float) -> str:
    while True:
        try:
            answer = session.post(f"{base}/users", json=user_body(email), headers=headers, timeout=10)
        except requests.RequestException as exc:
            raise HarnessError(f"seeding users: POST /users got no answer: {type(exc).__name__}") from None
        if answer.status_code in (200, 201):
            return answered_id(answer)
        if answer.status_code != 429 or time.monotonic() > deadline:
            raise HarnessError(f"seeding users: POST /users answered {answer.status_code}: {answer.text[:200]}")
        time.sleep(min(_retry_after(answer), max(0.0, deadline - time.monotonic())))  # the client's wait, not sync


def _retry_after(answer: requests.Response) -> float:
    try:
        return min(10.0, max(0.1, float(answer.headers.get("Retry-After", "1"))))
    except ValueError:
        return 1.0


def listed_ids(base: str, token: str, want: int, deadline_s: float = 60.0) -> list[str]:
    """Returns up to `want` user ids read from the list pages at `base` (GET /users with
    limit and after=<last id seen>, the contract's keyset pages). Raises HarnessError
    when a page is not a list of users."""
    ids: list[str] = []
    deadline = time.monotonic() + deadline_s
    headers = {"Authorization": f"Bearer {token}"}
    while len(ids) < want and time.monotonic() < deadline:
        params = {"limit": PAGE, **({"after": ids[-1]} if ids else {})}
        answer = requests.get(f"{base}/users", params=params, headers=headers, timeout=10)
        page = page_items(answer)
        ids += [str(user["id"]) for user in page]
        if len(page) < PAGE:
            break
    return ids[:want]


def page_items(answer: requests.Response) -> list[dict]:
    """Returns the users of a list page: a JSON list, or an object with the list under
    "items", "users" or "data". Raises HarnessError for anything else."""
    try:
        body = answer.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        body = next((body[k] for k in ("items", "users", "data") if isinstance(body.get(k), list)), None)
    if answer.status_code != 200 or not isinstance(body, list) or not all(isinstance(u, dict) and "id" in u
                                                                        for u in body):
        raise HarnessError(f"GET /users answered {answer.status_code}, not a page of users: {answer.text[:200]}")
    return body
