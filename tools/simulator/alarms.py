"""CloudWatch alarms as the scaling policies see them: datapoints per period, M out of N.

https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
- An alarm aggregates its metric over each period into one datapoint (the statistic), and
  is in ALARM while at least `datapoints_to_alarm` of the last `evaluation_periods`
  datapoints breach.
- "An alarm invokes actions only when the alarm changes state. The exception is for alarms
  with Auto Scaling actions. For Auto Scaling actions, the alarm continues to invoke the
  action once per minute that the alarm remains in the new state." So the policy runs
  every minute the alarm is in ALARM, whatever its period, with the latest datapoint
  (https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-simple-step.html: the
  policy "applies the aggregation type to the most recent metric data points").

Open details, decided here: a period without any datapoint is skipped (CloudWatch's
default TreatMissingData "missing": the alarm neither advances nor resets, and keeps its
state). Periods are aligned to the trace's minute 0; the state a period's datapoint
decides holds from the last minute of that period.
"""

from __future__ import annotations

import operator
from collections import deque
from collections.abc import Callable

AGGREGATE: dict[str, Callable[[list[float]], float]] = {
    "Average": lambda values: sum(values) / len(values),
    "Minimum": min,
    "Maximum": max,
    "Sum": sum,
    "SampleCount": sum,  # a column recorded as SampleCount holds counts per minute
}

COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanOrEqualToThreshold": operator.ge,
    "GreaterThanThreshold": operator.gt,
    "LessThanThreshold": operator.lt,
    "LessThanOrEqualToThreshold": operator.le,
}


class Alarm:
    """One metric alarm: `compare(datapoint, threshold)` over `period_minutes`, M of N datapoints.

    After each `observe`, `in_alarm` is the alarm's state and `value` its latest datapoint
    (None until the first one)."""

    __slots__ = (
        "_aggregate",
        "_breaching",
        "_compare",
        "_needed",
        "_pending",
        "_period",
        "_recent",
        "_window",
        "in_alarm",
        "threshold",
        "value",
    )

    def __init__(
        self,
        compare: Callable[[float, float], bool],
        threshold: float,
        *,
        period_minutes: int = 1,
        evaluation_periods: int = 1,
        datapoints_to_alarm: int | None = None,
        statistic: str = "Average",
    ):
        self._compare = compare
        self.threshold = threshold
        self._period = period_minutes
        self._aggregate = AGGREGATE[statistic]
        self._window = evaluation_periods
        self._needed = datapoints_to_alarm or evaluation_periods
        self._recent: deque[bool] = deque()
        self._breaching = 0  # breaching datapoints among _recent (N of N, period 1: the current run)
        self._pending: list[float] = []  # this period's values so far
        self.in_alarm = False
        self.value: float | None = None

    @property
    def runs(self) -> bool:
        """Whether the alarm is a run of breaching datapoints: one a minute, N out of N."""
        return self._period == 1 and self._needed == self._window

    @property
    def compare(self) -> Callable[[float, float], bool]:
        return self._compare

    @property
    def needed(self) -> int:
        return self._needed

    @property
    def run(self) -> int:
        """The current run of breaching datapoints (when `runs`)."""
        return self._breaching

    def follow(self, values: list[float]) -> None:
        """Feed a stretch of one-a-minute datapoints, none missing, at once (when `runs`)."""
        run = 0
        for value in reversed(values):
            if not self._compare(value, self.threshold):
                break
            run += 1
            if run >= self._needed:
                break
        else:
            run += self._breaching
        self._breaching = min(run, self._needed)
        self.value = values[-1]
        self.in_alarm = self._breaching >= self._needed

    def observe(self, minute: int, value: float | None) -> bool:
        """Feed minute `minute`'s value (None: no datapoint); whether the alarm is in ALARM after it."""
        if self._period == 1:
            if value is None:
                return self.in_alarm
            datapoint = value
            if self._needed == self._window:  # N of N: the run of breaching datapoints says it all
                self.value = value
                self._breaching = self._breaching + 1 if self._compare(value, self.threshold) else 0
                self.in_alarm = in_alarm = self._breaching >= self._needed
                return in_alarm
        else:
            if value is not None:
                self._pending.append(value)
            if (minute + 1) % self._period:
                return self.in_alarm
            values, self._pending = self._pending, []
            if not values:
                return self.in_alarm
            datapoint = values[0] if len(values) == 1 else self._aggregate(values)
        self.value = datapoint
        breach = self._compare(datapoint, self.threshold)
        recent = self._recent
        if len(recent) == self._window:
            self._breaching -= recent.popleft()
        recent.append(breach)
        self._breaching += breach
        self.in_alarm = in_alarm = self._breaching >= self._needed
        return in_alarm
