"""Step scaling: a CloudWatch alarm and the steps it takes, by how far past the threshold."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from typing import Literal

from ..conventions import BEAM_METRICS, METRICS_NAMESPACE
from ..limits import ALARM_WINDOW_MAX, ALARM_WINDOW_SHORT_PERIOD_MAX, HIGH_RESOLUTION_PERIODS, POLICY_NAME_TEXT
from ..model import Context, SettingsModel, setting
from ..problems import KeyPath, Problem, Shown
from ..value_types import AlarmPeriod, PolicyName
from .metric import MetricSettings, warmup_setting


class StepSettings(SettingsModel):
    """One step of a step policy: a metric interval relative to the threshold, and the change."""

    from_: float | None = setting(
        None,
        description="Lower bound, relative to the threshold (inclusive for GreaterThan*).",
        default_text="-infinity",
        alias="from",
    )
    to: float | None = setting(None, description="Upper bound, relative to the threshold.", default_text="+infinity")
    change: int = setting(
        description="Scaling adjustment: nodes (ChangeInCapacity), the node count (ExactCapacity) or percent.",
        examples=[1],
    )


class StepPolicySettings(SettingsModel):
    """A step scaling policy and the CloudWatch alarm that drives it.

    Rules: datapointsToAlarm <= evaluationPeriods; period x evaluationPeriods within
    CloudWatch's window; minAdjustmentMagnitude only with PercentChangeInCapacity; steps
    contiguous, no gaps or overlaps, at most one open lower and one open upper bound;
    GreaterThan* steps cover [0, +inf) and scale out, LessThan* steps cover (-inf, 0] and
    scale in.
    """

    name: PolicyName = setting(
        description="Names the policy and its alarm.", limit=POLICY_NAME_TEXT, examples=["run-queue"]
    )
    metric: MetricSettings = setting(
        description="The metric the alarm watches.",
        examples=[{"namespace": METRICS_NAMESPACE, "name": BEAM_METRICS["runQueue"]}],
    )
    threshold: float = setting(description="The alarm threshold; step bounds are relative to it.", examples=[50])
    comparison: Literal[
        "GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"
    ] = setting(description="When the alarm fires.", examples=["GreaterThanOrEqualToThreshold"])
    period: AlarmPeriod = setting(
        60,
        description="Alarm period.",
        unit="seconds",
        limit=f"{', '.join(map(str, HIGH_RESOLUTION_PERIODS))} or a multiple of 60",
    )
    evaluation_periods: int = setting(
        1,
        description="Periods the alarm evaluates.",
        unit="periods",
        limit=f"period x evaluationPeriods <= {ALARM_WINDOW_SHORT_PERIOD_MAX} (period < 1 h), else {ALARM_WINDOW_MAX}",
        ge=1,
    )
    datapoints_to_alarm: int | None = setting(
        None,
        description="Breaching datapoints (M of N) that fire the alarm.",
        limit="1..evaluationPeriods",
        default_text="evaluationPeriods",
        ge=1,
    )
    adjustment_type: Literal["ChangeInCapacity", "ExactCapacity", "PercentChangeInCapacity"] = setting(
        "ChangeInCapacity", description="How `change` is read."
    )
    min_adjustment_magnitude: int | None = setting(
        None, description="PercentChangeInCapacity only: the fewest nodes a step changes.", unit="nodes", ge=1
    )
    warmup: int = warmup_setting()
    steps: list[StepSettings] = setting(
        description="The step adjustments.", min_length=1, examples=[[{"from": 0, "change": 1}]]
    )

    @property
    def scales_out(self) -> bool:
        return self.comparison.startswith("GreaterThan")

    def _rules(self, at: KeyPath, context: Context) -> Iterator[Problem]:
        if self.datapoints_to_alarm is not None and self.datapoints_to_alarm > self.evaluation_periods:
            yield Problem(
                self._path(at, "datapoints_to_alarm"),
                f"must be <= evaluationPeriods ({self.evaluation_periods})",
                self.datapoints_to_alarm,
                refs=(self._path(at, "evaluation_periods"),),
            )
        window = ALARM_WINDOW_SHORT_PERIOD_MAX if self.period < 3600 else ALARM_WINDOW_MAX
        if self.period * self.evaluation_periods > window:
            yield Problem(
                self._path(at, "evaluation_periods"),
                f"period ({self.period}) x evaluationPeriods must be <= {window} s",
                self.evaluation_periods,
                refs=(self._path(at, "period"),),
            )
        if self.min_adjustment_magnitude is not None and self.adjustment_type != "PercentChangeInCapacity":
            yield Problem(
                self._path(at, "min_adjustment_magnitude"),
                "only with adjustmentType PercentChangeInCapacity",
                self.min_adjustment_magnitude,
                refs=(self._path(at, "adjustment_type"),),
            )
        steps = self._path(at, "steps")
        # each family of checks assumes the previous ones passed; report the first that fails
        for check in (self._bounded_steps, self._open_ends, self._contiguous_steps, self._coverage):
            found = list(check(steps))
            if found:
                yield from found
                break
        yield from self._change_signs(steps)

    def _bounded_steps(self, at: KeyPath) -> Iterator[Problem]:
        for index, step in enumerate(self.steps):
            if step.from_ is None and step.to is None:
                yield Problem((*at, index), "needs from or to: a step without bounds covers everything")
            elif step.from_ is not None and step.to is not None and step.from_ >= step.to:
                yield Problem((*at, index, "to"), f"must be > from ({_number(step.from_)})", step.to)

    def _open_ends(self, at: KeyPath) -> Iterator[Problem]:
        for bound, key in (("from_", "from"), ("to", "to")):
            open_ended = [i for i, s in enumerate(self.steps) if getattr(s, bound) is None]
            for index in open_ended[1:]:
                yield Problem(
                    (*at, index, key),
                    f"only one step may leave {key} open (steps[{open_ended[0]}] does)",
                    refs=((*at, open_ended[0], key),),
                )

    def _contiguous_steps(self, at: KeyPath) -> Iterator[Problem]:
        order = sorted(
            range(len(self.steps)), key=lambda i: -math.inf if self.steps[i].from_ is None else self.steps[i].from_
        )
        for before, after in itertools.pairwise(order):
            upper, lower = self.steps[before].to, self.steps[after].from_
            if upper is None:
                yield Problem(
                    (*at, before, "to"),
                    f"is open but steps[{after}] starts at {_number(lower)}: overlap",
                    refs=((*at, after, "from"),),
                )
            elif upper != lower:
                kind = "gap" if lower > upper else "overlap"
                yield Problem(
                    (*at, after, "from"),
                    f"must equal steps[{before}].to ({_number(upper)}): no gap, no overlap ({kind})",
                    lower,
                    refs=((*at, before, "to"),),
                )

    def _coverage(self, at: KeyPath) -> Iterator[Problem]:
        """The alarm fires past the threshold only: steps cover [0, +inf) or (-inf, 0]."""
        lowest, highest = self.steps_in_order()[0].from_, self.steps_in_order()[-1].to
        shown = Shown(_bounds(self.steps_in_order()))
        if self.scales_out:
            if lowest != 0:
                yield Problem(at, f"for {self.comparison} the steps must start at from: 0 (the threshold)", shown)
            if highest is not None:
                yield Problem(at, "the last step must leave `to` open: the metric can rise without limit", shown)
        else:
            if highest != 0:
                yield Problem(at, f"for {self.comparison} the steps must end at to: 0 (the threshold)", shown)
            if lowest is not None:
                yield Problem(at, "the first step must leave `from` open: the metric can fall without limit", shown)

    def _change_signs(self, at: KeyPath) -> Iterator[Problem]:
        if self.adjustment_type == "ExactCapacity":
            return  # a node count, checked against the group's sizes
        for index, step in enumerate(self.steps):
            if self.scales_out and step.change <= 0:
                yield Problem((*at, index, "change"), f"must be > 0: {self.comparison} scales out", step.change)
            elif not self.scales_out and step.change >= 0:
                yield Problem((*at, index, "change"), f"must be < 0: {self.comparison} scales in", step.change)

    def steps_in_order(self) -> list[StepSettings]:
        """The steps from the lowest interval to the highest."""
        return sorted(self.steps, key=lambda s: -math.inf if s.from_ is None else s.from_)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _bounds(steps: list[StepSettings]) -> str:
    def bound(value: float | None, open_text: str) -> str:
        return open_text if value is None else _number(value)

    return " ".join(f"[{bound(s.from_, '-inf')}, {bound(s.to, '+inf')})" for s in steps)
