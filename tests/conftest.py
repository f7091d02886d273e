"""Shared fixtures: apply a stack (shipped or a variant) in the emulator and look at moto.

Only one emulated account exists at a time (moto's in-process mock is global), so a test
module uses either the module-scoped `shipped` stacks or function-scoped `deploy`, and
tests assert inside the fixture's lifetime.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from components.settings import StackSettings
from tools.emulator import Deployment
from tools.stack import emulated, stack_file


@dataclass
class Applied:
    """A stack applied in the emulator: what was registered, the settings, and boto3 on moto."""

    deployment: Deployment
    settings: StackSettings

    def client(self, service: str) -> Any:
        return boto3.client(service, region_name=self.settings.region)

    @property
    def outputs(self) -> dict[str, Any]:
        return self.deployment.outputs


EXISTING_NETWORK: dict[str, Any] = {
    "vpcCidr": None,
    "availabilityZones": None,
    "natGateways": None,
    "vpcId": "vpc-0123456789abcdef0",
    "publicSubnetIds": ["subnet-0a00000000000000a", "subnet-0a00000000000000b"],
    "privateSubnetIds": ["subnet-0b00000000000000a", "subnet-0b00000000000000b"],
}
"""The `elixir-cluster:network` change that turns a shipped stack into existing-VPC mode (the
emulator provides the VPC and subnets it names)."""


def write_variant(directory: Path, base: str, name: str, changes: dict[str, Any]) -> Path:
    """Pulumi.<name>.yaml: the shipped stack `base` with `changes` merged into its config.

    `changes` maps full config keys (``elixir-cluster:nodes``) to values that are merged
    into the base section (dicts recursively); a value of None removes the key.
    """
    document = yaml.safe_load(stack_file(base).read_text())
    config = document["config"]
    for key, value in changes.items():
        config[key] = _merge(config.get(key), value)
        if config[key] is None:
            del config[key]
    path = directory / f"Pulumi.{name}.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def _merge(base: Any, change: Any) -> Any:
    if isinstance(base, dict) and isinstance(change, dict):
        merged = copy.deepcopy(base)
        for key, value in change.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = _merge(merged.get(key), value)
        return merged
    return copy.deepcopy(change)


@pytest.fixture
def deploy(tmp_path: Path) -> Iterator[Callable[..., Applied]]:
    """deploy("dev") or deploy("dev", {"elixir-cluster:nodes": {...}}): one stack per test."""
    stack: list[Any] = []

    def apply(base: str, changes: dict[str, Any] | None = None, name: str = "variant") -> Applied:
        assert not stack, "one emulated stack per test"
        path = write_variant(tmp_path, base, name, changes or {}) if changes is not None else stack_file(base)
        context = emulated(path)
        _, deployment, settings = context.__enter__()
        stack.append(context)
        return Applied(deployment, settings)

    yield apply
    for context in stack:
        context.__exit__(None, None, None)


def applied_stack(name: str) -> Iterator[Applied]:
    """For module-scoped fixtures: `prod = pytest.fixture(scope="module")(lambda: ...)`."""
    with emulated(stack_file(name)) as (_, deployment, settings):
        yield Applied(deployment, settings)
