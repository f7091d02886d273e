"""`python -m tools.<command>` in a fresh process, as a user runs it: for the tests whose point is
the real process (its exit code, its stdout and stderr); the others call `main(argv)` in-process."""

from __future__ import annotations

import os
import select
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from tools.stack_files import PROJECT_DIR

TIMEOUT_SECONDS = 120


def run_command(command: str, *argv: str, **env: str | None) -> subprocess.CompletedProcess[str]:
    """`python -m tools.<command> argv...` from the project's directory, in this environment with
    `env` over it (a value None removes that variable) and no instance metadata to ask."""
    environment = {**os.environ, "AWS_EC2_METADATA_DISABLED": "true", **env}
    return subprocess.run(
        [sys.executable, "-m", f"tools.{command}", *argv],
        cwd=PROJECT_DIR,
        env={key: value for key, value in environment.items() if value is not None},
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
    )


@contextmanager
def started_command(command: str, *argv: str, output: Path, **env: str | None) -> Iterator[subprocess.Popen[str]]:
    """`python -m tools.<command> argv...` started as `run_command` runs it, for a command that keeps
    running (`tools.preview --serve`): its stderr on a pipe, its stdout into the file `output` (a pipe
    nobody reads would fill and stop it); killed if still up at the end."""
    environment = {**os.environ, "AWS_EC2_METADATA_DISABLED": "true", **env}
    with output.open("w") as stdout:
        process = subprocess.Popen(
            [sys.executable, "-m", f"tools.{command}", *argv],
            cwd=PROJECT_DIR,
            env={key: value for key, value in environment.items() if value is not None},
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=TIMEOUT_SECONDS)


def first_line(stream: IO[str], timeout: float = TIMEOUT_SECONDS) -> str:
    """The next line of a child's pipe, waiting at most `timeout` seconds ("" when it ends first)."""
    ready, _, _ = select.select([stream], [], [], timeout)
    if not ready:
        raise TimeoutError(f"no line within {timeout} s")
    return stream.readline()
