"""The stack file a program runs with, read by the project's one reader (tools/stack_file.py).

The mock runtime does not read Pulumi files, so the emulator does, exactly as the Pulumi
CLI hands them to a program (namespaced keys, structured values as JSON, secrets as
placeholders). A file that cannot be read raises EmulatorError.
"""

from __future__ import annotations

from pathlib import Path

from tools import stack_file
from tools.stack_file import StackConfig

from .registry import EmulatorError

__all__ = ["StackConfig", "project_name", "read_stack_file"]


def project_name(program_dir: Path) -> str:
    """The program's project name (Pulumi.yaml's `name`)."""
    try:
        return stack_file.project_name(program_dir)
    except stack_file.StackFileError as missing:
        raise EmulatorError(str(missing)) from None


def read_stack_file(path: Path, project: str) -> StackConfig:
    """The config of the stack file at `path`, as the program of `project` receives it."""
    try:
        return stack_file.read_stack_file(path, project)
    except stack_file.StackFileError as unreadable:
        raise EmulatorError(str(unreadable)) from None
