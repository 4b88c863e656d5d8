"""The route census: which series are the users routes is found from what traffic did,
whatever label and values the service gives them - path templates, raw paths, handler
names - and a series first seen later (a 500 on a users route, a readiness check's 503)
is told apart by the same label."""

from runbook_drill.harness.observe.routes import FamilyRoutes, from_history, routes_from, samples, to_record
from tests.support.histories import history_with

READY, METRICS = "handler=ready,method=GET,status=200", "handler=prometheus,method=GET,status=200"


def _page(**series) -> dict[str, float]:
    return {f"http_requests_total{{{labels}}}": value for labels, value in series.items()}


def _handler_census() -> dict[str, FamilyRoutes]:
    first = _page(**{READY: 10, METRICS: 4})
    rest = _page(**{READY: 12, METRICS: 5})
    busy = _page(**{READY: 12, METRICS: 6, "handler=get_user,method=GET,status=200": 3,
                    "handler=list_users,method=GET,status=200": 2, "handler=get_user,method=GET,status=401": 1})
    return routes_from(first, rest, busy)


def test_handler_names_are_found_as_the_route_label_and_the_probes_values_are_not_users_routes():
    found = _handler_census()["http_requests_total"]
    assert found == FamilyRoutes("handler", frozenset({"ready", "prometheus"}))
    assert found.users("handler=get_user,method=GET,status=500}") and found.users("handler=update_user}")
    assert not found.users("handler=ready,method=GET,status=503}") and not found.users("method=GET,status=200}")


def test_path_templates_and_raw_paths_are_found_the_same_way():
    rest = {"http_requests_total{path=/health/ready}": 3.0, "http_requests_total{path=/metrics}": 1.0}
    busy = {**rest, "http_requests_total{path=/users/17}": 1.0, "http_requests_total{path=/users}": 2.0,
            "http_requests_total{path=/metrics}": 2.0}
    found = routes_from({"http_requests_total{path=/metrics}": 0.0, "http_requests_total{path=/health/ready}": 1.0},
                        rest, busy)["http_requests_total"]
    assert found.key == "path" and found.users("path=/users/99}") and not found.users("path=/health/ready}")


def test_a_service_whose_series_no_label_tells_apart_has_no_routes_found():
    rest = _page(**{"status=200": 10})
    assert routes_from(_page(**{"status=200": 5}), rest, _page(**{"status=200": 16})) == {}


def test_a_histogram_family_is_found_by_its_count_and_bucket_series_alike():
    rest = {"http_request_duration_seconds_count{handler=ready}": 2.0,
            "http_request_duration_seconds_bucket{handler=ready,le=0.5}": 2.0}
    busy = {**rest, "http_request_duration_seconds_count{handler=get_user}": 1.0,
            "http_request_duration_seconds_bucket{handler=get_user,le=0.5}": 1.0}
    first = {k: 1.0 for k in rest}
    found = routes_from(first, rest, busy)["http_request_duration_seconds"]
    assert found.key == "handler" and found.users("handler=get_user,le=0.5}")


def test_the_census_is_recorded_and_read_back_from_a_history():
    history = history_with(("routes", "census", 1.0, to_record(_handler_census())))
    assert from_history(history, "http_requests_total").key == "handler"
    assert from_history(history, "redis_hits_total") is None


def test_an_exposition_is_read_as_the_scrape_observer_records_it():
    text = ('# TYPE http_requests_total counter\n'
            'http_requests_total{handler="get_user",status="200"} 3\nother_total 1\n')
    assert samples(text) == {"http_requests_total{handler=get_user,status=200}": 3.0}
