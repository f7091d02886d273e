"""What the CloudWatch agent's StatsD input makes of a datagram, and what one collection yields.

The agent vendors telegraf's StatsD input (aws/amazon-cloudwatch-agent
plugins/inputs/statsd/statsd.go); the rules followed here are its:

- a datagram holds lines separated by newlines; a line is `<bucket>:<value>|<type>[|@<rate>]`,
  several `:<value>|<type>` bits may follow one bucket (`parseStatsdLine`);
- a bucket is `<name>[,<key>=<value>...]`: the pairs become tags (`parseName`);
- each metric is tagged `metric_type` = gauge, counter, timing, histogram or set, by its type;
- a gauge keeps its last value in the collection interval (`+`/`-` add to it), a counter sums
  (`aggregate`); each collection emits them once, then forgets them (`Gather`, with
  `delete_gauges` and `delete_counters` on, the input's defaults there);
- the field of a plain StatsD metric is `value`, and the agent names a metric whose field is
  `value` by its measurement alone (internal/metric/metric.go `DecorateMetricName`): the gauge
  `SchedulerUtilization:42.5|g` becomes the CloudWatch metric `SchedulerUtilization`.

Timings, histograms and sets become distributions there; the release sends none, so this
stand-in refuses them rather than model them half (`UnsupportedLine`). A line the agent cannot
parse it drops with a logged error; so does this one (`Collected.rejected` keeps it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

TYPE_TAG = "metric_type"
"""The tag (a CloudWatch dimension) the StatsD input adds to every metric."""

METRIC_TYPES = {"g": "gauge", "c": "counter", "ms": "timing", "h": "histogram", "s": "set"}
"""StatsD types the input accepts, and the `metric_type` each gets."""

MODELLED_TYPES = ("g", "c")


class UnsupportedLine(Exception):
    """A line the real agent reads but this stand-in does not model (a timing, histogram or set)."""


@dataclass(frozen=True)
class Sample:
    """One metric of one line: its name, tags, type and value."""

    name: str
    tags: tuple[tuple[str, str], ...]
    kind: str
    value: float
    additive: bool = False


@dataclass(frozen=True)
class Collected:
    """One collection: a value per (name, tags), as the input's Gather emits them."""

    name: str
    tags: dict[str, str]
    value: float


def parse_line(line: str) -> list[Sample]:
    """The samples of one line; ValueError (the agent's words) for a line it would drop."""
    bucket, _, rest = line.partition(":")
    if not rest:
        raise ValueError(f"Error: splitting ':', Unable to parse metric: {line}")
    name, tags = _parse_bucket(bucket)
    return [_parse_bit(line, name, tags, bit) for bit in rest.split(":")]


def _parse_bucket(bucket: str) -> tuple[str, dict[str, str]]:
    name, *pairs = bucket.split(",")
    tags = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if sep and key:
            tags[key] = value
    return name, tags


def _parse_bit(line: str, name: str, tags: dict[str, str], bit: str) -> Sample:
    parts = bit.split("|")
    if len(parts) < 2:
        raise ValueError(f"Error: splitting '|', Unable to parse metric: {line}")
    text, kind = parts[0], parts[1]
    if kind not in METRIC_TYPES:
        raise ValueError(f"Error: Statsd Metric type {kind} unsupported")
    if kind not in MODELLED_TYPES:
        raise UnsupportedLine(
            f"{line!r}: a {METRIC_TYPES[kind]}; the agent publishes it as a distribution, which this stand-in "
            "does not model (the release sends gauges)"
        )
    additive = text.startswith(("+", "-"))
    try:
        value = float(text) if kind == "g" else float(int(float(text)))
    except ValueError:
        raise ValueError(f"Error: parsing value to float64: {line}") from None
    all_tags = tuple(sorted({**tags, TYPE_TAG: METRIC_TYPES[kind]}.items()))
    return Sample(name=name, tags=all_tags, kind=kind, value=value, additive=additive and kind == "g")


@dataclass
class StatsdInput:
    """The input between two collections: the last value of each gauge, the sum of each counter."""

    gauges: dict[tuple[str, tuple[tuple[str, str], ...]], float] = field(default_factory=dict)
    counters: dict[tuple[str, tuple[tuple[str, str], ...]], float] = field(default_factory=dict)
    rejected: list[str] = field(default_factory=list)
    """Lines dropped, with the agent's error, as its log would show them."""
    names: set[str] = field(default_factory=set)
    """Every metric name received so far: what the release has sent."""

    def receive(self, datagram: bytes) -> None:
        for line in datagram.decode("utf-8", errors="replace").split("\n"):
            if not line.strip():
                continue
            try:
                samples = parse_line(line.strip())
            except ValueError as dropped:
                self.rejected.append(str(dropped))
                continue
            for sample in samples:
                self._aggregate(sample)

    def _aggregate(self, sample: Sample) -> None:
        key = (sample.name, sample.tags)
        self.names.add(sample.name)
        if sample.kind == "c":
            self.counters[key] = self.counters.get(key, 0.0) + sample.value
        elif sample.additive:
            self.gauges[key] = self.gauges.get(key, 0.0) + sample.value
        else:
            self.gauges[key] = sample.value

    def gather(self) -> list[Collected]:
        """What one collection emits; the input then forgets the values (delete_gauges, delete_counters)."""
        collected = [
            Collected(name, dict(tags), value) for (name, tags), value in (*self.gauges.items(), *self.counters.items())
        ]
        self.gauges, self.counters = {}, {}
        return collected
