"""Stack files the node lab runs that differ from a shipped one in a setting or two.

dev and prod both discover peers by EC2 tags; the lab also boots them with `discovery:
dns`, the same stack file with that one key changed, written next to the lab's logs. The
node lab also moves a stack into an existing VPC whose addresses are the lab's, and adds the
database's security group to `nodes.extraSecurityGroupIds` (see lab.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tools.stack_files import load_stack_settings, stack_file

RELEASE_SECTION = "elixir-cluster:release"
NETWORK_SECTION = "elixir-cluster:network"
NODES_SECTION = "elixir-cluster:nodes"


def release_variant(stack: str, directory: Path, **release: Any) -> Path:
    """`stacks/Pulumi.<stack>.yaml` with keys of `elixir-cluster:release` replaced; its path."""
    return variant(stack, directory, {RELEASE_SECTION: release})


def existing_network(vpc_id: str, public_subnet_ids: list[str], private_subnet_ids: list[str]) -> dict[str, Any]:
    """The `elixir-cluster:network` section that reuses a VPC (the created-VPC keys removed)."""
    return {
        "vpcCidr": None,
        "availabilityZones": None,
        "natGateways": None,
        "vpcId": vpc_id,
        "publicSubnetIds": public_subnet_ids,
        "privateSubnetIds": private_subnet_ids,
    }


def variant(stack: str, directory: Path, changes: dict[str, dict[str, Any]]) -> Path:
    """`stacks/Pulumi.<stack>.yaml` with keys of some sections replaced (None removes a key); its path."""
    document = yaml.safe_load(stack_file(stack).read_text())
    config = document["config"]
    for section, keys in changes.items():
        merged = {**config.get(section, {}), **keys}
        config[section] = {key: value for key, value in merged.items() if value is not None}
    directory.mkdir(parents=True, exist_ok=True)
    variant = directory / f"Pulumi.{stack}.yaml"  # the stack's name comes from the file's name
    variant.write_text(yaml.safe_dump(document, sort_keys=False))
    return variant


def settings_of(path: Path):
    """The validated settings of a stack file (what `release_environment` takes)."""
    return load_stack_settings(path)
