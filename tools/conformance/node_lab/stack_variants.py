"""Stack files the node lab runs that differ from a shipped one in a setting or two.

dev and prod both discover peers by EC2 tags; the lab also boots them with `discovery:
dns`, the same stack file with that one key changed, written next to the lab's logs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tools.stack import load, stack_file

RELEASE_SECTION = "elixir-cluster:release"


def release_variant(stack: str, directory: Path, **release: Any) -> Path:
    """`stacks/Pulumi.<stack>.yaml` with keys of `elixir-cluster:release` replaced; its path."""
    document = yaml.safe_load(stack_file(stack).read_text())
    document["config"][RELEASE_SECTION] = {**document["config"][RELEASE_SECTION], **release}
    directory.mkdir(parents=True, exist_ok=True)
    variant = directory / f"Pulumi.{stack}.yaml"  # the stack's name comes from the file's name
    variant.write_text(yaml.safe_dump(document, sort_keys=False))
    return variant


def settings_of(path: Path):
    """The validated settings of a stack file (what `release_environment` takes)."""
    return load(path)[0]
