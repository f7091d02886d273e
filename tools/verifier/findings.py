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


UP_FIX = "run `pulumi refresh`, then `pulumi up`, for this stack (or `pulumi up --refresh`) to put it back as declared"
"""The usual fix for drift: the stack is the source of truth, but a plain `pulumi up` does not see
the drift. It compares the program with the stack's saved state, not with AWS ("This goal state is
then compared against the existing state", https://www.pulumi.com/docs/iac/cli/commands/pulumi_up/),
and after a change by hand the state still records what was declared: nothing to do. `pulumi
refresh` first reads what AWS holds into the state ("compares the current stack's resource state
with the state known to exist in the actual cloud provider. Any such changes are adopted into the
current stack", https://www.pulumi.com/docs/iac/cli/commands/pulumi_refresh/); `pulumi up` then
puts back what differs from the program, and re-creates what was deleted. `pulumi up --refresh`
does both in one run. Pulumi calls these two steps remediation
(https://www.pulumi.com/docs/iac/operations/stack-management/drift/)."""

NOT_IN_STATE = "Pulumi's state holds only what the stack created: no refresh or update removes what was added beside it"
"""Why something added by hand beside the stack's resources (a rule, a listener, a hook, a
subscription) must be removed by hand: a refresh reads only the resources the state holds."""


def remove_by_hand(what: str) -> str:
    """The fix for something added beside the stack's resources: `what` to do by hand, then the refresh."""
    return f"{what}: {NOT_IN_STATE}; then {UP_FIX}"
