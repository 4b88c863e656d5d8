"""A runbook laid out differently but saying the same things reads the same: the same
claims with the same values (lines may move, anchors still name their line), the same
scenarios built from it, the same coverage - for every mix of the rewrites formatters,
wikis and teams make (lists as tables, quantities in other units; a property test,
derandomized so CI sees the same cases every run)."""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runbook_drill import scenarios
from runbook_drill.harness.report import coverage
from runbook_drill.harness.runbook import RUNBOOK, Runbook
from tests.unit.harness.runbook import rewrites

ORIGINAL = RUNBOOK.read_text()
REFERENCE = Runbook()


def _kinds(book: Runbook) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in coverage.rows(book, scenarios.build(book)):
        counts[row.kind] = counts.get(row.kind, 0) + 1
    counts.pop("structure", None)  # a wrapped line is structure: the block counts once
    return counts


@st.composite
def layouts(draw) -> str:
    as_tables = tuple(draw(st.sets(st.sampled_from(rewrites.TABLE_SECTIONS))))
    text = rewrites.tables(ORIGINAL, as_tables, draw(st.booleans())) if as_tables else ORIGINAL
    text = rewrites.units(text, {q: draw(st.integers(0, 5)) for q in rewrites.UNIT_SPELLINGS})
    text = rewrites.bullets(text, draw(st.sampled_from("-*+")), draw(st.sampled_from(".)")))
    text = rewrites.headings(text, draw(st.integers(0, 2)))
    text = rewrites.emphasis(text, draw(st.sampled_from(["keep", "underscore", "plain", "inside", "added"])))
    if draw(st.booleans()):
        text = rewrites.rewrapped(text, draw(st.integers(24, 80)))
    if draw(st.booleans()):
        text = rewrites.reordered(text, draw(st.permutations(range(rewrites.section_count(text)))))
    text = rewrites.trailing_spaces(text, draw(st.integers(1, 7)))
    return rewrites.crlf(text) if draw(st.booleans()) else text


@settings(derandomize=True, max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layout=layouts())
def test_a_runbook_rewritten_without_changing_its_meaning_reads_the_same(tmp_path_factory, layout):
    path = tmp_path_factory.mktemp("layout") / "runbook.md"
    path.write_bytes(layout.encode())
    book = Runbook(path)
    assert {k: c.value for k, c in book.claims.items()} == {k: c.value for k, c in REFERENCE.claims.items()}
    for claim in book.claims.values():
        assert book.lines[claim.line - 1].strip() == claim.text
    for scenario in scenarios.build(book):
        for anchor in scenario.proves:
            number, text = anchor[1:].split(": ", 1)
            assert book.lines[int(number) - 1].strip() == text, (scenario.id, anchor)
    assert _kinds(book) == _kinds(REFERENCE)


def test_each_rewrite_really_changes_the_layout():
    assert "* `http_requests_total`" in rewrites.bullets(ORIGINAL, "*", ".")
    assert "#### High Error Rate (>1%)" in rewrites.headings(ORIGINAL, 1)
    assert "Symptoms: 500 errors" in rewrites.emphasis(ORIGINAL, "plain")
    wrapped = rewrites.rewrapped(ORIGINAL, 30)
    assert max(len(line) for line in wrapped.split("\n") if "```" not in line and "kubectl" not in line
               and "helm" not in line) < 60
    reordered = rewrites.reordered(ORIGINAL, [6, 5, 4, 3, 2, 1, 0])
    assert reordered[ORIGINAL.index("## "):].startswith("## Recent Incidents")


def test_the_lists_written_as_tables_and_the_quantities_in_other_units_really_change():
    text = rewrites.units(rewrites.tables(ORIGINAL, rewrites.TABLE_SECTIONS, True),
                          {q: 1 for q in rewrites.UNIT_SPELLINGS})
    assert "| `http_requests_total` | Total requests |" in text
    assert "| 1 | **Primary On-Call** | Platform Team | auto-paged |" in text
    assert "| Endpoint | `GET /health/live` |" in text
    assert "(p99 >0.5s)" in text and "(> 1 %)" in text and "resolve in 5 min," in text
    assert not re.search(r"(?m)^([-*+]|\d+[.)]) ", text[text.index("## Health Checks"):])  # no list item left
