"""Measure a node profile from per-minute history, for `tools.simulate` and `tools.tune --node-profile`.

    python -m tools.node_profile (--from-csv FILE | --from-metric-data FILE) --description TEXT
                                 --launch-to-in-service S --launch-to-serving S
                                 [--bucket-rps W] [--min-minutes N] [--output FILE]

Each minute of a group's history is one node's steady state: the requests/s each target received
(the target group's RequestCountPerTarget, a Sum per minute, / 60), the group's average EC2
CPUUtilization and its average Elixir/BEAM SchedulerUtilization (the load balancer spreads
requests evenly, so the group's average is each node's value). The minutes are bucketed by
request rate (`--bucket-rps` wide; default a tenth of the highest rate), a bucket with fewer than
`--min-minutes` minutes is left out as too thin to trust, and each bucket becomes one point: the
mean rate, CPU and scheduler utilisation of its minutes. Where a bucket's CPU is below the one
before it (noise, or minutes while the group changed size) the two are merged into one point
(their minutes pooled), until CPU never falls as the rate rises, as the profile requires; so are two
buckets whose mean rates round to the same figure (minutes on both sides of a bucket's edge), as
the profile's rates must rise. The two
seconds come from the group's launches (README: Measuring a node profile).

- `--from-csv FILE`: `requestsPerSecond,cpuUtilization,schedulerUtilization` (a `timestamp`
  column may come first), one row per minute; a row with an empty cell is a minute without all
  three datapoints, left out.
- `--from-metric-data FILE`: what `aws cloudwatch get-metric-data` prints for three queries with
  the Ids `requests` (RequestCountPerTarget, Sum, 60 s), `cpu` and `scheduler` (Average, 60 s),
  several pages' results included; minutes are joined by timestamp (ISO-8601 text, as CLI v2
  prints it, or seconds since the epoch, as v1 does by default).

The profile (tools/simulator/profile.py) goes to `--output` or stdout as JSON; stderr says how many
points from how many minutes, and what was left out or merged.

Exit 0: written. Exit 2: bad input (the file, a row, the flags, or minutes that make no usable
profile), one line per problem naming the file and row, flag or key. Exit 1: anything else.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from components.settings import BEAM_METRICS, GROUP_DIMENSION, METRICS_NAMESPACE, PERCENT
from tools.cli import EXIT_FAILED, EXIT_OK, not_negative, positive, refuse, whole_count
from tools.simulator.model import SECONDS_PER_MINUTE
from tools.simulator.profile import CPU, RATE, SCHEDULER, NodeProfile, ProfileError, ProfilePoint

TIMESTAMP = "timestamp"
CSV_COLUMNS = (RATE, CPU, SCHEDULER)
QUERIES = {
    "requests": "AWS/ApplicationELB RequestCountPerTarget by TargetGroup, Sum, Period 60",
    "cpu": f"AWS/EC2 CPUUtilization by {GROUP_DIMENSION}, Average, Period 60",
    "scheduler": f"{METRICS_NAMESPACE} {BEAM_METRICS['schedulerUtilization']} by {GROUP_DIMENSION}, Average, Period 60",
}
"""The get-metric-data query Ids README's command uses (in the order of CSV_COLUMNS, which each
gives), and what each must ask CloudWatch for."""
DEFAULT_BUCKETS = 10
DEFAULT_MIN_MINUTES = 5
DECIMALS = 2


class MinutesError(ValueError):
    """The minutes cannot be read; `problems` holds one line per problem, file (and row) first."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Minute:
    """One minute of one node: requests/s it received, its CPU and scheduler utilisation (%)."""

    requests_per_second: float
    cpu_utilization: float
    scheduler_utilization: float


@dataclass(frozen=True)
class Minutes:
    """The minutes read, and how many rows had not all three values (left out)."""

    minutes: list[Minute]
    incomplete: int = 0


@dataclass(frozen=True)
class Bucketing:
    """Points made from minutes, and what was left out or merged on the way."""

    points: tuple[ProfilePoint, ...]
    width: float
    used: int
    """Minutes in the points."""
    thin: int
    """Minutes left out: their bucket had fewer than the minimum."""
    merged: int
    """Buckets merged into a neighbour where CPU fell as the rate rose."""
    same_rate: int = 0
    """Buckets merged into a neighbour whose mean rate rounds to the same figure."""


# --- reading ------------------------------------------------------------------------------------


