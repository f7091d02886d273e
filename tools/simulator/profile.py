"""A measured node profile: what one node reports at each steady request rate, and how long it
takes from launch to InService and to serving. It replaces the node model's invented formula
(model.py: CPU = demand / capacity, scheduler utilisation = 100 x (CPU/100)^1.5, boot = the grace
period) with what a team measured on its own nodes (README: "Measuring a node profile").

The file is JSON (YAML too, by a .yaml or .yml suffix), camelCase keys like the stack files:

    {"description": "shop 1.0 on c7g.large, measured by make autoscale-lab on 2026-12-07",
     "points": [{"requestsPerSecond": 0,  "cpuUtilization": 2,  "schedulerUtilization": 1},
                {"requestsPerSecond": 10, "cpuUtilization": 30, "schedulerUtilization": 22},
                {"requestsPerSecond": 30, "cpuUtilization": 95, "schedulerUtilization": 90}],
     "launchToInServiceSeconds": 40,
     "launchToServingSeconds": 55}

- `points`: ONE node at a steady per-node request rate (requests/s): its EC2 CPUUtilization (%) and
  its Elixir/BEAM SchedulerUtilization (%). At least 2, requestsPerSecond >= 0 and strictly
  ascending, percentages 0-100, cpuUtilization never falling as the rate rises.
- Between points: linear interpolation. Below the first point: the first point's values (nothing
  was measured there; an idle node still reports some CPU).
- Capacity (what `--node-rps` gives the formula: requests/s at 100% CPU): the first point's rate
  at which cpuUtilization reaches 100, or, when the last point is below 100, extrapolated linearly
  from the last two points (its scheduler utilisation extrapolated the same way, held within 0-100;
  capacity then counts as one more point). Above capacity the node is saturated: CPU 100, scheduler
  utilisation at its value at capacity; points beyond capacity change nothing.
- `launchToInServiceSeconds`: launch until the launch lifecycle hook completed (InService): the
  node model's join. `launchToServingSeconds`: launch until the load balancer's health checks pass:
  its boot; >= launchToInServiceSeconds.

`read_profile(path)` reads and checks a file, `NodeProfile.from_json(document)` a parsed document,
both raising ProfileError with every problem at once, each naming its key path and the fix
(`points[2].cpuUtilization: 130 is above 100; give a percentage 0-100`). `NodeProfile(...)`
itself refuses what the file would (a lab that writes a profile gets the same checks), and
`to_json()` gives the file's document.
"""

from __future__ import annotations

import difflib
import json
import math
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from components.settings import PERCENT

DESCRIPTION = "description"
POINTS = "points"
IN_SERVICE = "launchToInServiceSeconds"
SERVING = "launchToServingSeconds"
PROFILE_KEYS = (DESCRIPTION, POINTS, IN_SERVICE, SERVING)
RATE, CPU, SCHEDULER = "requestsPerSecond", "cpuUtilization", "schedulerUtilization"
POINT_KEYS = (RATE, CPU, SCHEDULER)
MIN_POINTS = 2
YAML_SUFFIXES = (".yaml", ".yml")

WHAT_A_POINT_IS = {
    RATE: "the requests/s ONE node received, steady over the minutes averaged",
    CPU: "the node's EC2 CPUUtilization (%) at that rate",
    SCHEDULER: "the node's Elixir/BEAM SchedulerUtilization (%) at that rate",
}
WHAT_A_KEY_IS = {
    DESCRIPTION: "say what was measured (release, instance type, when, how)",
    POINTS: f"give at least {MIN_POINTS} points, each {{{', '.join(POINT_KEYS)}}}",
    IN_SERVICE: "give the seconds from launch until the launch lifecycle hook completed (InService)",
    SERVING: "give the seconds from launch until the load balancer's health checks passed",
}


