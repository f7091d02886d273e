"""What a check reports: pass, warn or fail, what it saw, and a one-line fix."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class Finding:
    check: str
    """`<area>.<what>`, e.g. `security.nodes`."""
    status: Status
    detail: str
    """What was found, naming the offending rule, instance or setting."""
    fix: str = ""
    """One line: what to do about it (empty when it passes)."""

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status.value}


def passed(check: str, detail: str) -> Finding:
    return Finding(check, Status.PASS, detail)


def warned(check: str, detail: str, fix: str) -> Finding:
    return Finding(check, Status.WARN, detail, fix)


def failed(check: str, detail: str, fix: str) -> Finding:
    return Finding(check, Status.FAIL, detail, fix)


def worst(findings: list[Finding]) -> Status:
    statuses = {f.status for f in findings}
    for status in (Status.FAIL, Status.WARN):
        if status in statuses:
            return status
    return Status.PASS


UP_FIX = "run `pulumi up` for this stack to put it back as declared"
"""The usual fix for drift: the stack is the source of truth."""
