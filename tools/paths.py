"""Where this project keeps its stacks: paths only, so a read-only tool can find a stack
file without loading the emulator (and with it Pulumi)."""

from __future__ import annotations

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
STACKS_DIR = PROJECT_DIR / "stacks"


def stack_file(stack: str) -> Path:
    """`stacks/Pulumi.<stack>.yaml`."""
    return STACKS_DIR / f"Pulumi.{stack}.yaml"


def stack_names() -> list[str]:
    """Every stack shipped in stacks/."""
    return sorted(p.name.split(".")[1] for p in STACKS_DIR.glob("Pulumi.*.yaml"))
