"""The runbook's Markdown as blocks: plain text as a reader sees it, the lines of the
file as written, and the headings above - whatever the layout."""

from runbook_drill.harness.runbook.document import CODE, HEADING, ITEM, PARAGRAPH, ROW, blocks, closest, source_lines

SETEXT = """Runbook
=======

Health Checks
-------------

1) **Endpoint**: `GET /health/live`,
   wrapped here
+ Failure action: Restart pod

Roll back:

    helm rollback user-api -n production
"""


def test_setext_headings_numbered_items_and_indented_code_are_blocks_with_their_lines_and_headings():
    found = blocks(SETEXT)
    assert [(b.kind, b.line) for b in found] == [(HEADING, 1), (HEADING, 4), (ITEM, 7), (ITEM, 9),
                                                  (PARAGRAPH, 11), (CODE, 13)]
    assert found[2].text == "Endpoint: GET /health/live, wrapped here" and found[2].end == 8
    assert found[5].text == "helm rollback user-api -n production"
    assert found[3].path == ("Runbook", "Health Checks") and found[3].under("health checks")


def test_a_deeper_heading_closes_nothing_and_a_shallower_one_closes_the_deeper():
    found = blocks("# A\n## B\n### C\ntext c\n## D\ntext d\n")
    texts = {b.text: b.path for b in found if b.kind == PARAGRAPH}
    assert texts == {"text c": ("A", "B", "C"), "text d": ("A", "D")}


def test_crlf_and_cr_line_endings_keep_the_line_numbers_as_written():
    assert source_lines("a\r\nb\rc\n") == ["a", "b", "c"]
    assert [b.line for b in blocks("# A\r\n\r\n- x\r\n- y\r\n")] == [1, 3, 4]


def test_the_closest_block_is_the_most_alike_and_none_when_there_are_no_blocks():
    found = blocks("- Expected: 200 OK\n- Failure action: Restart pod\n")
    assert closest(found, "Expected 200").text == "Expected: 200 OK" and closest([], "x") is None


TABLE = """## Escalation Path

| Level | Who | Paged |
|------:|-----|-------|
| 1. | **Primary On-Call** | Platform Team (auto-paged) |
| 2 | `Secondary` |  |

text after
"""


def test_a_table_body_row_is_one_block_of_its_cells_at_its_own_line_and_the_header_row_is_none():
    found = blocks(TABLE)
    assert [(b.kind, b.line, b.text) for b in found if b.kind != HEADING] == [
        (ROW, 5, "Primary On-Call - Platform Team (auto-paged)"), (ROW, 6, "Secondary"), (PARAGRAPH, 8, "text after")]
    assert found[1].path == ("Escalation Path",)


def test_a_cell_that_is_only_a_number_is_kept_when_it_is_the_whole_row():
    assert [b.text for b in blocks("| a |\n|---|\n| 42 |\n")] == ["42"]
