"""What the fault tests share: requests to a replica, a fault injected with its evidence."""

import requests

from tests.support.api import bearer


def get(stack, path, token=None, timeout=10):
    headers = bearer(token or stack.token("faults"))
    return requests.get(f"{stack.url()}{path}", headers=headers, timeout=timeout)


def applied(stack, fault):
    try:
        evidence = fault.inject(stack)
    except Exception:
        fault.heal(stack)
        raise
    assert evidence, "a fault must return the evidence that it took effect"
    return evidence


def quiet_get(stack, path, token):
    try:
        return get(stack, path, token, timeout=20).status_code
    except requests.RequestException:
        return None
