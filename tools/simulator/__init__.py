"""The scaling what-if simulator: replay a load trace through a stack's scaling settings.

One module per concept: `trace` (CSV in), `model` (nodes, group, metrics), `alarms`
(CloudWatch datapoints), `target_tracking`, `step_scaling`, `schedules`, `decisions`
(several policies at once), `engine` (the minute loop, baseline and oracle) and `report`
(table, JSON, plot). Pure Python on the project's settings models: no Pulumi, no AWS.
"""

from .engine import DEFAULT_START, Simulation, simulate
from .model import NodeModel
from .target_tracking import TargetTrackingAlarms
from .trace import Trace, TraceError, read_trace

__all__ = [
    "DEFAULT_START",
    "NodeModel",
    "Simulation",
    "TargetTrackingAlarms",
    "Trace",
    "TraceError",
    "read_trace",
    "simulate",
]
