"""The service objective a tuned policy must meet, and how candidates are ranked.

The figures are the simulator's (tools/simulator/engine.py, `Simulation.summary`): a minute
is *under-provisioned* when demand exceeds what the nodes in service can serve, and its
*shortfall* is that excess in requests/s. The objective reads them as shares, so one
objective fits traces of any length and load:

- under-provisioned minutes, as a share of the trace's minutes (default at most 1%);
- peak shortfall, as a share of that minute's demand, at the worst minute (default at most 10%).

By default (`--slo current`) the objective is the stack's own service: a candidate may be no
worse than the current policy on any trace, in minutes under-provisioned or in peak
shortfall, so what the tuner proposes only ever saves. Percentages trade service for cost
down to the level they name.

A candidate meets the objective when it meets it on every trace. Where the stack's own
policy misses the objective on a trace (no reactive policy catches a fivefold spike within
the minutes a node takes to boot), the candidate must do at least as well as the stack's
policy there instead: the tuner never proposes a policy that serves a trace worse than the
one in the stack file. Among the candidates that meet it, the cheapest in instance-hours
(summed over the traces) wins; when none does, the one that misses by least.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tools.simulator import Summary

DEFAULT_UNDER_PROVISIONED = 0.01
DEFAULT_PEAK_SHORTFALL = 0.10
SLO_KEYS = {"under": "under-provisioned minutes", "shortfall": "peak shortfall"}
CURRENT = "current"
SLO_HELP = f"""the service objective: `{CURRENT}` (the default) holds every trace to the stack's
current policy, no more minutes under-provisioned and no larger peak shortfall, so the tuned
policy only saves; or KEY=PERCENT[,KEY=PERCENT] trades service for cost down to a level: `under` is the most minutes
under-provisioned (demand above what the nodes in service serve), as a share of each trace's
minutes; `shortfall` the most demand left unserved at the worst minute, as a share of that
minute's demand; a key left out is {DEFAULT_UNDER_PROVISIONED:.0%} (under) or {DEFAULT_PEAK_SHORTFALL:.0%} (shortfall):
reactive scaling cannot avoid a few short minutes at every sharp rise (a node boots and its
metrics need 3 datapoints), so asking for 0 pays all day for headroom against the sharpest
rise, while 1% (about a quarter of an hour a day) spends it on the rises; and a BEAM node
queues what it cannot serve at once, so a worst minute 10% over capacity shows as latency,
not as errors. Where the stack's own policy misses the objective on a trace, the tuned one
must do no worse than it there (minutes short, and peak shortfall in requests/s)"""


class ObjectiveError(ValueError):
    """`--slo` cannot be read; the message is one line naming the flag."""


@dataclass(frozen=True)
class Objective:
    """The most under-provisioned minutes and the largest peak shortfall a trace may show, as shares."""

    under_provisioned: float = DEFAULT_UNDER_PROVISIONED
    peak_shortfall: float = DEFAULT_PEAK_SHORTFALL
    keep_current: bool = False
    """Hold every trace to the current policy's figures instead (the shares above are unused)."""

    def __str__(self) -> str:
        if self.keep_current:
            return (
                "no more minutes under-provisioned and no larger peak shortfall than the current policy, on every trace"
            )
        return (
            f"at most {_percent(self.under_provisioned)} of minutes under-provisioned and a peak shortfall of "
            f"at most {_percent(self.peak_shortfall)} of demand, on every trace"
        )


def parse_objective(text: str | None) -> Objective:
    """`current` (also when not given), or `under=1%,shortfall=10%` (either key may be left out: its default stays)."""
    if text is None or text.strip() == CURRENT:
        return Objective(keep_current=True)
    given: dict[str, float] = {}
    for item in text.split(","):
        key, equals, value = (part.strip() for part in item.partition("="))
        if key not in SLO_KEYS or not equals:
            raise ObjectiveError(
                f"--slo: expected {CURRENT}, or KEY=PERCENT with KEY one of {', '.join(SLO_KEYS)} "
                "(e.g. under=1%,shortfall=10%), "
                f"got {item.strip()!r}"
            )
        given[key] = _share(value, key)
    return Objective(given.get("under", DEFAULT_UNDER_PROVISIONED), given.get("shortfall", DEFAULT_PEAK_SHORTFALL))


def _share(text: str, key: str) -> float:
    number = text.removesuffix("%").strip()
    try:
        value = float(number) / 100
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise ObjectiveError(f"--slo: {key} must be a percentage within 0..100, such as 1%, got {text!r}")
    return value


@dataclass(frozen=True)
class Figures:
    """One variant over one trace: the simulator's figures, and the shares the objective reads."""

    minutes: int
    under_provisioned_minutes: int
    peak_shortfall: float
    """requests/s, the simulator's figure"""
    peak_shortfall_share: float
    """the largest shortfall / demand of any minute"""
    instance_hours: float

    @property
    def under_provisioned_share(self) -> float:
        return self.under_provisioned_minutes / self.minutes


def figures(summary: Summary, minutes: int) -> Figures:
    """The simulator's summary of a run over a trace of `minutes`, as the objective reads it."""
    return Figures(
        minutes,
        summary.under_provisioned_minutes,
        summary.peak_shortfall,
        summary.peak_shortfall_share,
        summary.instance_hours,
    )


@dataclass(frozen=True)
class Limits:
    """What a candidate may show on one trace: the objective, or the stack's own figures where it misses it."""

    under_provisioned: float
    peak_shortfall: float
    peak_shortfall_rps: float | None = None
    """Where the stack's policy misses the objective: its peak shortfall in requests/s, which a
    candidate must not exceed either (None where the objective holds)."""

    @property
    def relaxed(self) -> bool:
        return self.peak_shortfall_rps is not None


def limits_for(objective: Objective, current: Figures) -> Limits:
    """The objective, or, where it is the current policy's or the stack's policy misses it, no worse
    than that policy on any figure."""
    if objective.keep_current:
        return Limits(current.under_provisioned_share, current.peak_shortfall_share, current.peak_shortfall)
    if current.under_provisioned_share <= objective.under_provisioned and (
        current.peak_shortfall_share <= objective.peak_shortfall
    ):
        return Limits(objective.under_provisioned, objective.peak_shortfall)
    return Limits(
        max(objective.under_provisioned, current.under_provisioned_share),
        max(objective.peak_shortfall, current.peak_shortfall_share),
        current.peak_shortfall,
    )


def miss(per_trace: Sequence[Figures], limits: Sequence[Limits]) -> float:
    """How far a candidate misses its limits, summed over traces (0: it meets them all).

    Each excess counts relative to its limit (a limit of 0 counts one minute, or 1% of demand),
    so minutes and shares weigh alike."""
    total = 0.0
    for figures_, limit in zip(per_trace, limits, strict=True):
        one_minute = 1 / figures_.minutes
        total += max(0.0, figures_.under_provisioned_share - limit.under_provisioned) / max(
            limit.under_provisioned, one_minute
        )
        total += max(0.0, figures_.peak_shortfall_share - limit.peak_shortfall) / max(limit.peak_shortfall, 0.01)
        if limit.relaxed:
            total += max(0.0, figures_.peak_shortfall - limit.peak_shortfall_rps) / max(limit.peak_shortfall_rps, 1.0)
    return total


def meets(per_trace: Sequence[Figures], limits: Sequence[Limits]) -> bool:
    return miss(per_trace, limits) == 0


def instance_hours(per_trace: Sequence[Figures]) -> float:
    return sum(f.instance_hours for f in per_trace)


def _percent(share: float) -> str:
    return f"{share * 100:g}%"
