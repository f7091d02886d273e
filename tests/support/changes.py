"""The edits to prod the change report is checked against (issue 22), as stack files.

Each is an old file and a new one: the shipped prod where the edit starts or ends there (the
session's apply of it is then shared), else prod with the edit merged in (`write_variant`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.stacks import write_variant
from tools.stack_files import stack_file

NEW_ARTIFACT = {"elixir-cluster:release": {"artifact": "s3://shop-releases/shop-1.5.0.tar.gz"}}
NEW_INSTANCE_TYPE = {"elixir-cluster:nodes": {"instanceTypes": ["c7g.xlarge"]}}
SCALING_TARGET = {
    "elixir-cluster:scaling": {
        "targetTracking": [
            {"metric": "requestsPerTarget", "target": 800, "warmup": 120},
            {"metric": "schedulerUtilization", "target": 70, "warmup": 120},
        ]
    }
}
INTERNAL_LOAD_BALANCER = {"elixir-cluster:loadBalancer": {"internal": True, "waf": None}}
"""Prod's load balancer before it faced the internet: internal (without WAF, which guards only an
internet-facing one)."""
RENAMED = {"elixir-cluster:cluster": {"name": "store"}}


@dataclass(frozen=True)
class ProdChange:
    """An edit to prod: the old file's and the new file's changes to the shipped one (None: as shipped)."""

    old: dict[str, Any] | None
    new: dict[str, Any] | None

    def files(self, directory: Path) -> tuple[Path, Path]:
        return self._file(directory / "old", self.old), self._file(directory / "new", self.new)

    @staticmethod
    def _file(directory: Path, changes: dict[str, Any] | None) -> Path:
        if changes is None:
            return stack_file("prod")
        directory.mkdir(parents=True, exist_ok=True)
        return write_variant(directory, "prod", "prod", changes)


PROD_CHANGES = {
    "new artifact": ProdChange(None, NEW_ARTIFACT),
    "new instance type": ProdChange(None, NEW_INSTANCE_TYPE),
    "scaling target": ProdChange(None, SCALING_TARGET),
    "internet-facing load balancer": ProdChange(INTERNAL_LOAD_BALANCER, None),
    "cluster renamed": ProdChange(None, RENAMED),
}
