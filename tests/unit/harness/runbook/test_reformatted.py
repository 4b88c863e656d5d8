"""A runbook laid out differently but saying the same things reads the same: the same
claims with the same values (lines may move, anchors still name their line), the same
scenarios built from it, the same coverage - for every mix of the rewrites formatters
and wikis make (a property test, derandomized so CI sees the same cases every run)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scenarios
from harness.report import coverage
from harness.runbook import RUNBOOK, Runbook
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
    text = rewrites.bullets(ORIGINAL, draw(st.sampled_from("-*+")), draw(st.sampled_from(".)")))
    text = rewrites.headings(text, draw(st.integers(0, 2)))
    text = rewrites.emphasis(text, draw(st.sampled_from(["keep", "underscore", "plain", "inside", "added"])))
    if draw(st.booleans()):
        text = rewrites.rewrapped(text, draw(st.integers(24, 80)))
    if draw(st.booleans()):
        text = rewrites.reordered(text, draw(st.permutations(range(rewrites.section_count(text)))))
    text = rewrites.trailing_spaces(text, draw(st.integers(1, 7)))
    return rewrites.crlf(text) if draw(st.booleans()) else text


@settings(derandomize=True, max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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
