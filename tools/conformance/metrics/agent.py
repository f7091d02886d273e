"""A stand-in for the CloudWatch agent on one node, driven by the configuration the stack renders.

    agent = Agent.on_node(config, instance_id, session, clock=clock)   # session: the node role's credentials
    agent.receive(datagram)    # or StatsdListener(agent).serve(stop): datagrams from its UDP address
    agent.advance()            # everything due by clock(): collections, then each minute's publish

The real agent cannot be installed where the suite runs, so this one does what its source does
with the same configuration (see agent_config, statsd, cloudwatch_output, memory for the rules and
the files they come from):

- at start it resolves `append_dimensions` on its instance: `${aws:AutoScalingGroupName}` is the
  instance's `aws:autoscaling:groupName` tag, read with ec2:DescribeTags (plugins/processors/
  ec2tagger/ec2tagger.go, constants.go `Ec2InstanceTagKeyASG`); the instance's id, image and type
  (which the agent reads from IMDS) through ec2:DescribeInstances; a tag the instance lacks leaves
  its dimension off, and DescribeTags refused stops the agent (ec2tagger.go
  `initialRetrievalOfTagsAndVolumes`: it retries, and `processMetrics` drops every metric until
  it has started);
- every StatsD collection interval it gathers the input (the 10 s collection), tags each value
  with the resolved dimensions (and, with none, the host) and hands it to the CloudWatch output
  with the aggregation interval (the 60 s aggregation); the mem input every memory interval;
- when an aggregation ticker fires (on multiples of the interval since the epoch) the output
  publishes: PutMetricData, 1000 datums a call at most (the exporter's `max_datums_per_call`),
  in the configured namespace, with the credentials it was given.

It simplifies the timing around a publish (the agent batches for up to `force_flush_interval`
and retries with back-off): a datum is sent when its interval closes. A refused PutMetricData
is recorded and raised (`PublishDenied`): the real agent logs it and drops the batch, which in
a lab is easy to miss.

Time comes from `clock` (a callable returning an aware datetime): `ManualClock` lets a test run
minutes of collections without sleeping.
"""

from __future__ import annotations

import re
import select
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from . import memory
from .agent_config import MEM_MEASUREMENT, SUPPORTED_APPEND_DIMENSIONS, AgentConfig
from .cloudwatch_output import HOST, CloudWatchOutput, Dimensions, truncate
from .statsd import StatsdInput

Clock = Callable[[], datetime]

GROUP_TAG = "aws:autoscaling:groupName"
"""The tag Auto Scaling puts on its instances, which ec2tagger reads for ${aws:AutoScalingGroupName}."""

STATSD_UNIT = "None"
"""A StatsD metric has no unit (receiver/adapter/accumulator/default_unit.go has none for it);
the output sends CloudWatch's "None" for an empty unit (internal/cloudwatch/unit.go)."""

MEMORY_UNIT = "Percent"
"""default_unit.go: mem `used_percent` is in Percent."""

MAX_DATUMS_PER_CALL = 1000


class AgentFailed(RuntimeError):
    """The agent could not start on its instance; the message says what it lacked."""


class PublishDenied(RuntimeError):
    """CloudWatch refused a PutMetricData: the message is AWS's (who, which action)."""


class ManualClock:
    """A clock a test moves: `clock()` is now, `clock.advance(seconds)` moves it."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class AgentRecord:
    """What the agent saw and did, as its log would show it: the contract reads it to name a broken link."""

    namespace: str
    received: set[str] = field(default_factory=set)
    """Metric names that arrived over StatsD: what the release sends."""
    own: tuple[str, ...] = ()
    """Metrics the agent measures itself (mem_used_percent)."""
    dimensions: Mapping[str, str] = field(default_factory=dict)
    """The append_dimensions as resolved on the instance."""
    unresolved: Mapping[str, str] = field(default_factory=dict)
    """append_dimensions it could not resolve there, and why: their dimension is left off."""
    published: dict[str, set[Dimensions]] = field(default_factory=dict)
    """Metric name -> every dimension set CloudWatch accepted a datum with."""
    denied: list[str] = field(default_factory=list)
    """PutMetricData refusals, in AWS's words."""


@dataclass
class _Schedule:
    every: timedelta
    next: datetime
    run: Callable[[datetime], None]
    order: int
    """At one instant, publishing comes before collecting (the new values start the next interval)."""


