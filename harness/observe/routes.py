"""Which series of a request metric are the users routes, whatever the service labels
them: a path template (`route="/users/{id}"`), a raw path, or a handler's name
(`handler="get_user"`, `endpoint="users.read"`). Found from what traffic did, not from
the label's value: a census scrapes one replica before and after the traffic every
replica gets anyway (its probes - the suite sends them too - and the scrape itself),
then after a few users requests of the suite's own; the label whose values on the new
series never label the traffic at rest is the route label, and a series is a users
route when its value for that label is not one of those (so a 500 or a 401 on a users route, first seen later, is one too, and
a readiness check's 503 is not).

The census is recorded in each scenario's history ("routes" event); a history without
one (an old journal, a stack that took none) falls back to a route label value starting
with /users."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import requests
from prometheus_client.parser import text_string_to_metric_families

from runbook_drill.harness.observe.observers import family_samples

FAMILIES = ("http_requests_total", "http_request_duration_seconds")
# When more than one label tells the routes apart, the one named for it.
PREFERRED = ("route", "path", "handler", "endpoint", "uri", "url", "operation")
KIND, SOURCE = "routes", "census"


def label_pairs(rest: str) -> dict[str, str]:
    """Returns a recorded sample's labels ("k=v,k=v}") as a dict."""
    pairs = [pair.partition("=") for pair in rest.removesuffix("}").split(",") if pair]
    return {key: value for key, _, value in pairs}


def family_of(sample: str) -> str:
    """Returns the family a sample name belongs to (a histogram's _bucket/_count/_sum)."""
    for suffix in ("_bucket", "_count", "_sum"):
        if sample.endswith(suffix):
            return sample.removesuffix(suffix)
    return sample


@dataclass(frozen=True)
class FamilyRoutes:
    """The route label of one metric family and its values at rest (not users routes)."""

    key: str
    others: frozenset[str]

    def users(self, rest: str) -> bool:
        """True when a series' labels ("k=v,...}") name a users route."""
        value = label_pairs(rest).get(self.key)
        return value is not None and value not in self.others


def samples(text: str, families: tuple[str, ...] = FAMILIES) -> dict[str, float]:
    """Returns {"name{k=v,...}": value} of the families' samples in an exposition (the
    shape the scrape observer records)."""
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        if family.name in families or f"{family.name}_total" in families:  # the parser drops _total
            found.update(family_samples(family))
    return found


def _moved(before: dict[str, float], after: dict[str, float]) -> set[str]:
    return {key for key, value in after.items() if value != before.get(key, 0.0)}


def _route_key(busy: list[dict[str, str]], others: dict[str, set[str]]) -> str | None:
    """Returns the label every new series has and whose value labels nothing at rest."""
    common = set.intersection(*(set(labels) for labels in busy)) - {"le", "quantile"}
    keys = sorted(k for k in common if all(labels[k] not in others.get(k, set()) for labels in busy))
    return next((k for k in PREFERRED if k in keys), keys[0] if keys else None)


def _by_family(keys: set[str]) -> dict[str, list[dict[str, str]]]:
    """Returns the labels of recorded sample keys ("name{k=v,...}"), grouped by family."""
    grouped: dict[str, list[dict[str, str]]] = {}
    for key in keys:
        name, _, rest = key.partition("{")
        grouped.setdefault(family_of(name), []).append(label_pairs(rest))
    return grouped


def routes_from(first: dict[str, float], rest: dict[str, float], busy: dict[str, float]) -> dict[str, FamilyRoutes]:
    """Returns {family: its routes} from three scrapes: `first` and `rest` a quiet span
    apart, `busy` after the census's users requests. A family whose users series cannot
    be told apart (none new, or no label separates them) is left out."""
    at_rest, new = _moved(first, rest), _moved(rest, busy)
    resting, mine = _by_family(at_rest), _by_family(new - at_rest)
    found = {}
    for family in sorted(mine):
        others: dict[str, set[str]] = {}
        for labels in resting.get(family, []):
            for k, v in labels.items():
                others.setdefault(k, set()).add(v)
        key = _route_key(mine[family], others)
        if key:
            found[family] = FamilyRoutes(key, frozenset(others.get(key, set())))
    return found


def census(url: str, probes: Callable[[], None], users_requests: Callable[[], None],
           families: tuple[str, ...] = FAMILIES) -> dict[str, FamilyRoutes]:
    """Takes the census on the replica at `url` (see the module's docstring): `probes`
    sends what reaches a replica at rest (its probes), `users_requests` the suite's own
    requests to its users routes. Returns {family: routes}; raises
    requests.RequestException when /metrics does not answer."""
    def scrape() -> dict[str, float]:
        return samples(requests.get(f"{url}/metrics", timeout=5).text, families)
    first = scrape()
    probes()
    rest = scrape()
    users_requests()
    return routes_from(first, rest, scrape())


def to_record(routes: dict[str, FamilyRoutes]) -> dict:
    """Returns the census as a history event's data."""
    return {"families": {f: {"key": r.key, "others": sorted(r.others)} for f, r in routes.items()}}


def record(history, routes: dict[str, FamilyRoutes] | None) -> None:
    """Records the census in `history` (nothing when there is none)."""
    if routes:
        history.record(KIND, SOURCE, **to_record(routes))


def from_history(history, family: str) -> FamilyRoutes | None:
    """Returns the routes the history's census found for `family` (None: no census, or
    none found for it)."""
    for event in history.events(KIND, source=SOURCE):
        found = event.data.get("families", {}).get(family)
        if found:
            return FamilyRoutes(found["key"], frozenset(found["others"]))
    return None