class ProfileError(ValueError):
    """The profile cannot be used; `problems` holds one line per problem, its key path first."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ProfilePoint:
    """What one node reports at a steady `requests_per_second`: CPU and scheduler utilisation, in %."""

    requests_per_second: float
    cpu_utilization: float
    scheduler_utilization: float

    def to_json(self) -> dict[str, float]:
        return {
            RATE: _plain(self.requests_per_second),
            CPU: _plain(self.cpu_utilization),
            SCHEDULER: _plain(self.scheduler_utilization),
        }


@dataclass(frozen=True)
class NodeProfile:
    """A node measured: its points, and its seconds from launch to InService and to serving.

    Raises ProfileError on what `read_profile` would refuse in a file."""

    description: str
    points: tuple[ProfilePoint, ...]
    launch_to_in_service_seconds: float
    launch_to_serving_seconds: float
    capacity: float = field(init=False, compare=False)
    """Requests/s at which CPU reaches 100% (module docstring)."""
    _curve: tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "points", tuple(self.points))
        rows = [(p.requests_per_second, p.cpu_utilization, p.scheduler_utilization) for p in self.points]
        problems = _description_problems(self.description) + _points_problems(rows)
        problems += _seconds_problems(self.launch_to_in_service_seconds, self.launch_to_serving_seconds)
        if problems:
            raise ProfileError(problems)
        rates, cpus, schedulers = _curve_to_capacity(self.points)
        object.__setattr__(self, "capacity", rates[-1])
        object.__setattr__(self, "_curve", (tuple(rates), tuple(cpus), tuple(schedulers)))

    # --- what a node reports ------------------------------------------------------------------

    def cpu(self, rate: float) -> float:
        """EC2 CPUUtilization (%) of one node receiving `rate` requests/s."""
        return self._at(rate, 1)

    def scheduler(self, rate: float) -> float:
        """Elixir/BEAM SchedulerUtilization (%) of one node receiving `rate` requests/s."""
        return self._at(rate, 2)

    def _at(self, rate: float, column: int) -> float:
        rates = self._curve[0]
        values = self._curve[column]
        if rate <= rates[0]:
            return values[0]
        if rate >= rates[-1]:
            return values[-1]  # saturated: the values at capacity
        right = bisect_right(rates, rate)
        left = right - 1
        share = (rate - rates[left]) / (rates[right] - rates[left])
        return values[left] + share * (values[right] - values[left])

    # --- the file -----------------------------------------------------------------------------

    @classmethod
    def from_json(cls, document: Any) -> NodeProfile:
        """The profile a parsed file holds; ProfileError with every problem (key path first)."""
        if not isinstance(document, dict):
            keys = _listed(PROFILE_KEYS)
            raise ProfileError([f"the file must hold one object with the keys {keys}, got {_kind(document)}"])
        problems = [_unknown_key(key, PROFILE_KEYS, "a profile") for key in document if key not in PROFILE_KEYS]
        problems += [f"{key}: missing; {WHAT_A_KEY_IS[key]}" for key in PROFILE_KEYS if key not in document]
        description = document.get(DESCRIPTION)
        if DESCRIPTION in document:
            problems += _description_problems(description)
        rows: list[Row] = []
        if POINTS in document:
            rows = _rows(document[POINTS], problems)
            problems += _points_problems(rows) if isinstance(document[POINTS], list) else []
        seconds = [_seconds(document, key, problems) for key in (IN_SERVICE, SERVING)]
        if None not in seconds:
            problems += _seconds_problems(*seconds)
        if problems:
            raise ProfileError(problems)
        points = tuple(ProfilePoint(*row) for row in rows)
        return cls(description, points, *seconds)

    def to_json(self) -> dict[str, Any]:
        """The file's document (json.dumps it): what `from_json` reads back as this profile."""
        return {
            DESCRIPTION: self.description,
            POINTS: [point.to_json() for point in self.points],
            IN_SERVICE: _plain(self.launch_to_in_service_seconds),
            SERVING: _plain(self.launch_to_serving_seconds),
        }

    def write(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), indent=2) + "\n")


