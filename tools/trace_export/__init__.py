"""A trace for the simulator and the tuner, exported from a deployed stack's CloudWatch metrics.

One module per idea: `columns` (which metric becomes which column, and what a minute without a
datapoint means in it), `cloudwatch` (GetMetricData, one-minute periods, and how long CloudWatch
keeps them), `exported` (one row per minute, the CSV, what was missing). The environment is
found as verify finds it (`tools.verifier.discovery`). `python -m tools.trace` is the command.
Reads settings and plans only: no Pulumi.
"""

from __future__ import annotations

from .cloudwatch import ONE_MINUTE_RETENTION, PERIOD_SECONDS, read_columns
from .columns import DEMAND, TraceColumn, trace_columns
from .exported import ExportedTrace, assemble

__all__ = [
    "DEMAND",
    "ONE_MINUTE_RETENTION",
    "PERIOD_SECONDS",
    "ExportedTrace",
    "TraceColumn",
    "assemble",
    "read_columns",
    "trace_columns",
]
