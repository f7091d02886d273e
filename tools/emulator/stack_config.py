"""Read a Pulumi project and stack file the way the Pulumi CLI hands them to a program.

The mock runtime does not read Pulumi files, so the emulator does: `Pulumi.yaml` gives
the project name, `Pulumi.<stack>.yaml` the config. Keys without a namespace belong to
the project; structured values (maps, lists) reach the program as JSON strings, as the
CLI passes them; `secure:` values are secret (their ciphertext cannot be decrypted here,
so the program sees a placeholder).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .registry import EmulatorError

STACK_FILE = re.compile(r"^Pulumi\.(?P<stack>[A-Za-z0-9_.-]+)\.ya?ml$")
DEFAULT_REGION = "us-east-1"
SECRET_PLACEHOLDER = "emulator-secret-placeholder"


@dataclass
class StackConfig:
    project: str
    stack: str
    config: dict[str, str] = field(default_factory=dict)
    secret_keys: list[str] = field(default_factory=list)

    @property
    def region(self) -> str:
        return (
            self.config.get("aws:region")
            or os.environ.get("AWS_REGION")
            or os.environ.get("AWS_DEFAULT_REGION")
            or DEFAULT_REGION
        )


def project_name(program_dir: Path) -> str:
    for candidate in ("Pulumi.yaml", "Pulumi.yml"):
        path = Path(program_dir) / candidate
        if path.exists():
            return yaml.safe_load(path.read_text())["name"]
    raise EmulatorError(f"no Pulumi.yaml in {program_dir}")


def stack_name(path: Path) -> str:
    match = STACK_FILE.match(Path(path).name)
    if not match:
        raise EmulatorError(f"{path}: a stack file is named Pulumi.<stack>.yaml")
    return match["stack"]


def read_stack_file(path: Path, project: str) -> StackConfig:
    document = yaml.safe_load(Path(path).read_text()) or {}
    if not isinstance(document, dict):
        raise EmulatorError(f"{path}: a stack file is a YAML map with a 'config' key")
    result = StackConfig(project=project, stack=stack_name(path))
    for key, value in (document.get("config") or {}).items():
        full_key = key if ":" in key else f"{project}:{key}"
        if _is_secure(value):
            result.secret_keys.append(full_key)
            value = SECRET_PLACEHOLDER
        result.config[full_key] = _wire_value(value)
    return result


def _is_secure(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"secure"}


def _wire_value(value: Any) -> str:
    """Config values reach a Pulumi program as strings; structured ones as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)
