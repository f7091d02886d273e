"""What the tuner varies: the knobs of a stack file's scaling section and sizes, and their values.

A knob is one key of the stack file (`scaling.targetTracking[0].target`), with the values
the search may give it, the current one among them. The knobs come from the stack's own
scaling section: the tuner changes numbers, never the shape (which policies, metrics,
step bounds, crons), so what it proposes reads like the file it came from.

- target tracking targets: utilisations 20..95% in steps of 5 (for requestsPerTarget the
  same utilisations of a node's capacity, node rps x 60 requests per minute); a custom
  metric's target 0.5..1.5 times its current value;
- step policies: the threshold 0.25..3 times its current value, each step's change
  (ChangeInCapacity 1..6 nodes or up to twice the current change, PercentChangeInCapacity
  10..200%, ExactCapacity within the sizes), signs as the comparison requires;
- schedules: each size they set, within the size bounds;
- nodes.minSize and nodes.maxSize within the bounds the user gives (`--min-size A..B`,
  `--max-size A..B`); without them the stack's own. desiredCapacity follows into the range.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from components.settings import GROUP_SIZE, PERCENT_TARGET_METRICS, format_path
from tools.simulator.model import SECONDS_PER_MINUTE

UTILISATIONS = tuple(range(20, 96, 5))
"""Target utilisations tried, percent: below 20% a policy buys five idle nodes for one busy
one; above 95% no node has headroom for the minutes a scale-out takes."""
CUSTOM_TARGET_FACTORS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.1, 1.2, 1.35, 1.5)
THRESHOLD_FACTORS = (0.25, 0.5, 0.75, 1.25, 1.5, 2.0, 3.0)
CHANGE_NODES = 6
"""ChangeInCapacity steps tried: 1..6 nodes (or up to twice the current change)."""
PERCENT_CHANGES = (10, 25, 50, 75, 100, 150, 200)
SIZE_KEYS = ("minSize", "maxSize", "desiredCapacity")

Sections = dict[str, Any]
"""The project's stack-file sections by key (`nodes`, `scaling`, ...), as the file holds them."""
Path = tuple[str | int, ...]


class BoundsError(ValueError):
    """A size bound cannot be met; the message is one line naming the flag."""


@dataclass(frozen=True)
class SizeRange:
    """A flag's range of sizes, A..B inclusive."""

    low: int
    high: int

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.low, self.high + 1))

    def clamp(self, value: int) -> int:
        return max(self.low, min(self.high, value))

    def __str__(self) -> str:
        return f"{self.low}..{self.high}"


def parse_size_range(flag: str, text: str, limit=GROUP_SIZE) -> SizeRange:
    """`--min-size 3..6` (or one number, `3`); BoundsError names the flag and what to write."""
    low_text, dots, high_text = text.partition("..")
    if not dots:
        high_text = low_text
    try:
        low, high = int(low_text), int(high_text)
    except ValueError:
        raise BoundsError(f"{flag}: must be A..B in whole nodes, such as 3..6, got {text!r}") from None
    if low > high:
        raise BoundsError(f"{flag}: the range runs backwards: write {high}..{low}, got {text!r}")
    if low < limit.min or high > limit.max:
        raise BoundsError(f"{flag}: must lie within {limit.min}..{limit.max} nodes, got {text!r}")
    return SizeRange(low, high)


@dataclass(frozen=True)
class Knob:
    """One stack-file key the search varies, and the values it may take (sorted, current included)."""

    path: Path
    values: tuple[float | int, ...]
    current: float | int
    note: str = ""
    continuous: bool = False
    """A target or a threshold: any number between two grid values is valid, so the grid may be refined."""
    beyond: tuple[str | None, str | None] = (None, None)
    """What searches below the lowest value and above the highest (a flag to widen, a second run),
    or None where the end is a limit of its own (no step changes by less than one node)."""

    @property
    def key(self) -> str:
        return format_path(self.path)

    @property
    def label(self) -> str:
        return f"{self.key} ({self.note})" if self.note else self.key