def read_profile(path: str | Path) -> NodeProfile:
    """Read and check a profile file; ProfileError with one line per problem, each `FILE: key path: ...`."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as unreadable:
        raise ProfileError([f"{path}: cannot read the node profile: {unreadable.strerror or unreadable}"]) from None
    except UnicodeDecodeError:
        raise ProfileError([f"{path}: not a text file: a node profile is JSON (or YAML)"]) from None
    try:
        document = yaml.safe_load(text) if path.suffix in YAML_SUFFIXES else json.loads(text)
    except json.JSONDecodeError as invalid:
        raise ProfileError([f"{path}:{invalid.lineno}: not JSON: {invalid.msg}"]) from None
    except yaml.YAMLError as invalid:
        raise ProfileError([f"{path}: not YAML: {' '.join(str(invalid).split())}"]) from None
    try:
        return NodeProfile.from_json(document)
    except ProfileError as refused:
        raise ProfileError([f"{path}: {problem}" for problem in refused.problems]) from None


# --- the curve up to capacity -------------------------------------------------------------------


def _curve_to_capacity(points: tuple[ProfilePoint, ...]) -> tuple[list[float], list[float], list[float]]:
    """The points up to capacity, and capacity itself as the last (CPU 100): what `_at` interpolates."""
    full = PERCENT.max
    below = [point for point in points if point.cpu_utilization < full]  # the first point is (checked)
    # reached between the last point below 100 and the next, or beyond the last point: extrapolated
    reached = len(below) < len(points)
    rate, scheduler = _where_cpu_is_full(*((below[-1], points[len(below)]) if reached else points[-2:]))
    rates = [point.requests_per_second for point in below] + [rate]
    cpus = [point.cpu_utilization for point in below] + [full]
    schedulers = [point.scheduler_utilization for point in below] + [scheduler]
    return rates, cpus, schedulers


def _where_cpu_is_full(left: ProfilePoint, right: ProfilePoint) -> tuple[float, float]:
    """The rate at which the line through two points reaches 100% CPU, and the scheduler
    utilisation on the same line there, held within 0-100."""
    share = (PERCENT.max - left.cpu_utilization) / (right.cpu_utilization - left.cpu_utilization)
    rate = left.requests_per_second + share * (right.requests_per_second - left.requests_per_second)
    scheduler = left.scheduler_utilization + share * (right.scheduler_utilization - left.scheduler_utilization)
    return rate, min(PERCENT.max, max(PERCENT.min, scheduler))


# --- the checks ---------------------------------------------------------------------------------

Row = tuple[float | None, float | None, float | None]


def _description_problems(description: Any) -> list[str]:
    if isinstance(description, str) and description.strip():
        return []
    return [f"{DESCRIPTION}: must be a non-empty string; {WHAT_A_KEY_IS[DESCRIPTION]}, got {_shown(description)}"]


def _rows(points: Any, problems: list[str]) -> list[Row]:
    """Each point's three numbers, None where a number is missing or not one (a problem said)."""
    if not isinstance(points, list):
        problems.append(f"{POINTS}: must be a list; {WHAT_A_KEY_IS[POINTS]}, got {_kind(points)}")
        return []
    rows = []
    for index, point in enumerate(points):
        at = f"{POINTS}[{index}]"
        if not isinstance(point, dict):
            problems.append(f"{at}: must be an object with {_listed(POINT_KEYS)}, got {_kind(point)}")
            rows.append((None, None, None))
            continue
        problems += [_unknown_key(key, POINT_KEYS, "a point", at) for key in point if key not in POINT_KEYS]
        rows.append(tuple(_number(point, key, at, problems) for key in POINT_KEYS))
    return rows


