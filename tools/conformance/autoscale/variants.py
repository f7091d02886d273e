"""The stack files the autoscale lab runs: dev and prod as shipped, but for what a lab of a few small
nodes needs (issue 24 item 5):

- `nodes`: minSize 2, maxSize 5, desiredCapacity 2 (LAB_SIZES): a scale-out has room to show, and
  dev's shipped 1 node could not be compared with a scale-in to its minimum under load;
- `scaling.schedules` left out (prod's): they fire on the wall clock's weekday mornings, which a
  compressed lab hour does not meet; the lab's replay leaves them out too;
- prod's request-count target: 1000 requests per node per minute is its load test's knee on a
  c7g.large, below what the instance serves flat out. A lab node serves NODE_CAPACITY requests per lab
  second (the calibration makes it so: calibrate.py), NODE_CAPACITY x 60 = 120 per lab minute, and
  the lab's prod tracks LAB_REQUEST_TARGET, KNEE_SHARE (5/6) of that: 100, the same policy for the
  lab's node. Its other policies are as shipped;
- `release.environment` gains BEAM_METRICS_INTERVAL_MS, the release's sample interval, 10 s of lab
  time in real milliseconds (lab_time.py: the agent collects every 10 lab seconds, so each collection
  still gets one sample).

Everything else (policies, targets, warmups, alarms, health checks, deregistration delay, drain) is the
shipped file's.
"""

from __future__ import annotations

from typing import Any

import yaml

from tools.stack_files import stack_file

NODES_SECTION = "elixir-cluster:nodes"
SCALING_SECTION = "elixir-cluster:scaling"
RELEASE_SECTION = "elixir-cluster:release"
LAB_SIZES = {"minSize": 2, "maxSize": 5, "desiredCapacity": 2}
NODE_CAPACITY = 2.0
"""Requests per lab second a lab node serves at 100 % of its quota (20 real ones at a factor of 10: 5 ms
of CPU each on a tenth of a core); the calibration sets the work per request to make it so."""
KNEE_SHARE = 5 / 6
LAB_REQUEST_TARGET = round(KNEE_SHARE * NODE_CAPACITY * 60)
"""Requests per node per lab minute: a lab node's knee, 100 (see the module docstring)."""
SAMPLE_VARIABLE = "BEAM_METRICS_INTERVAL_MS"
RELEASE_SAMPLE_SECONDS = 10
"""Shop.BeamMetrics's interval as shipped: the agent's StatsD collection interval."""


def lab_changes(stack: str, factor: float) -> dict[str, dict[str, Any]]:
    """Per section, the keys the lab changes in `stacks/Pulumi.<stack>.yaml` (None removes a key)."""
    config = yaml.safe_load(stack_file(stack).read_text())["config"]
    environment = dict(config.get(RELEASE_SECTION, {}).get("environment") or {})
    environment[SAMPLE_VARIABLE] = str(round(RELEASE_SAMPLE_SECONDS * 1000 / factor))
    scaling: dict[str, Any] = {"schedules": None}
    tracking = [dict(policy) for policy in config.get(SCALING_SECTION, {}).get("targetTracking") or []]
    for policy in tracking:
        if policy.get("metric") == "requestsPerTarget":
            policy["target"] = LAB_REQUEST_TARGET
    if tracking:
        scaling["targetTracking"] = tracking
    return {
        NODES_SECTION: dict(LAB_SIZES),
        SCALING_SECTION: scaling,
        RELEASE_SECTION: {"environment": environment},
    }
