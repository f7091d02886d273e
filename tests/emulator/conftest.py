"""Fixtures for the emulator's own tests: tiny Pulumi programs run against moto."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tools.emulator import Deployment, Emulator, StackConfig

REGION = "eu-west-1"


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(region=REGION, stack="test") as emulated:
        yield emulated


@pytest.fixture
def aws(emulator: Emulator) -> Callable[[str], object]:
    """boto3 clients on the emulated account: tests assert on moto's state, not on echoes."""
    return emulator.session.client


@pytest.fixture
def run(emulator: Emulator, tmp_path: Path) -> Callable[..., Deployment]:
    """Run a program body (pulumi, aws and random are imported for it) in the emulator."""

    def run_program(body: str, config: dict[str, str] | None = None) -> Deployment:
        (tmp_path / "Pulumi.yaml").write_text("name: probe\nruntime: python\n")
        header = "import pulumi\nimport pulumi_aws as aws\nimport pulumi_random as random\n"
        (tmp_path / "__main__.py").write_text(header + textwrap.dedent(body))
        stack = StackConfig(project="probe", stack="test", config={"aws:region": REGION, **(config or {})})
        return emulator.run(tmp_path, stack)

    return run_program
