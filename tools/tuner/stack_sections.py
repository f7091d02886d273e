"""The tuner's view of a stack file: its sections as written, beside its validated settings.

The tuner edits the sections as the file holds them (camelCase keys, the user's own
choices), so what it prints pastes back in place. Where the file leaves a tuned value to
its default (nodes' sizes by environment, the default CPU target tracking policy), the
value is written out from the settings, so the search has a number to start from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.settings import NAMESPACE, StackSettings
from tools.stack_files import StackFile

from .space import Sections


@dataclass(frozen=True)
class StackSections:
    path: Path
    stack: str
    region: str
    settings: StackSettings
    sections: Sections
    """Every project key of the file, structured ones as maps."""


def sections_as_written(stack: StackFile) -> StackSections:
    """The sections of a stack file already read (tools.stack_files.load_stack), as the file holds them."""
    settings, project = stack.settings, stack.config.namespace(NAMESPACE)
    sections = {key: _structured(project.get(key)) for key in project.keys()}  # noqa: SIM118 - a Namespace, not a dict
    nodes = sections.setdefault("nodes", {})
    nodes.setdefault("minSize", settings.nodes.min_size)
    nodes.setdefault("maxSize", settings.nodes.max_size)
    scaling = sections.setdefault("scaling", {})
    if "targetTracking" not in scaling:
        scaling["targetTracking"] = [
            policy.model_dump(by_alias=True, exclude_defaults=True, mode="json")
            for policy in settings.scaling.target_tracking
        ]
    return StackSections(stack.path, stack.stack, stack.config.region, settings, sections)


def _structured(value: str | None) -> Any:
    """Pulumi hands structured config to the program as JSON text."""
    if value and value.lstrip().startswith(("{", "[")):
        return json.loads(value)
    return value
