"""Following the record files of a running load: whole lines only, each record once,
files of processes that start later included."""

import json

from runbook_drill.load.runner import RecordTail


def _line(t):
    return json.dumps({"t": t, "endpoint": "/users/{user_id}", "method": "GET", "status": 200,
                       "latency": 0.001, "error": ""}) + "\n"


def test_each_record_is_read_once_and_a_half_written_line_waits_for_its_end(tmp_path):
    tail = RecordTail(tmp_path)
    path = tmp_path / "records.1.jsonl"
    path.write_text(_line(1) + _line(2)[:10])
    assert [r["t"] for r in tail.read_new()] == [1]
    with path.open("a") as out:
        out.write(_line(2)[10:] + _line(3))
    assert [r["t"] for r in tail.read_new()] == [2, 3]
    assert tail.read_new() == []


def test_a_file_that_appears_later_is_followed_too(tmp_path):
    tail = RecordTail(tmp_path)
    assert tail.read_new() == []
    (tmp_path / "records.7.jsonl").write_text(_line(5))
    (tmp_path / "locust-0.log").write_text("not a record\n")
    assert [r["t"] for r in tail.read_new()] == [5]


def test_the_recorder_reads_the_header_the_harness_names():
    """load/records.py runs inside Locust and spells the header out: the same name."""
    from runbook_drill.harness.observe.history import REPLICA_HEADER
    from runbook_drill.load.runner import LOCUSTFILE

    source = (LOCUSTFILE.parent / "records.py").read_text()
    assert f'REPLICA_HEADER = "{REPLICA_HEADER}"' in source


class _Answer:
    def __init__(self, text):
        self.text = text


def test_a_list_page_s_size_is_read_in_every_shape_the_contract_allows_and_none_for_anything_else():
    from runbook_drill.load.pages import page_size

    assert page_size(_Answer('[{"id": 1}, {"id": 2}]')) == 2
    assert page_size(_Answer('{"items": [], "next_after": null}')) == 0
    assert page_size(_Answer('{"data": [{"id": "a"}]}')) == 1
    assert page_size(_Answer('{"error": "database unavailable"}')) is None
    assert page_size(_Answer("<html>503</html>")) is None
