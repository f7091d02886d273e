"""Plans are plain functions of the settings: these tests build settings from stack-file
sections (camelCase, as a stack file has them) and need no emulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from components.settings import StackSettings, load_settings

BASE_SECTIONS: dict[str, Any] = {
    "cluster": {"name": "shop", "environment": "dev"},
    "release": {"name": "shop", "artifact": "s3://shop-releases/shop-1.4.2.tar.gz"},
}
CERTIFICATE_ARN = "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d"


@pytest.fixture
def certificate() -> str:
    """An ACM certificate in the stack's region: the load balancer then serves HTTPS."""
    return CERTIFICATE_ARN


@pytest.fixture
def settings() -> Callable[..., StackSettings]:
    """`settings(loadBalancer={...}, nodes={...})`: a dev stack in eu-west-1 with those sections."""

    def build(**sections: Any) -> StackSettings:
        merged = {**BASE_SECTIONS}
        for key, section in sections.items():
            merged[key] = {**merged.get(key, {}), **section}
        return load_settings(merged, stack="dev", region="eu-west-1")

    return build
