"""A unit's environment (Environment, EnvironmentFile) and its command lines, expanded as systemd does."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from .unit_file import Unit

# --- environment and command lines ---------------------------------------------------------


def environment_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as systemd reads them: comments skipped, one level of quotes removed."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line[0] in "#;" or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def unit_environment(unit: Unit) -> dict[str, str]:
    """Environment= then every EnvironmentFile=, read now (a `-` file may be missing)."""
    env: dict[str, str] = {}
    for assignment in unit.values("Service", "Environment"):
        for word in shlex.split(assignment):
            key, _, value = word.partition("=")
            env[key] = value
    for entry in unit.values("Service", "EnvironmentFile"):
        optional = entry.startswith("-")
        path = Path(entry.lstrip("-"))
        if optional and not path.exists():
            continue
        env |= environment_file(path)  # a required file that is missing fails the start here
    return env


def command_line(value: str, env: dict[str, str]) -> tuple[list[str], bool]:
    """(argv, failure ignored) of an Exec line; `$VAR` and `${VAR}` expanded from `env`."""
    ignore = value.startswith("-")
    words = shlex.split(value.lstrip("-"))

    def expand(word: str) -> str:
        return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: env.get(m[1] or m[2], ""), word)

    return [expand(w) for w in words], ignore