@dataclass(frozen=True)
class SearchSpace:
    """The knobs, the stack file's sections they apply to, and the candidate the search starts from."""

    sections: Sections
    knobs: tuple[Knob, ...]
    start: tuple[float | int, ...]

    def sections_for(self, values: Sequence[float | int]) -> Sections:
        """The stack file's sections with `values` set, one per knob; desiredCapacity kept within the sizes."""
        sections = copy.deepcopy(self.sections)
        for knob, value in zip(self.knobs, values, strict=True):
            _set(sections, knob.path, value)
        nodes = sections.get("nodes") or {}
        if "desiredCapacity" in nodes and {"minSize", "maxSize"} <= nodes.keys():
            nodes["desiredCapacity"] = max(nodes["minSize"], min(nodes["maxSize"], nodes["desiredCapacity"]))
        return sections

    def refined(self, values: Sequence[float | int]) -> SearchSpace:
        """The same knobs, each continuous one with the midpoints between `values` and its grid neighbours."""
        knobs = []
        for knob, value in zip(self.knobs, values, strict=True):
            grid = knob.values
            if knob.continuous:
                at = grid.index(value)
                neighbours = grid[max(0, at - 1) : at + 2]
                halves = {_significant((low + high) / 2) for low, high in itertools.pairwise(neighbours)}
                knob = dataclasses.replace(knob, values=tuple(sorted({*grid, *halves})))
            knobs.append(knob)
        return dataclasses.replace(self, knobs=tuple(knobs))

    def without(self, policies: Sequence[Path]) -> SearchSpace:
        """The same space without the knobs of `policies` (their paths, e.g. ("scaling", "step", 0))."""
        kept = [i for i, knob in enumerate(self.knobs) if not any(knob.path[: len(p)] == p for p in policies)]
        return SearchSpace(self.sections, tuple(self.knobs[i] for i in kept), tuple(self.start[i] for i in kept))

    def changes(self, values: Sequence[float | int]) -> list[tuple[Knob, float | int]]:
        """The knobs whose value differs from the stack file's, with the new value."""
        return [(knob, value) for knob, value in zip(self.knobs, values, strict=True) if value != knob.current]


def build_space(
    sections: Sections,
    node_rps: float,
    min_size: SizeRange | None = None,
    max_size: SizeRange | None = None,
) -> SearchSpace:
    """The knobs of a stack file's `scaling` and sizes; `sections` must have passed the settings."""
    sections = copy.deepcopy(sections)
    nodes = sections.setdefault("nodes", {})
    current_min, current_max = nodes["minSize"], nodes["maxSize"]
    min_range = min_size or SizeRange(current_min, current_min)
    max_range = max_size or SizeRange(current_max, current_max)
    if min_range.low > max_range.high:
        given_min = f"--min-size {min_range}" if min_size else f"the stack's nodes.minSize ({current_min})"
        given_max = f"--max-size {max_range}" if max_size else f"the stack's nodes.maxSize ({current_max})"
        raise BoundsError(
            f"{given_min} and {given_max}: minSize can never be <= maxSize; give a --max-size reaching at least "
            f"{min_range.low} or a --min-size from at most {max_range.high}"
        )
    sizes = SizeRange(min_range.low, max_range.high)
    knobs = [*_size_knobs(nodes, min_range, max_range), *_scaling_knobs(sections.get("scaling") or {}, node_rps, sizes)]
    start = tuple(_start_value(knob) for knob in knobs)
    return SearchSpace(sections, tuple(knobs), start)


AGAIN = "tune again from the edited stack file (--write): the search ranges around its values"


def _size_knobs(nodes: dict[str, Any], min_range: SizeRange, max_range: SizeRange) -> Iterator[Knob]:
    for key, span, flag in (("minSize", min_range, "--min-size"), ("maxSize", max_range, "--max-size")):
        current = nodes[key]
        if tuple(span) != (current,):
            widen = f"widen {flag} ({span})"
            yield Knob(("nodes", key), tuple(span), current, beyond=(widen, widen))


