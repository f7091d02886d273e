"""The change reports of prod's edits (tests/support/changes.py), each applied once per session over
the session's apply of its old file, and shared by the report's, the table's and the command's tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.changes import PROD_CHANGES

if TYPE_CHECKING:
    from tests.support.stacks import Applied, AppliedStacks
    from tools.changes.report import ChangeReport


@pytest.fixture(scope="session")
def prod_change(
    applied_stacks: AppliedStacks, prod: Applied, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], ChangeReport]:
    """prod_change("new artifact"): the report of that edit to prod (its readers share prod's worker)."""
    from tools.changes.report import change_report
    from tools.stack_files import load_stack

    directory = tmp_path_factory.mktemp("prod-changes")

    def report(name: str) -> ChangeReport:
        old_path, new_path = PROD_CHANGES[name].files(directory / name.replace(" ", "-"))
        new = load_stack(new_path)
        applied = applied_stacks.apply_change(load_stack(old_path, stack=new.stack), new)
        return change_report(new.stack, Path(old_path).name, applied, new.settings.drain.total_seconds)

    return report
