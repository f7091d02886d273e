"""Fixtures for the emulator's own tests: tiny Pulumi programs run against moto, and run again over
an earlier run (`update`), as `pulumi up` applies an edited program."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tools.emulator import Changes, Deployment, Emulator, StackConfig

REGION = "eu-west-1"


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(region=REGION, stack="test") as emulated:
        yield emulated


@pytest.fixture
def aws(emulator: Emulator) -> Callable[[str], object]:
    """boto3 clients on the emulated account: tests assert on moto's state, not on echoes."""
    return emulator.session.client


def _program(directory: Path, body: str, config: dict[str, str] | None) -> StackConfig:
    """`body` as the program in `directory` (pulumi, aws and random imported for it), and its config."""
    (directory / "Pulumi.yaml").write_text("name: probe\nruntime: python\n")
    header = "import pulumi\nimport pulumi_aws as aws\nimport pulumi_random as random\n"
    (directory / "__main__.py").write_text(header + textwrap.dedent(body))
    return StackConfig(project="probe", stack="test", config={"aws:region": REGION, **(config or {})})


@pytest.fixture
def run(emulator: Emulator, tmp_path: Path) -> Callable[..., Deployment]:
    """Run a program body (pulumi, aws and random are imported for it) in the emulator."""

    def run_program(body: str, config: dict[str, str] | None = None) -> Deployment:
        return emulator.run(tmp_path, _program(tmp_path, body, config))

    return run_program


@pytest.fixture
def update(emulator: Emulator, tmp_path: Path) -> Callable[..., Changes]:
    """Run an edited program body over `previous`, an earlier run in the same account."""

    def update_program(body: str, previous: Deployment, config: dict[str, str] | None = None) -> Changes:
        return emulator.update(tmp_path, _program(tmp_path, body, config), previous)

    return update_program