class Agent:
    """See the module docstring."""

    def __init__(
        self,
        config: AgentConfig,
        dimensions: Mapping[str, str],
        cloudwatch: Any,
        clock: Clock = system_clock,
        meminfo: Callable[[], Mapping[str, int]] | None = None,
        hostname: str | None = None,
    ):
        unmodelled = [name for name in config.memory_metrics if _memory_field(name) not in memory.COMPUTED]
        if unmodelled:
            raise AgentFailed(f"metrics.metrics_collected.mem.measurement: {unmodelled} not modelled by this stand-in")
        self.config = config
        self.cloudwatch = cloudwatch
        self.clock = clock
        self.meminfo = meminfo or (lambda: memory.read_meminfo(memory.MEMINFO.read_text()))
        self.tags = dict(dimensions) if config.drops_host else {**dimensions, HOST: hostname or socket.gethostname()}
        self.statsd = StatsdInput()
        self.output = CloudWatchOutput(config.rollups)
        self.record = AgentRecord(config.namespace, own=config.memory_metrics, dimensions=dict(dimensions))
        self._schedules = self._plan(clock())

    @classmethod
    def on_node(
        cls,
        config: AgentConfig,
        instance_id: str,
        session: Any,
        clock: Clock = system_clock,
        endpoint_url: str | None = None,
        **options: Any,
    ) -> Agent:
        """The agent as it starts on `instance_id`, calling AWS with `session`'s credentials (the node role's)."""
        resolved = resolve_dimensions(config, instance_id, session.client("ec2", endpoint_url=endpoint_url))
        agent = cls(
            config, resolved.dimensions, session.client("cloudwatch", endpoint_url=endpoint_url), clock, **options
        )
        agent.record.unresolved = resolved.unresolved
        return agent

    def _plan(self, start: datetime) -> list[_Schedule]:
        schedules = []
        statsd = self.config.statsd
        if statsd is not None:
            every = timedelta(seconds=statsd.collection_seconds)
            schedules.append(_Schedule(every, start + every, self._collect_statsd, order=1))
            if statsd.aggregation_seconds:
                seconds = statsd.aggregation_seconds
                aligned = truncate(start, seconds) + timedelta(seconds=seconds)
                schedules.append(_Schedule(timedelta(seconds=seconds), aligned, self._publish_aggregated, order=0))
        if self.config.memory_metrics:
            every = timedelta(seconds=self.config.memory_seconds)
            schedules.append(_Schedule(every, start + every, self._collect_memory, order=1))
        # Values not aggregated (memory; StatsD with aggregation off) leave at the flush interval.
        every = timedelta(seconds=1)
        schedules.append(_Schedule(every, start + every, self._publish_passthrough, order=0))
        return schedules

    def receive(self, datagram: bytes) -> None:
        """A datagram on the StatsD address."""
        self.statsd.receive(datagram)
        self.record.received |= self.statsd.names

    def advance(self) -> None:
        """Run everything due by now, in time order; PublishDenied when CloudWatch refuses a publish."""
        now = self.clock()
        while True:
            due = min(self._schedules, key=lambda s: (s.next, s.order))
            if due.next > now:
                return
            at = due.next
            due.next += due.every
            due.run(at)

    def _collect_statsd(self, at: datetime) -> None:
        statsd = self.config.statsd
        for value in self.statsd.gather():
            self.output.add(
                value.name,
                {**value.tags, **self.tags},
                value.value,
                STATSD_UNIT,
                at,
                aggregation_seconds=statsd.aggregation_seconds,
                high_resolution=statsd.aggregation_seconds == 0,
            )

    def _collect_memory(self, at: datetime) -> None:
        reading = self.meminfo()
        for name in self.config.memory_metrics:
            value = memory.COMPUTED[_memory_field(name)](reading)
            self.output.add(name, self.tags, value, MEMORY_UNIT, at)

    def _publish_aggregated(self, at: datetime) -> None:
        self._put(self.output.flush(self.config.statsd.aggregation_seconds))

    def _publish_passthrough(self, at: datetime) -> None:
        if self.output.passthrough:
            self._put(self.output.flush())

    def _put(self, datums: list[dict]) -> None:
        for start in range(0, len(datums), MAX_DATUMS_PER_CALL):
            batch = datums[start : start + MAX_DATUMS_PER_CALL]
            try:
                self.cloudwatch.put_metric_data(Namespace=self.config.namespace, MetricData=batch)
            except ClientError as refused:
                error = _aws_error(refused)
                self.record.denied.append(error)
                raise PublishDenied(f"PutMetricData: {error}") from refused
            for datum in batch:
                dimensions = tuple((d["Name"], d["Value"]) for d in datum["Dimensions"])
                self.record.published.setdefault(datum["MetricName"], set()).add(dimensions)


