"""The scaling variant: dev with every scaling option the shipped stacks leave out, applied once
per session and shared read-only (the `scaling_variant` fixture) by the Scaling component's tests
and verify's."""

from __future__ import annotations

from typing import Any

from tests.support.fragments import SQS_BACKLOG

BUSY_WORKERS: dict[str, Any] = {  # the share of a job queue's workers busy on each node, through StatsD
    "metric": "custom",
    "target": 70,
    "namespace": "Shop/Jobs",
    "name": "BusyWorkersPercent",
    "statistic": "Maximum",
    "dimensions": {"Queue": "mailers"},
    "disableScaleIn": True,
    "warmup": 300,
}

QUIET: dict[str, Any] = {  # scale in by a share of the group when the schedulers idle
    "name": "quiet",
    "metric": {"namespace": "Elixir/BEAM", "name": "SchedulerUtilization", "statistic": "Maximum"},
    "threshold": 20,
    "comparison": "LessThanThreshold",
    "period": 300,
    "evaluationPeriods": 3,
    "adjustmentType": "PercentChangeInCapacity",
    "minAdjustmentMagnitude": 1,
    "steps": [{"to": -10, "change": -50}, {"from": -10, "to": 0, "change": -25}],
}

# jobs enqueued per minute, summed over the nodes: a statistic a step policy cannot aggregate by
JOB_BURST: dict[str, Any] = {
    "name": "job-burst",
    "metric": {"namespace": "Shop/Jobs", "name": "JobsEnqueued", "statistic": "Sum"},
    "threshold": 5000,
    "comparison": "GreaterThanThreshold",
    "steps": [{"from": 0, "change": 2}],
}

SCALING_VARIANT: dict[str, Any] = {
    "elixir-cluster:nodes": {"minSize": 1, "maxSize": 3},
    "elixir-cluster:scaling": {
        "targetTracking": [{"metric": "memory", "target": 75}, BUSY_WORKERS],
        "step": [SQS_BACKLOG, QUIET, JOB_BURST],
        "schedules": [{"name": "lunch", "cron": "30 11 * * *", "desiredCapacity": 2}],
        "predictive": {
            "mode": "ForecastAndScale",
            "metric": "cpu",
            "target": 50,
            "schedulingBufferTime": 600,
            "maxCapacityBreachBehavior": "IncreaseMaxCapacity",
        },
    },
}
"""Changes to dev: memory and a custom metric tracked; steps on a metric not published per group,
scaling in by percent, and on a sum; a schedule that sets only the desired capacity; a forecast
that acts and may raise the maximum size."""
