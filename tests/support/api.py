"""Small helpers for talking to a running User API from tests."""

from __future__ import annotations

import requests
from prometheus_client.parser import text_string_to_metric_families

from runbook_drill.harness.polling import eventually


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def metric_families(base_url: str) -> dict:
    """Returns {family name: Metric} scraped from base_url/metrics."""
    text = requests.get(f"{base_url}/metrics", timeout=5).text
    return {family.name: family for family in text_string_to_metric_families(text)}


def sample_value(base_url: str, name: str, **labels: str) -> float:
    """Returns the sum of the samples called `name` whose labels include `labels`."""
    total = 0.0
    for family in metric_families(base_url).values():
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


def status_within(url: str, status: int, timeout: float, **kwargs) -> requests.Response:
    """Returns the first response from GET `url` with `status` within `timeout` seconds.

    Raises AssertionError (from `eventually`) with the last status seen otherwise.
    """
    seen: list[requests.Response] = []

    def probe() -> bool:
        seen.append(requests.get(url, timeout=5, **kwargs))
        return seen[-1].status_code == status

    eventually(probe, timeout, what=f"GET {url} -> {status}")
    return seen[-1]