def read_minutes_csv(path: str | Path) -> Minutes:
    """Minutes from a CSV of `requestsPerSecond,cpuUtilization,schedulerUtilization` (module docstring)."""
    path = Path(path)
    try:
        with path.open(newline="") as handle:
            rows = list(csv.reader(handle))
    except OSError as unreadable:
        raise MinutesError([f"{path}: cannot read the minutes: {unreadable.strerror or unreadable}"]) from None
    except UnicodeDecodeError:
        raise MinutesError([f"{path}: not UTF-8 text (a CSV of {','.join(CSV_COLUMNS)})"]) from None
    header = [cell.strip() for cell in rows[0]] if rows else []
    values = header[1:] if header[:1] == [TIMESTAMP] else header
    if tuple(values) != CSV_COLUMNS:
        expected = ",".join(CSV_COLUMNS)
        raise MinutesError(
            [f"{path}:1: header must be {expected} (or {TIMESTAMP},{expected}), got {','.join(header)!r}"]
        )
    minutes, incomplete, problems = [], 0, []
    for line, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != len(header):
            problems.append(f"{path}:{line}: expected {len(header)} fields, got {len(row)}")
            continue
        cells = [cell.strip() for cell in row[len(header) - len(CSV_COLUMNS) :]]
        if "" in cells:
            incomplete += 1
            continue
        where = f"{path}:{line}"
        numbers = [_value(cell, f"{where}: {key}", key, problems) for key, cell in zip(CSV_COLUMNS, cells, strict=True)]
        if None not in numbers:
            minutes.append(Minute(*numbers))
    if problems:
        raise MinutesError(problems)
    return Minutes(minutes, incomplete)


def read_metric_data(path: str | Path) -> Minutes:
    """Minutes from `aws cloudwatch get-metric-data` output with the queries `requests`, `cpu`, `scheduler`."""
    path = Path(path)
    try:
        document = json.loads(path.read_text())
    except OSError as unreadable:
        raise MinutesError([f"{path}: cannot read the metric data: {unreadable.strerror or unreadable}"]) from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise MinutesError(
            [f"{path}: not JSON: save what aws cloudwatch get-metric-data prints (--output json)"]
        ) from None
    results = document.get("MetricDataResults") if isinstance(document, dict) else None
    if not isinstance(results, list):
        raise MinutesError([f"{path}: no MetricDataResults: save what aws cloudwatch get-metric-data prints"])
    series: dict[str, dict[datetime, float]] = {key: {} for key in QUERIES}
    for result in results:
        if result.get("Id") in series:  # several pages give the same Id several times
            for stamp, value in zip(result.get("Timestamps", []), result.get("Values", []), strict=True):
                series[result["Id"]][_moment(stamp, path)] = value
    empty = [key for key, values in series.items() if not values]
    if empty:
        raise MinutesError(
            [f"{path}: no datapoints for the query Id {key!r}: query {QUERIES[key]} with that Id" for key in empty]
        )
    requests, cpu, scheduler = (series[key] for key in QUERIES)
    minutes, problems = [], []
    for stamp in sorted(requests.keys() & cpu.keys() & scheduler.keys()):
        where = f"{path}: {stamp.isoformat()}"
        values = (requests[stamp] / SECONDS_PER_MINUTE, cpu[stamp], scheduler[stamp])
        numbers = [_checked(v, f"{where}: {key}", key, problems) for key, v in zip(CSV_COLUMNS, values, strict=True)]
        if None not in numbers:
            minutes.append(Minute(*numbers))
    if problems:
        raise MinutesError(problems)
    incomplete = len(requests.keys() | cpu.keys() | scheduler.keys()) - len(minutes)
    return Minutes(minutes, incomplete)


def _moment(stamp: str | float, path: Path) -> datetime:
    """A timestamp as the aws CLI prints it: ISO-8601 text (CLI v2, and v1 with cli_timestamp_format
    = iso8601), or seconds since the epoch (v1's default, "none": the service's own)."""
    try:
        if isinstance(stamp, int | float) and not isinstance(stamp, bool):
            return datetime.fromtimestamp(stamp, UTC)
        return datetime.fromisoformat(stamp).astimezone(UTC)
    except (TypeError, ValueError, OverflowError):
        raise MinutesError([f"{path}: {stamp!r} is not a timestamp: save what the aws CLI prints"]) from None


def _value(cell: str, where: str, column: str, problems: list[str]) -> float | None:
    try:
        value = float(cell)
    except ValueError:
        problems.append(f"{where}: must be a number, got {cell!r}")
        return None
    return _checked(value, where, column, problems)


def _checked(value: float, where: str, column: str, problems: list[str]) -> float | None:
    if column == RATE and not 0 <= value < math.inf:
        problems.append(f"{where}: must be requests/s >= 0, got {value:g}")
        return None
    if column != RATE and not PERCENT.min <= value <= PERCENT.max:
        problems.append(f"{where}: must be a percentage 0-100, got {value:g}")
        return None
    return value


# --- bucketing ----------------------------------------------------------------------------------


