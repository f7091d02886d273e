"""Fixtures of the tuner's tests: a small stack file and traces written to a temporary directory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

SMALL_STACK = """\
config:
  aws:region: eu-west-1
  elixir-cluster:cluster: {name: shop, environment: dev}
  elixir-cluster:release: {artifact: s3://shop-releases/shop-1.0.0.tar.gz}
  elixir-cluster:nodes: {minSize: 1, maxSize: 4, healthCheckGracePeriod: 60}
  elixir-cluster:scaling:
    targetTracking: [{metric: cpu, target: 60, warmup: 0}]
"""
"""dev, 1..4 nodes booting in a minute, one CPU policy at 60% without warmup."""


@pytest.fixture
def small_stack(tmp_path) -> Path:
    path = tmp_path / "Pulumi.small.yaml"
    path.write_text(SMALL_STACK)
    return path


@pytest.fixture
def write_trace(tmp_path) -> Callable[..., Path]:
    """`write_trace([25, 25, ...], name="load.csv")`: a trace of that demand, one row per minute."""

    def write(demand: list[float], name: str = "load.csv") -> Path:
        path = tmp_path / name
        path.write_text("minute,requests_per_second\n" + "".join(f"{m},{d:g}\n" for m, d in enumerate(demand)))
        return path

    return write