def _aws_error(refused: ClientError) -> str:
    """`Code: Message`; from the XML body when the client's protocol (CBOR) could not parse moto's query-style error."""
    error = refused.response.get("Error", {})
    code, message = str(error.get("Code")), str(error.get("Message"))
    xml = re.search(r"<Code>(.*?)</Code>.*?<Message>(.*?)</Message>", message, re.S)
    return f"{xml[1]}: {xml[2]}" if xml else f"{code}: {message}"


@dataclass(frozen=True)
class Resolved:
    """append_dimensions on one instance: the values found, and why any was not."""

    dimensions: dict[str, str]
    unresolved: dict[str, str]


def resolve_dimensions(config: AgentConfig, instance_id: str, ec2: Any) -> Resolved:
    """append_dimensions as ec2tagger resolves them on `instance_id`. A tag the instance lacks leaves its
    dimension off (ec2tagger counts the tags as retrieved once DescribeTags answers, and adds what it
    found); DescribeTags refused is AgentFailed (ec2tagger retries, and publishes nothing meanwhile)."""
    resolved, unresolved = {}, {}
    try:
        for key, value in config.append_dimensions.items():
            if value != SUPPORTED_APPEND_DIMENSIONS.get(key):
                resolved[key] = value  # a literal dimension value
            elif key == "AutoScalingGroupName":
                group = _group_name(instance_id, ec2)
                if group is None:
                    unresolved[key] = f"instance {instance_id} has no {GROUP_TAG} tag (Auto Scaling tags its instances)"
                else:
                    resolved[key] = group
            elif key == "InstanceId":
                resolved[key] = instance_id
            else:
                reservations = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
                resolved[key] = reservations[0]["Instances"][0][key]
    except ClientError as refused:
        raise AgentFailed(
            f"ec2tagger on {instance_id}: {_aws_error(refused)}; the agent publishes nothing until it can read "
            "its instance's tags"
        ) from refused
    return Resolved(resolved, unresolved)


def _group_name(instance_id: str, ec2: Any) -> str | None:
    filters = [
        {"Name": "resource-type", "Values": ["instance"]},
        {"Name": "resource-id", "Values": [instance_id]},
        {"Name": "key", "Values": [GROUP_TAG]},
    ]
    tags = ec2.describe_tags(Filters=filters)["Tags"]
    return tags[0]["Value"] if tags else None


def _memory_field(name: str) -> str:
    return name.removeprefix(f"{MEM_MEASUREMENT}_")


class StatsdListener:
    """The agent's UDP listener, at the configured address; `host` binds another (a lab namespace's own
    address), `port` another port (0 in a test). `poll()` hands what arrived to the agent; `serve()`
    runs the agent on its clock until told to stop, as the agent's process would."""

    def __init__(self, agent: Agent, host: str | None = None, port: int | None = None):
        statsd = agent.config.statsd
        if statsd is None:
            raise AgentFailed("metrics.metrics_collected.statsd: absent; the agent opens no StatsD listener")
        self.agent = agent
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind((statsd.host if host is None else host, statsd.port if port is None else port))
        self.address = self.socket.getsockname()

    def poll(self, timeout: float = 0.0) -> int:
        """Datagrams waiting (up to `timeout` seconds for the first), each to the agent; how many."""
        count = 0
        while select.select([self.socket], [], [], timeout if count == 0 else 0)[0]:
            datagram, _ = self.socket.recvfrom(65535)
            self.agent.receive(datagram)
            count += 1
        return count

    def serve(self, stop: threading.Event, tick: float = 1.0) -> None:
        """Until `stop` is set: datagrams to the agent, and what falls due on its clock, every `tick` s at most.
        A refused publish ends it (PublishDenied, raised in the serving thread)."""
        while not stop.is_set():
            self.poll(timeout=tick)
            self.agent.advance()

    def close(self) -> None:
        self.socket.close()

    def __enter__(self) -> StatsdListener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
