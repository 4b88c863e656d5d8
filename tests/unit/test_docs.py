"""The docs a team follows: the reference pages equal to what their sources render, every
link between pages resolving, the README a front door, the API page naming exactly the
public names."""

import re
from pathlib import Path

import pytest

import runbook_drill
from runbook_drill import reference

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(#[^)]*)?\)")


@pytest.mark.parametrize("name", list(reference.PAGES))
def test_each_generated_reference_page_equals_its_source(name):
    page = DOCS / "reference" / name
    assert page.read_text() == reference.PAGES[name](), f"{page} is stale: run `make docs`"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_of_a_page_resolves(page):
    targets = [m.group(1) for m in LINK.finditer(page.read_text()) if "://" not in m.group(1)]
    missing = [t for t in targets if not (page.parent / t).exists()]
    assert missing == []


def test_the_readme_is_a_front_door_under_200_lines_with_the_two_commands():
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) < 200
    assert "make drill" in text and "make test" in text and "pipx install runbook-drill" in text


def test_the_api_page_names_exactly_the_public_names():
    named = set(re.findall(r"^\| `([A-Za-z_]+)` \|", (DOCS / "reference" / "api.md").read_text(), re.M))
    assert named == set(runbook_drill.PUBLIC)


def test_every_public_name_resolves():
    for name in runbook_drill.__all__:
        assert getattr(runbook_drill, name) is not None
    with pytest.raises(AttributeError):
        runbook_drill.not_a_public_name
