"""Policies the traces cannot drive: a trace without the column of a policy's metric.

The simulator skips such a policy (`tools.simulator.Unsimulated`), so a tuning would propose
numbers whose figures leave it out without saying so. The tuner refuses instead, one line per
missing column, naming the traces and the policy, unless the user allows it
(`--allow-unsimulated`): then each is said plainly, and a policy that no trace drives is left as
the stack file has it (its knobs are not searched).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from components.settings import NAMESPACE, format_path
from tools.simulator import Unsimulated

from .evaluate import NamedTrace, trace_names

ALLOW_FLAG = "--allow-unsimulated"


class UnsimulatedPolicies(ValueError):
    """Some trace cannot drive a policy; `lines` holds one line per policy and column."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


@dataclass(frozen=True)
class NotSimulated:
    """A policy some traces cannot drive, and the column they lack."""

    path: tuple[str | int, ...]
    """The policy's path in the stack file's sections, e.g. ("scaling", "step", 0)."""
    name: str
    column: str
    traces: tuple[str, ...]
    on_every_trace: bool

    @property
    def policy(self) -> str:
        return f"{NAMESPACE}:{format_path(self.path)} ({self.name})"

    def refusal(self) -> str:
        return (
            f"{', '.join(self.traces)}: no {self.column} column: {self.policy} cannot be simulated without it; "
            f"add the column (README: Traces), or pass {ALLOW_FLAG} to tune without that policy"
        )

    def statement(self) -> str:
        where = "any trace" if self.on_every_trace else ", ".join(self.traces)
        ignored = "leaves it as the stack file has it" if self.on_every_trace else "ignores it on those traces"
        return (
            f"{self.policy} was not simulated on {where} (no {self.column} column): "
            f"the proposal {ignored}, and its figures leave it out"
        )


def not_simulated(
    traces: list[NamedTrace], found: list[tuple[Path, Unsimulated]], *, allow: bool
) -> list[NotSimulated]:
    """Each policy that `found` (trace file, simulator warning) says a trace cannot drive; raises
    UnsimulatedPolicies unless `allow`."""
    names = dict(zip((named.path for named in traces), trace_names(traces), strict=True))
    by_policy: dict[tuple, list[str]] = {}
    for path, warning in found:
        by_policy.setdefault((warning.path, warning.name, warning.column), []).append(names[path])
    policies = [
        NotSimulated(path, name, column, tuple(dict.fromkeys(where)), len(set(where)) == len(traces))
        for (path, name, column), where in by_policy.items()
    ]
    if policies and not allow:
        raise UnsimulatedPolicies([policy.refusal() for policy in policies])
    return policies
