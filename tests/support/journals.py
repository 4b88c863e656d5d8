"""Hand-built scenario journals, shaped as harness/run/runner.py writes them: a fault window
at 10-20 s, the remediation at 20-21 s, served again from 22 s; one request every 0.1 s
(failing inside the fault window when `symptom`), readiness probes of two replicas
every 0.5 s, and an errors counter scraped every second."""

from runbook_drill.harness.run.journal import ScenarioRecord

START = 1_000_000.0


def _requests(symptom: bool) -> list[dict]:
    out = []
    for i in range(280):
        t = START + 1 + i * 0.1
        failing = symptom and START + 10.3 <= t < START + 20
        out.append({"t": t, "kind": "request", "source": "load",
                    "data": {"endpoint": "/users/{user_id}", "method": "GET", "status": 500 if failing else 200,
                             "error": "", "latency": 0.02 + (i % 100 == 0) * 0.3}})
    return out


def _probes(symptom: bool) -> list[dict]:
    out = []
    for i in range(60):
        t = START + i * 0.5
        for replica in ("replica-0", "replica-1"):
            down = symptom and START + 11 <= t < START + 21.5
            out.append({"t": t, "kind": "probe", "source": replica,
                        "data": {"path": "/health/ready", "status": 503 if down else 200, "latency": 0.002}})
    return out


def _scrapes() -> list[dict]:
    return [{"t": START + i, "kind": "metrics", "source": replica,
             "data": {"samples": {"http_requests_errors_total{route=/users/{user_id}}": float(max(0, i - 10))}}}
            for i in range(30) for replica in ("replica-0", "replica-1")]


def journal(scenario: str = "db-refused", status: str = "passed", symptom: bool = True, error: str = "",
            verdicts: list[dict] | None = None) -> ScenarioRecord:
    """Returns one scenario's journal record, typed as every reader takes it."""
    return ScenarioRecord.from_json(journal_data(scenario, status, symptom, error, verdicts))


def journal_data(scenario: str = "db-refused", status: str = "passed", symptom: bool = True, error: str = "",
                 verdicts: list[dict] | None = None) -> dict:
    """Returns one scenario's journal record as the journal file holds it."""
    windows = {"steady": (START + 4, START + 10), "fault": (START + 10, START + 20),
               "recovery": (START + 21, START + 26), "recovered": (START + 22, START + 26)}
    return {
        "scenario": scenario, "title": f"{scenario} title", "runbook": "Database Connection Failures",
        "status": status, "error": error, "start": START, "end": START + 28,
        "proves": ['L67: **Symptoms**: 500 errors, logs show "connection refused"'], "calibration": {},
        "remediation": "restart user-api pods", "fault": {"kind": "dependency_refused", "params": {}, "evidence": {}},
        "background": [], "paging": {}, "schema": 2,
        "activities": [{"name": "inject dependency_refused", "start": START + 10, "end": START + 10.1, "output": None,
                        "error": ""},
                       {"name": "remediation: restart user-api pods", "start": START + 20, "end": START + 21,
                        "output": None, "error": ""}],
        "verdicts": verdicts if verdicts is not None else [
            {"check": "the service http_requests_errors_total rises", "status": "pass",
             "evidence": {"window": "fault", "first": 0, "last": 9}}],
        "history": {"windows": {n: {"name": n, "start": s, "end": e} for n, (s, e) in windows.items()},
                    "events": _requests(symptom) + _probes(symptom) + _scrapes()},
    }


def record_of(**fields) -> ScenarioRecord:
    """Returns a typed record with just the given fields set (the rest empty): for a test
    of a reader that looks at a few of them."""
    base = {"scenario": "s", "title": "", "runbook": "", "status": "passed", "error": "", "start": START,
            "end": START + 1, "proves": [], "calibration": {}, "remediation": "", "fault": {}, "background": [],
            "activities": [], "verdicts": [], "paging": {}, "history": {"windows": {}, "events": []}}
    return ScenarioRecord.from_json({**base, **fields})
