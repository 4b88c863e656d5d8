"""A scenario's journal: written from a typed record with a schema version, read back
the same; a file that is not a journal, or of a newer schema, is named in the error."""

import json

import pytest

from runbook_drill.harness.run import journal
from runbook_drill.harness.run.journal import SCHEMA_VERSION, JournalError, ScenarioRecord
from tests.support.journals import journal_data as hand_built


def test_a_written_record_reads_back_as_it_was_written(tmp_path):
    record = ScenarioRecord.from_json(hand_built())
    written = json.loads((journal.write(tmp_path, record) and tmp_path / "db-refused.json").read_text())
    assert written["schema"] == SCHEMA_VERSION and "seconds" not in written
    back = journal.read(tmp_path / "db-refused.json")
    assert back == record and back.to_json() == written
    assert all(v.margin() == w.margin() for v, w in zip(back.verdicts, record.verdicts))


def test_a_journal_of_before_the_schema_version_is_read_as_version_1_of_the_same_fields(tmp_path):
    old = {k: v for k, v in hand_built().items() if k != "schema"}
    (tmp_path / "old.json").write_text(json.dumps(old))
    assert journal.read(tmp_path / "old.json").scenario == "db-refused"


@pytest.mark.parametrize("change, message", [
    (lambda d: d.pop("verdicts"), "no 'verdicts'"),
    (lambda d: d.update(schema=SCHEMA_VERSION + 1), "newer than this drill reads"),
])
def test_a_file_that_is_not_a_journal_this_drill_reads_is_named(tmp_path, change, message):
    data = hand_built()
    change(data)
    (tmp_path / "x.json").write_text(json.dumps(data))
    with pytest.raises(JournalError, match=message):
        journal.read(tmp_path / "x.json")


def test_a_file_that_is_not_json_is_a_journal_error(tmp_path):
    (tmp_path / "x.json").write_text("{not json")
    with pytest.raises(JournalError, match="x.json"):
        journal.read(tmp_path / "x.json")
