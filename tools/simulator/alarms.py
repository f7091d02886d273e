"""CloudWatch alarms as the scaling policies see them: datapoints per period, M out of N.

https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarm-evaluation
An alarm aggregates its metric over each period into one datapoint (the statistic), and
is in ALARM while at least `datapoints_to_alarm` of the last `evaluation_periods`
datapoints breach. Auto Scaling runs the alarm's policy at each evaluation while the
alarm stays in ALARM (https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-simple-step.html:
"the policy continues to respond to additional alarms").

Open detail, decided here: a period without any datapoint is skipped (CloudWatch's
default TreatMissingData "missing": the alarm neither advances nor resets).
Periods are aligned to the trace's minute 0.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

AGGREGATE: dict[str, Callable[[list[float]], float]] = {
    "Average": lambda values: sum(values) / len(values),
    "Minimum": min,
    "Maximum": max,
    "Sum": sum,
    "SampleCount": sum,  # a column recorded as SampleCount holds counts per minute
}

COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanOrEqualToThreshold": lambda value, threshold: value >= threshold,
    "GreaterThanThreshold": lambda value, threshold: value > threshold,
    "LessThanThreshold": lambda value, threshold: value < threshold,
    "LessThanOrEqualToThreshold": lambda value, threshold: value <= threshold,
}


@dataclass(frozen=True)
class Evaluation:
    """The datapoint of a period that just ended and the alarm's state after it."""

    value: float
    in_alarm: bool


class Alarm:
    """One metric alarm: `breaches(datapoint)` over `period_minutes`, M of N datapoints."""

    def __init__(
        self,
        breaches: Callable[[float], bool],
        *,
        period_minutes: int = 1,
        evaluation_periods: int = 1,
        datapoints_to_alarm: int | None = None,
        statistic: str = "Average",
    ):
        self._breaches = breaches
        self._period = period_minutes
        self._aggregate = AGGREGATE[statistic]
        self._needed = datapoints_to_alarm or evaluation_periods
        self._recent: deque[bool] = deque(maxlen=evaluation_periods)
        self._values: list[float] = []

    def observe(self, minute: int, value: float | None) -> Evaluation | None:
        """Feed minute `minute`'s value; an Evaluation when this minute ends a period with data."""
        if value is not None:
            self._values.append(value)
        if (minute + 1) % self._period:
            return None
        values, self._values = self._values, []
        if not values:
            return None
        datapoint = values[0] if len(values) == 1 else self._aggregate(values)
        self._recent.append(self._breaches(datapoint))
        return Evaluation(datapoint, sum(self._recent) >= self._needed)
