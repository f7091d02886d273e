"""What the CloudWatch agent's CloudWatch output publishes of the values it is handed.

aws/amazon-cloudwatch-agent plugins/outputs/cloudwatch/:

- dimensions: the metric's tags, `host` first when present, then sorted by name, empty values
  left out (cloudwatch.go `BuildDimensions`); the special tags `aws:AggregationInterval` and
  `aws:StorageResolution` are taken off first (convert_otel.go);
- aggregation (aggregator.go): a value tagged with an aggregation interval joins the entry of the
  same metric name, dimensions and interval-truncated timestamp; the entry keeps its first value's
  timestamp; all entries are flushed when the interval's ticker fires, the ticker being aligned to
  the wall clock (the first tick at the next multiple of the interval); an interval under a
  minute publishes at high resolution (StorageResolution 1);
- the entry's values form a distribution: with the agent's 150 values per datum (the exporter's
  `max_values_per_datum` default, under util.go's 5000 threshold) the regular one, whose buckets
  are the exact values (metric/distribution/regular/regular_distribution.go); negative values are
  refused there (0 is its least supported value);
- a published datum carries `Values`/`Counts` and a `StatisticValues` set (Minimum, Maximum,
  SampleCount, Sum) (cloudwatch.go `buildMetricDatumDist`): CloudWatch's per-minute statistics
  come from that set;
- rollups (cloudwatch.go `ProcessRollup`): besides its own dimensions, a datum is published once
  more for each `aggregation_dimensions` set that is smaller than its own and whose every
  dimension it has, with exactly that set: the `AutoScalingGroupName`-only series the scaling
  policies read is this copy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

HOST = "host"
STANDARD_RESOLUTION = 60
HIGH_RESOLUTION = 1

Dimensions = tuple[tuple[str, str], ...]


def build_dimensions(tags: Mapping[str, str]) -> Dimensions:
    """Tags as CloudWatch dimensions, in the agent's order (`host` first, then by name), empty ones dropped."""
    first = ((HOST, tags[HOST]),) if tags.get(HOST) else ()
    return first + tuple((key, tags[key]) for key in sorted(tags) if key != HOST and tags[key])


def rollup_dimensions(dimensions: Dimensions, rollups: tuple[tuple[str, ...], ...]) -> list[Dimensions]:
    """The datum's own dimensions, then each rollup set it can be rolled up to (`ProcessRollup`)."""
    own = dict(dimensions)
    sets = [dimensions]
    for rollup in rollups:
        if len(rollup) < len(dimensions) and all(key in own for key in rollup):
            sets.append(tuple((key, own[key]) for key in rollup))
    return sets


@dataclass
class Entry:
    """One metric's values in one aggregation interval."""

    name: str
    dimensions: Dimensions
    unit: str
    timestamp: datetime
    """Its first value's: the aggregator keeps the first datum and adds the others to it."""
    buckets: dict[float, float] = field(default_factory=dict)

    def add(self, value: float) -> bool:
        if value < 0:
            return False  # the regular distribution refuses it; the agent logs and drops it
        self.buckets[value] = self.buckets.get(value, 0.0) + 1
        return True

    def statistic_values(self) -> dict[str, float]:
        values = list(self.buckets)
        return {
            "Minimum": min(values),
            "Maximum": max(values),
            "SampleCount": sum(self.buckets.values()),
            "Sum": sum(value * count for value, count in self.buckets.items()),
        }


@dataclass
class CloudWatchOutput:
    """Values in, PutMetricData datums out, on the output's flush schedule."""

    rollups: tuple[tuple[str, ...], ...]
    entries: dict[tuple[str, Dimensions, int, datetime], Entry] = field(default_factory=dict)
    passthrough: list[dict] = field(default_factory=list)
    """Values not aggregated (no interval, or 0): published as they are at the next flush."""
    dropped: list[str] = field(default_factory=list)

    def add(
        self,
        name: str,
        tags: Mapping[str, str],
        value: float,
        unit: str,
        at: datetime,
        aggregation_seconds: int = 0,
        high_resolution: bool = False,
    ) -> None:
        """One value; `aggregation_seconds` 0: not aggregated, at high resolution only if tagged so."""
        dimensions = build_dimensions(tags)
        if aggregation_seconds == 0:
            self.passthrough += [
                {
                    "MetricName": name,
                    "Dimensions": _described(dims),
                    "Timestamp": at,
                    "Unit": unit,
                    "StorageResolution": HIGH_RESOLUTION if high_resolution else STANDARD_RESOLUTION,
                    "Value": value,
                }
                for dims in rollup_dimensions(dimensions, self.rollups)
            ]
            return
        start = truncate(at, aggregation_seconds)
        key = (name, dimensions, aggregation_seconds, start)
        entry = self.entries.setdefault(key, Entry(name, dimensions, unit, at))
        if not entry.add(value):
            self.dropped.append(f"{name} has an unsupported value: {value}, dropping it")

    def flush(self, aggregation_seconds: int | None = None) -> list[dict]:
        """The datums of values not aggregated, and of every entry of `aggregation_seconds` (its ticker fired)."""
        datums, self.passthrough = self.passthrough, []
        for key in [key for key in self.entries if key[2] == aggregation_seconds]:
            entry = self.entries.pop(key)
            if not entry.buckets:
                continue
            resolution = HIGH_RESOLUTION if aggregation_seconds < STANDARD_RESOLUTION else STANDARD_RESOLUTION
            values, counts = zip(*entry.buckets.items(), strict=True)
            datums += [
                {
                    "MetricName": entry.name,
                    "Dimensions": _described(dims),
                    "Timestamp": entry.timestamp,
                    "Unit": entry.unit,
                    "StorageResolution": resolution,
                    "Values": list(values),
                    "Counts": list(counts),
                    "StatisticValues": entry.statistic_values(),
                }
                for dims in rollup_dimensions(entry.dimensions, self.rollups)
            ]
        return datums


def truncate(at: datetime, seconds: int) -> datetime:
    """`at` down to a multiple of `seconds` since the epoch (Go's Time.Truncate)."""
    epoch = datetime(1970, 1, 1, tzinfo=at.tzinfo)
    return at - timedelta(seconds=(at - epoch).total_seconds() % seconds)


def _described(dimensions: Dimensions) -> list[dict[str, str]]:
    return [{"Name": key, "Value": value} for key, value in dimensions]