def bucket(minutes: list[Minute], width: float | None = None, min_minutes: int = DEFAULT_MIN_MINUTES) -> Bucketing:
    """The points of `minutes` bucketed by rate, `width` requests/s wide (default: a tenth of the
    highest rate), thin buckets left out, falling CPU merged away (module docstring)."""
    highest = max((minute.requests_per_second for minute in minutes), default=0.0)
    if width is None:
        width = highest / DEFAULT_BUCKETS or 1.0
    count = max(1, math.ceil(highest / width))
    buckets: dict[int, list[Minute]] = {}
    for minute in minutes:  # the highest rate closes the last bucket
        buckets.setdefault(min(int(minute.requests_per_second // width), count - 1), []).append(minute)
    kept = [buckets[index] for index in sorted(buckets) if len(buckets[index]) >= min_minutes]
    thin = len(minutes) - sum(len(group) for group in kept)
    pooled: list[list[Minute]] = []
    merged = same_rate = 0
    for group in kept:
        pooled.append(group)
        while len(pooled) > 1:
            if _mean(pooled[-1], "cpu_utilization") < _mean(pooled[-2], "cpu_utilization"):
                merged += 1
            elif _rate(pooled[-1]) <= _rate(pooled[-2]):
                same_rate += 1
            else:
                break
            pooled[-2:] = [pooled[-2] + pooled[-1]]
    keys = ("requests_per_second", "cpu_utilization", "scheduler_utilization")
    points = tuple(ProfilePoint(*(round(_mean(group, key), DECIMALS) for key in keys)) for group in pooled)
    return Bucketing(points, width, len(minutes) - thin, thin, merged, same_rate)


def _rate(minutes: list[Minute]) -> float:
    """A bucket's mean rate as its point shows it."""
    return round(_mean(minutes, "requests_per_second"), DECIMALS)


def _mean(minutes: list[Minute], key: str) -> float:
    return math.fsum(getattr(minute, key) for minute in minutes) / len(minutes)


# --- the command --------------------------------------------------------------------------------


def main(argv: list[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    args = _parser().parse_args(argv)
    source = args.from_csv or args.from_metric_data
    try:
        read = read_minutes_csv(source) if args.from_csv else read_metric_data(source)
    except MinutesError as invalid:
        return refuse(invalid.problems, stderr)
    if not read.minutes:
        return refuse([f"{source}: no minute with all three values: nothing to measure"], stderr)
    bucketed = bucket(read.minutes, args.bucket_rps, args.min_minutes)
    try:
        profile = NodeProfile(args.description, bucketed.points, args.launch_to_in_service, args.launch_to_serving)
    except ProfileError as unusable:
        points, used, width = len(bucketed.points), bucketed.used, bucketed.width
        made = f"{source}: {points} point(s) from {used} minutes, buckets {width:g} rps wide"
        hint = "(narrow --bucket-rps, lower --min-minutes, or measure over more rates)"
        return refuse([f"{made}: {problem} {hint}" for problem in unusable.problems], stderr)
    document = json.dumps(profile.to_json(), indent=2) + "\n"
    try:
        if args.output:
            Path(args.output).write_text(document)
        else:
            stdout.write(document)
    except OSError as failure:
        print(f"error: cannot write {args.output}: {failure.strerror or failure}", file=stderr)
        return EXIT_FAILED
    for line in _summary(read, bucketed, profile, args.min_minutes):
        print(line, file=stderr)
    return EXIT_OK


def _summary(read: Minutes, bucketed: Bucketing, profile: NodeProfile, min_minutes: int) -> list[str]:
    lines = [
        f"node profile: {len(bucketed.points)} points from {bucketed.used} minutes in buckets of "
        f"{bucketed.width:g} requests/s; capacity {profile.capacity:.4g} requests/s per node at 100% CPU"
    ]
    if read.incomplete:
        lines.append(f"note: {_minutes(read.incomplete)} without all three values left out")
    if bucketed.thin:
        lines.append(
            f"note: {_minutes(bucketed.thin)} left out: their bucket had fewer than {min_minutes} (--min-minutes)"
        )
    if bucketed.merged:
        lines.append(
            f"note: {bucketed.merged} bucket(s) merged into the one below, where CPU fell as the rate rose "
            "(noise, or minutes while the group changed size)"
        )
    if bucketed.same_rate:
        lines.append(
            f"note: {bucketed.same_rate} bucket(s) merged into the one below, whose mean rate rounds to the same"
        )
    return lines


def _minutes(count: int) -> str:
    return f"{count} minute" if count == 1 else f"{count} minutes"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools.node_profile", description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--from-csv", metavar="FILE", help=f"one row per minute: {','.join(CSV_COLUMNS)}")
    source.add_argument(
        "--from-metric-data",
        metavar="FILE",
        help="what aws cloudwatch get-metric-data printed for the queries requests, cpu and scheduler",
    )
    parser.add_argument("--description", required=True, help="what was measured: release, instance type, when, how")
    parser.add_argument(
        "--launch-to-in-service",
        type=not_negative,
        required=True,
        metavar="S",
        help="seconds from launch until the launch lifecycle hook completed",
    )
    parser.add_argument(
        "--launch-to-serving",
        type=not_negative,
        required=True,
        metavar="S",
        help="seconds from launch until the load balancer's health checks passed",
    )
    parser.add_argument(
        "--bucket-rps",
        type=positive,
        metavar="W",
        help="width of a bucket, requests/s per node (default: a tenth of the highest rate)",
    )
    parser.add_argument(
        "--min-minutes",
        type=whole_count,
        default=DEFAULT_MIN_MINUTES,
        metavar="N",
        help=f"fewest minutes a bucket needs to become a point (default {DEFAULT_MIN_MINUTES})",
    )
    parser.add_argument("--output", metavar="FILE", help="write the profile here (default: stdout)")
    return parser


if __name__ == "__main__":
    sys.exit(main())
