"""`python -m tools.<command>` in a fresh process, as a user runs it: for the tests whose point is
the real process (its exit code, its stdout and stderr); the others call `main(argv)` in-process."""

from __future__ import annotations

import os
import subprocess
import sys

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
