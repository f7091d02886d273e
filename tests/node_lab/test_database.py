"""The lab's PostgreSQL: what a run that died leaves behind is removed by the next (offline).
The server itself runs in tests/node_lab/test_release.py and test_node_lab.py."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from tools.conformance import netns
from tools.conformance.node_lab import database


def test_data_directories_of_dead_runs_are_removed_and_live_ones_kept():
    dead = Path(tempfile.mkdtemp(prefix=f"{netns.NAME_PREFIX}{_a_dead_pid()}-{database.DATA_DIR_MARK}-"))
    live = Path(tempfile.mkdtemp(prefix=f"{netns.NAME_PREFIX}{os.getpid()}-{database.DATA_DIR_MARK}-"))
    (dead / "data").mkdir()
    try:
        removed = database.remove_leftovers()
        assert dead in removed and not dead.exists()
        assert live not in removed and live.exists()
    finally:
        live.rmdir()


def _a_dead_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid
