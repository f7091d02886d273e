"""Where a secret's value shows: processes' command lines and environments, files, a unit's main
process and its descendants (offline: the test's own processes and files, no root needed)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools.conformance.node_lab.secret_scan import (
    Sighting,
    comm,
    descendants,
    files_under,
    host_pids,
    in_files,
    in_processes,
    main_pid,
)
from tools.conformance.node_lab.units.unit_file import JOURNAL_DIR
from tools.conformance.waiting import wait_until

SECRET = "s3cret-value-for-the-scan"


@pytest.fixture
def parent_and_child() -> Iterator[tuple[subprocess.Popen, int]]:
    """A process holding SECRET in its environment only, and the child it started."""
    program = "import subprocess, time; c = subprocess.Popen(['sleep', '30']); print(c.pid, flush=True); c.wait()"
    parent = subprocess.Popen(
        [sys.executable, "-c", program], env={"DATABASE_URL": SECRET}, stdout=subprocess.PIPE, text=True
    )
    child = int(parent.stdout.readline())
    # Popen returns once the child has exec'd (vfork), possibly before the kernel has laid out its
    # environment: /proc/<pid>/environ reads empty for that instant.
    assert wait_until(lambda: Path(f"/proc/{child}/environ").read_bytes(), timeout=5, pause=0.01) is not None
    try:
        yield parent, child
    finally:
        os.kill(child, signal.SIGKILL)
        parent.wait(10)
        parent.stdout.close()


def test_a_value_in_an_environment_is_found_there_and_not_on_the_command_line(parent_and_child):
    parent, child = parent_and_child
    found = in_processes({"DATABASE_URL": SECRET, "OTHER": "not-anywhere"}, [parent.pid, child])
    assert found == [
        Sighting("DATABASE_URL", f"environ of pid {parent.pid} ({comm(parent.pid)})"),
        Sighting("DATABASE_URL", f"environ of pid {child} (sleep)"),
    ]
    # the family's command lines only: a host shared with other work may run anything (a grep for it)
    assert not in_processes({"DATABASE_URL": SECRET}, [parent.pid, child], parts=("cmdline",))


def test_a_process_family_is_the_process_and_everything_it_started(parent_and_child):
    parent, child = parent_and_child
    assert descendants(parent.pid, host_pids()) == {parent.pid, child}
    assert descendants(child, host_pids()) == {child}


def test_files_are_found_by_content_under_a_directory_and_links_are_not_followed(tmp_path):
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "deep" / "er" / "holds").write_text(f"DATABASE_URL={SECRET}\n")
    (tmp_path / "clean").write_text("nothing here\n")
    (tmp_path / "link").symlink_to(tmp_path / "deep" / "er" / "holds")
    assert sorted(files_under(tmp_path)) == [tmp_path / "clean", tmp_path / "deep" / "er" / "holds"]
    assert in_files({"DATABASE_URL": SECRET}, files_under(tmp_path)) == [
        Sighting("DATABASE_URL", str(tmp_path / "deep" / "er" / "holds"))
    ]


class _Instance:
    """The one thing main_pid asks of an instance: a host path for a path inside it."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, inside: str) -> Path:
        return self.root / inside.lstrip("/")


def test_a_units_main_process_is_the_one_its_latest_start_recorded(tmp_path):
    journal = tmp_path / JOURNAL_DIR.relative_to("/") / "shop.service.log"
    journal.parent.mkdir(parents=True)
    journal.write_text(
        "node-lab-systemd: shop.service: started /opt/shop/bin/shop (pid 4100)\n"
        "node-lab-systemd: shop.service: failed: exit-code 1\n"
        "node-lab-systemd: shop.service: started /opt/shop/bin/shop (pid 4242)\n"
    )
    assert main_pid(_Instance(tmp_path), "shop.service") == 4242
    assert main_pid(_Instance(tmp_path), "other.service") is None
