"""The scaling what-if simulator: replay a load trace through a stack's scaling settings.

One module per concept: `trace` (CSV in), `profile` (a measured node, JSON in), `model`
(nodes, group, metrics), `alarms` (CloudWatch datapoints), `target_tracking`, `step_scaling`,
`schedules`, `decisions` (several policies at once), `choices` (what AWS leaves open, decided
here), `engine` (the minute loop, baseline and oracle), `quiet` (the stretches a replay skips)
and `report` (table, JSON, plot). Pure Python on the project's settings models: no Pulumi, no AWS.

One stack, one trace (what `python -m tools.simulate` does):

    simulation = simulate(settings, read_trace(path), NodeModel.for_stack(settings, node_rps))
    simulation.summary(simulation.policy)      # under-provisioned minutes, peak shortfall, instance-hours

A measured node in place of the invented formula (`--node-profile FILE`):

    node = NodeModel.measured(settings, read_profile(path))   # ProfileError: one line per problem

Many candidate policies over the same trace (a tuner): prepare the trace once, then replay
each candidate's validated settings models; nothing per trace is recomputed (metric
sources, schedule firings by cron and time zone, the oracle's node counts):

    prepared = prepare(trace, NodeModel.for_stack(settings, node_rps), start)
    for scaling, nodes in candidates:          # ScalingSettings, NodesSettings, already validated
        run = replay(nodes, scaling, prepared) # metrics not recorded unless record_metrics=True
        figures = prepared.summary(run)
    oracle(nodes, prepared)                    # the yardsticks, once per trace
    replay(nodes, BASELINE_SCALING, prepared)

`replay` trusts its inputs (build them through the settings models, as the stack loader
does) and never mutates them or the prepared trace, apart from its cache of schedule
firings; a `PreparedTrace` may be shared by the candidates of one process (and by forked
workers). `choices` (`ModellingChoices`) holds what AWS leaves open; the report lists the
ones in force. A replay is pure Python and CPU-bound: 30 days of prod take 0.15-0.3 s of
CPU (benchmarks/simulate_30_days.py), so spread candidates over processes, not threads.
It skips the stretches where the group stands still and no alarm could move it;
`replay(..., skip_quiet=False)` evaluates every minute, the reference the skipping is
tested against.
"""

from .choices import DEFAULT_CHOICES, ModellingChoices
from .engine import (
    BASELINE_SCALING,
    DEFAULT_START,
    PreparedTrace,
    Run,
    Simulation,
    Summary,
    oracle,
    prepare,
    replay,
    simulate,
)
from .model import DERIVED_METRICS, NodeModel, Unsimulated
from .profile import NodeProfile, ProfileError, ProfilePoint, read_profile
from .target_tracking import AWS_ALARMS, TargetTrackingAlarms
from .trace import DEMAND_COLUMN, MINUTE_COLUMN, Trace, TraceError, read_trace

__all__ = [
    "AWS_ALARMS",
    "BASELINE_SCALING",
    "DEFAULT_CHOICES",
    "DEMAND_COLUMN",
    "DERIVED_METRICS",
    "DEFAULT_START",
    "MINUTE_COLUMN",
    "ModellingChoices",
    "NodeModel",
    "NodeProfile",
    "PreparedTrace",
    "ProfileError",
    "ProfilePoint",
    "Run",
    "Simulation",
    "Summary",
    "TargetTrackingAlarms",
    "Trace",
    "TraceError",
    "Unsimulated",
    "oracle",
    "prepare",
    "read_profile",
    "read_trace",
    "replay",
    "simulate",
]
