"""The project's docs point only at what the repository holds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
DOCS = [PROJECT / "README.md", *sorted((PROJECT / "docs").glob("*.md"))]
RELATIVE_LINK = re.compile(r"\]\((?!https?://|mailto:|#)([^)#\s]+)")
OUTSIDE_PATH = re.compile(r"`(\.\./[^`\s]+)`")
"""A path in backticks that climbs out of the file's folder, as `../shared/DESIGN.md` did."""


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.relative_to(PROJECT).as_posix())
def test_every_link_and_relative_path_is_in_the_repository(doc: Path):
    text = doc.read_text()
    targets = RELATIVE_LINK.findall(text) + OUTSIDE_PATH.findall(text)
    missing = [target for target in targets if not (doc.parent / target).resolve().exists()]
    assert missing == []
    inside = [target for target in targets if PROJECT not in (doc.parent / target).resolve().parents]
    assert inside == [], "a doc points outside the repository"


def test_the_design_is_in_the_projects_own_docs():
    assert "[design.md](design.md)" in (PROJECT / "docs" / "architecture.md").read_text()
    assert (PROJECT / "docs" / "design.md").read_text().startswith("# elixir-cluster: design")