def _scaling_knobs(scaling: dict[str, Any], node_rps: float, sizes: SizeRange) -> Iterator[Knob]:
    for index, policy in enumerate(scaling.get("targetTracking") or []):
        yield _target_knob(index, policy, node_rps)
    for index, policy in enumerate(scaling.get("step") or []):
        yield from _step_knobs(index, policy, sizes)
    for index, schedule in enumerate(scaling.get("schedules") or []):
        for key in SIZE_KEYS:
            if schedule.get(key) is not None:
                # the group's own sizes bound a schedule's: nothing lies beyond them
                yield Knob(("scaling", "schedules", index, key), tuple(sizes), schedule[key])


def _target_knob(index: int, policy: dict[str, Any], node_rps: float) -> Knob:
    metric, current = policy["metric"], _number(policy["target"])
    beyond: tuple[str | None, str | None] = (None, None)  # utilisations: 20..95% is the range that makes sense
    if metric in PERCENT_TARGET_METRICS:
        values = UTILISATIONS
    elif metric == "requestsPerTarget":
        per_node_minute = node_rps * SECONDS_PER_MINUTE
        values = tuple(round(per_node_minute * utilisation / 100) for utilisation in UTILISATIONS)
    else:
        values = tuple(_significant(current * factor) for factor in CUSTOM_TARGET_FACTORS)
        beyond = (AGAIN, AGAIN)
    at = ("scaling", "targetTracking", index, "target")
    return Knob(at, _with(values, current), current, metric, True, beyond)


def _step_knobs(index: int, policy: dict[str, Any], sizes: SizeRange) -> Iterator[Knob]:
    at = ("scaling", "step", index)
    threshold = _number(policy["threshold"])
    if threshold:
        values = tuple(_significant(threshold * factor) for factor in THRESHOLD_FACTORS)
        yield Knob(
            (*at, "threshold"), _with(values, threshold), threshold, policy.get("name", ""), True, (AGAIN, AGAIN)
        )
    scales_out = str(policy["comparison"]).startswith("GreaterThan")
    kind = policy.get("adjustmentType", "ChangeInCapacity")
    for step_index, step in enumerate(policy["steps"]):
        current = int(step["change"])
        if kind == "ExactCapacity":
            yield Knob((*at, "steps", step_index, "change"), tuple(sizes), current, kind)  # within the sizes
            continue
        if kind == "PercentChangeInCapacity":
            magnitudes, larger = PERCENT_CHANGES, None
        else:
            magnitudes, larger = tuple(range(1, max(CHANGE_NODES, 2 * abs(current)) + 1)), AGAIN
        sign = 1 if scales_out else -1
        values = _with(tuple(sign * m for m in magnitudes), current)
        # the smallest change is a limit of its own; the largest, the search's
        beyond = (None, larger) if scales_out else (larger, None)
        yield Knob((*at, "steps", step_index, "change"), values, current, kind, beyond=beyond)


def _start_value(knob: Knob) -> float | int:
    """The current value, or the nearest the bounds allow."""
    if knob.current in knob.values:
        return knob.current
    return min(knob.values, key=lambda value: abs(value - knob.current))


def _with(values: tuple, current: float | int) -> tuple:
    """The grid and the current value, sorted: the search starts from where the stack is."""
    return tuple(sorted({*values, current}))


def _number(value: Any) -> float | int:
    number = float(value)
    return int(number) if number.is_integer() else number


def _significant(value: float, digits: int = 3) -> float | int:
    """Three significant digits, a whole number where it is one: what a person would write."""
    if value == 0:
        return 0
    rounded = round(value, digits - 1 - math.floor(math.log10(abs(value))))
    return _number(rounded)


def _set(sections: Sections, path: Path, value: float | int) -> None:
    here: Any = sections
    for part in path[:-1]:
        here = here[part]
    here[path[-1]] = value
