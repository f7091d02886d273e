"""Quiet stretches: minutes a replay can skip, because nothing in them can change the group.

Most minutes of a day nothing happens: no node starts serving, finishes its warmup or its
drain, no schedule fires, and no alarm is (or gets) in ALARM with something it could do.
Over such a stretch the group stands still, every policy's metric is a plain function of
demand at a fixed number of nodes (`MetricCatalog.segment`), and the alarms only move
their runs of breaching datapoints. `quiet_until` finds where the stretch ends; the
policies' `scan` look ahead without changing anything, their `skip` moves the alarms over
the stretch in one go; the engine logs the group for it and evaluates the next minute
as usual. What counts as "could do" errs toward evaluating: a minute is left to the
minute loop whenever a policy might act in it.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING

from .model import Group

if TYPE_CHECKING:
    from .step_scaling import StepScalingPolicy
    from .target_tracking import TargetTrackingPolicy

QUIET_WINDOW_FIRST = 8  # minutes looked ahead for a quiet stretch, at first
QUIET_WINDOW_MAX = 128  # a longer look is mostly wasted when the group moves every few minutes
QUIET_BACKOFF_MAX = 64  # minutes the loop runs minute by minute before it looks again, at most
QUIET_WORTH = 16  # a stretch shorter than this hardly pays for the looking: look less often


def quiet_until(
    group: Group,
    tracking: list[TargetTrackingPolicy],
    steps: list[StepScalingPolicy],
    warmups: list[int],
    firings: list[int],
    minute: int,
    minutes: int,
) -> int:
    """The end of the quiet stretch from `minute`: `minute` itself when it is not quiet.

    Quiet: nothing about the group changes (no node starts serving, finishes a warmup or a
    drain, no schedule fires) and no policy could act: no step alarm in ALARM with a step
    that could move the group, no target tracking scale-out that would grow it, and no
    minute on which every scale-in voter could shrink it."""
    launched, draining = group.launched, group.draining
    if draining and draining[0] <= minute:
        return minute
    end = minutes
    if draining:
        end = min(end, draining[0])
    next_firing = bisect_right(firings, minute - 1)
    if next_firing < len(firings):
        if firings[next_firing] == minute:
            return minute
        end = min(end, firings[next_firing])
    serves_after = group.serves_after
    for delay in {serves_after, *warmups}:  # the next node to start serving, or to finish a warmup
        index = bisect_right(launched, minute - delay)
        if index < len(launched):
            end = min(end, launched[index] + delay)
    in_service = bisect_right(launched, minute - serves_after)
    for policy in steps:
        end = policy.scan(minute, end, group, in_service)
        if end <= minute:
            return minute
    shrinks = []
    for policy in tracking:
        end, marks = policy.scan(minute, end, group, in_service)
        if end <= minute:
            return minute
        if policy.scales_in:
            shrinks.append(marks)
    if shrinks and all(marks is not None for marks in shrinks):
        for offset, agreed in enumerate(zip(*shrinks, strict=False)):
            if offset >= end - minute:
                break
            if all(agreed):
                return minute + offset
    return end


class Lookout:
    """How far ahead the replay looks for a quiet stretch, and when it looks again after
    finding none (or too short a one): both grow while they pay off, so a trace that
    scales every few minutes costs little more than the minute loop alone."""

    def __init__(self) -> None:
        self.window = QUIET_WINDOW_FIRST
        self.retry_at = 0
        self._backoff = 1

    def limit(self, minute: int, minutes: int) -> int:
        return min(minutes, minute + self.window)

    def found(self, minute: int, limit: int, quiet: int) -> None:
        """Learn from a look from `minute` up to `limit` that found quiet until `quiet`."""
        self.window = min(self.window * 2, QUIET_WINDOW_MAX) if quiet == limit else QUIET_WINDOW_FIRST
        if quiet - minute < QUIET_WORTH:
            self.retry_at, self._backoff = quiet + self._backoff, min(self._backoff * 2, QUIET_BACKOFF_MAX)
        else:
            self._backoff = 1
