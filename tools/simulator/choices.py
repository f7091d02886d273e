"""What AWS leaves open, decided by the simulator: its modelling choices, each a parameter.

Every report (table and JSON) lists the choices in force, so a figure is never read as
AWS's own behaviour where it is the simulator's assumption.

Target tracking's alarms. AWS documents neither their datapoint counts nor the scale-in
threshold. The alarms it creates read "3 datapoints within 3 minutes" above the target and
"15 datapoints within 15 minutes" below a lower threshold that consoles show between 70%
and 90% of the target.

Target tracking's scale-in step. AWS says only
https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-target-tracking.html:
"To ensure application availability, the Auto Scaling group scales out proportionally to
the metric as fast as it can, but scales in more gradually." and, of the rounding, "if we
determine that removing 1.5 instances increases your CPU utilization to above 50 percent,
we remove just one instance." How far one scale-in goes is not documented:
`scale_in_step` is the share of the way from the current capacity down to the proportional
capacity (ceil(current x metric / target)) that one scale-in activity removes, at least
one node, rounded down.

The default, 1.0 (all the way to the proportional capacity in one activity), is argued for:
- it is the only sizing rule AWS documents for scale-in (the 1.5-instances example is the
  proportional formula, rounded so as not to remove too many); the gradualness AWS names
  is documented through the alarm (15 datapoints against 3, below a threshold under the
  target), which the simulator models, not through a cap on one activity;
- CloudWatch re-invokes the policy every minute while the low alarm stays in ALARM, so a
  gradual step reaches the same floor a few minutes later: the choice moves the timeline
  by minutes, not the outcome;
- it errs on the side that matters for a service objective: removing capacity sooner adds
  under-provisioned minutes when load comes back rather than hiding them, so a policy that
  meets its objective here should meet it under a gentler AWS too (whose instance-hours
  would then be higher).
Pass a smaller step (`--scale-in-step 0.5`) to see how sensitive a policy is to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SCALE_IN_STEP_ALL_THE_WAY = 1.0


@dataclass(frozen=True)
class ModellingChoices:
    """The simulator's parameters for what AWS leaves open (see the module docstring).

    scale_out_datapoints: consecutive datapoints above the target before target tracking
        scales out (3).
    scale_in_datapoints: consecutive datapoints below the scale-in threshold before it
        scales in (15).
    scale_in_fraction: the scale-in threshold as a fraction of the target (0.9; some
        consoles show 0.7).
    period_minutes: one target tracking datapoint per this many minutes (1: ALB metrics and
        detailed monitoring; basic EC2 monitoring would be 5).
    scale_in_step: the share of the way to the proportional capacity one target tracking
        scale-in removes (1.0: all the way; 0.5: half of it, at least one node).
    """

    scale_out_datapoints: int = 3
    scale_in_datapoints: int = 15
    scale_in_fraction: float = 0.9
    period_minutes: int = 1
    scale_in_step: float = SCALE_IN_STEP_ALL_THE_WAY

    def __post_init__(self) -> None:
        if not 0 < self.scale_in_step <= 1:
            raise ValueError(f"scale_in_step: must be > 0 and <= 1, got {self.scale_in_step!r}")
        if not 0 < self.scale_in_fraction <= 1:
            raise ValueError(f"scale_in_fraction: must be > 0 and <= 1, got {self.scale_in_fraction!r}")
        for name in ("scale_out_datapoints", "scale_in_datapoints", "period_minutes"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name}: must be >= 1, got {getattr(self, name)!r}")

    def to_json(self) -> dict[str, Any]:
        """The choices in force, by the camelCase names the JSON report uses."""
        return {
            "targetTrackingScaleOutDatapoints": self.scale_out_datapoints,
            "targetTrackingScaleInDatapoints": self.scale_in_datapoints,
            "targetTrackingScaleInThreshold": self.scale_in_fraction,
            "targetTrackingPeriodMinutes": self.period_minutes,
            "targetTrackingScaleInStep": self.scale_in_step,
        }

    def describe(self) -> list[str]:
        """One line per choice, for people."""
        step = (
            "all the way to the proportional capacity in one activity"
            if self.scale_in_step == SCALE_IN_STEP_ALL_THE_WAY
            else f"{self.scale_in_step:g} of the way to the proportional capacity per activity (at least 1 node)"
        )
        return [
            f"target tracking scales out after {self.scale_out_datapoints} datapoints above the target",
            f"and in after {self.scale_in_datapoints} below {self.scale_in_fraction:g} x the target, "
            f"one datapoint per {self.period_minutes} min",
            f"target tracking scale-in: {step}",
        ]


DEFAULT_CHOICES = ModellingChoices()
"""The defaults above."""