def _number(mapping: dict, key: str, at: str, problems: list[str]) -> float | None:
    if key not in mapping:
        problems.append(f"{at}.{key}: missing; give {WHAT_A_POINT_IS[key]}")
        return None
    value = mapping[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        problems.append(f"{at}.{key}: must be a number, got {_shown(value)}")
        return None
    return value


def _points_problems(rows: list[Row]) -> list[str]:
    """The rules on the points' values (their types already checked: None where a value is unusable)."""
    problems = []
    if len(rows) < MIN_POINTS:
        problems.append(f"{POINTS}: {len(rows)} given; {WHAT_A_KEY_IS[POINTS]}")
    for index, (rate, cpu, scheduler) in enumerate(rows):
        at = f"{POINTS}[{index}]"
        if rate is not None and rate < 0:
            problems.append(f"{at}.{RATE}: {_plain(rate)} is below 0; give requests/s per node >= 0")
        for key, value in ((CPU, cpu), (SCHEDULER, scheduler)):
            if value is not None and not PERCENT.min <= value <= PERCENT.max:
                side = "above 100" if value > PERCENT.max else "below 0"
                problems.append(f"{at}.{key}: {_plain(value)} is {side}; give a percentage 0-100")
        if index == 0:
            continue
        before_rate, before_cpu, _ = rows[index - 1]
        if None not in (rate, before_rate) and rate <= before_rate:
            problems.append(
                f"{at}.{RATE}: {_plain(rate)} is not above {POINTS}[{index - 1}]'s {_plain(before_rate)}; "
                "list the points by strictly ascending rate, one point per rate"
            )
        if None not in (cpu, before_cpu) and cpu < before_cpu:
            problems.append(
                f"{at}.{CPU}: {_plain(cpu)} is below {POINTS}[{index - 1}]'s {_plain(before_cpu)}; CPU must not "
                "fall as the rate rises: measure the two rates again, or merge them into one point"
            )
    return problems + _capacity_problems(rows)


def _capacity_problems(rows: list[Row]) -> list[str]:
    """Capacity must be found: CPU below 100 somewhere, and rising at the end when it never reaches 100."""
    cpus = [cpu for _, cpu, _ in rows]
    if len(rows) < MIN_POINTS or None in cpus or any(not PERCENT.min <= cpu <= PERCENT.max for cpu in cpus):
        return []  # said already
    if cpus[0] >= PERCENT.max:
        return [
            f"{POINTS}[0].{CPU}: 100 at the lowest rate measured leaves no rate below saturation; "
            "add points at rates where the node's CPU is below 100"
        ]
    last = len(rows) - 1
    if cpus[-1] < PERCENT.max and cpus[-1] == cpus[-2]:
        return [
            f"{POINTS}[{last}].{CPU}: {_plain(cpus[-1])} equals {POINTS}[{last - 1}]'s and is below 100, so the "
            "rate at which CPU reaches 100% (the node's capacity) cannot be extrapolated; add a point at a "
            "higher rate"
        ]
    return []


def _seconds(document: dict, key: str, problems: list[str]) -> float | None:
    if key not in document:
        return None  # said already
    value = document[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        problems.append(f"{key}: must be a number of seconds >= 0; {WHAT_A_KEY_IS[key]}, got {_shown(value)}")
        return None
    return value


def _seconds_problems(in_service: float, serving: float) -> list[str]:
    if serving >= in_service:
        return []
    return [
        f"{SERVING}: {_plain(serving)} is below {IN_SERVICE} ({_plain(in_service)}); the load balancer sends a "
        f"node requests only once it is InService: give {SERVING} >= {_plain(in_service)}"
    ]


def _unknown_key(key: Any, known: tuple[str, ...], what: str, at: str = "") -> str:
    path = f"{at}.{key}" if at else str(key)
    close = difflib.get_close_matches(str(key), known, n=1)
    hint = f"did you mean {close[0]}?" if close else f"use {_listed(known, 'or')}"
    return f"{path}: not a key of {what}; {hint}"


def _listed(keys: tuple[str, ...], last: str = "and") -> str:
    return f"{', '.join(keys[:-1])} {last} {keys[-1]}"


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", type(None): "null", bool: "true/false"}
    return names.get(type(value), _shown(value))


def _shown(value: Any) -> str:
    return "null" if value is None else repr(value)


def _plain(number: float) -> float | int:
    """A whole number as an int (30, not 30.0): what a person wrote, and what the file shows."""
    return int(number) if float(number).is_integer() else number
