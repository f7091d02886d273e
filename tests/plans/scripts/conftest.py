"""The scripts run in a sandbox node (tests/support/fake_node.py) whose metadata is an
instance of the prod group about to be scaled in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from components.plans.discovery import DISCOVERY_SERVICE_TAG_KEY
from tests.support.fake_node import GROUP_NAME, INSTANCE_ID, NODE_IP, SERVICE_ID, FakeNode


@pytest.fixture
def node(tmp_path: Path) -> Iterator[FakeNode]:
    fake = FakeNode(tmp_path)
    try:
        fake.imds("instance-id", INSTANCE_ID)
        fake.imds("local-ipv4", NODE_IP)
        fake.imds("tags/instance/aws:autoscaling:groupName", GROUP_NAME)
        fake.imds(f"tags/instance/{DISCOVERY_SERVICE_TAG_KEY}", SERVICE_ID)
        fake.imds("autoscaling/target-lifecycle-state", "Terminated")
        yield fake
    finally:
        fake.close()
