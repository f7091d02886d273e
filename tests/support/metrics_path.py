"""The metric path in the emulator: the release's datagrams, the agent stand-in on a node of an
applied stack (with the node role's credentials, IAM enforced), and the contract over what landed.

    run = MetricsRun.start(applied)       # the agent on the group's first node, at a clock of its own
    run.minutes(3)                        # a datagram every 10 s, as the release sends them
    findings = run.contract()
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from components.plans.names import health_alarm_names, step_alarm_names
from components.plans.node_layout import NodeLayout
from tests.support.stacks import Applied
from tools.conformance.metrics.agent import Agent, ManualClock
from tools.conformance.metrics.agent_config import AgentConfig
from tools.conformance.metrics.contract import Finding, check_metrics
from tools.conformance.metrics.iam import iam_enforced
from tools.conformance.metrics.node import Node, group_node
from tools.conformance.metrics.rendered import rendered_agent_config
from tools.stack_files import PROJECT_DIR

RELEASE_DATAGRAM = (PROJECT_DIR / "examples" / "shop" / "test" / "fixtures" / "beam_metrics.statsd").read_bytes()
"""What examples/shop sends every 10 s, byte for byte (its ExUnit test checks Shop.BeamMetrics
against the same file): `SchedulerUtilization:42.50|g` and `TotalRunQueueLength:7|g`."""

HALF_USED = {
    "MemTotal": 4_000_000,
    "MemFree": 1_000_000,
    "Buffers": 100_000,
    "Cached": 800_000,
    "SReclaimable": 100_000,
}
"""/proc/meminfo (kB) with 4,000,000 - 1,000,000 - 100,000 - (800,000 + 100,000) = 2,000,000 kB used: 50 %."""

COLLECTION_SECONDS = 10
"""How often the release sends: every collection interval gets one datagram."""


@dataclass
class MetricsRun:
    applied: Applied
    node: Node
    agent: Agent
    clock: ManualClock
    start: datetime

    @classmethod
    def start_on(cls, applied: Applied, config: dict[str, Any] | None = None) -> MetricsRun:
        """The agent on the group's first node, with `config` or else the file the node's user data
        writes; the clock starts 3 s into a minute ten minutes ago."""
        start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=10)
        clock = ManualClock(start + timedelta(seconds=3))
        group = applied.outputs["autoScalingGroupName"]
        node = group_node(applied.client, group)
        config = config or received_agent_config(applied)
        with iam_enforced():
            agent = Agent.on_node(
                AgentConfig.read(config),
                node.instance_id,
                node.session,
                clock=clock,
                meminfo=lambda: HALF_USED,
            )
        return cls(applied, node, agent, clock, start)

    def minutes(self, minutes: int, datagram: bytes = RELEASE_DATAGRAM) -> None:
        """`datagram` every 10 s for `minutes`, the agent running on the clock, IAM enforced."""
        for _ in range(minutes * 60 // COLLECTION_SECONDS):
            self.tick(datagram)

    def tick(self, *datagrams: bytes, seconds: float = COLLECTION_SECONDS) -> None:
        """`datagrams` arrive, then `seconds` pass and the agent does what falls due, IAM enforced."""
        with iam_enforced():
            for datagram in datagrams:
                self.agent.receive(datagram)
            self.clock.advance(seconds)
            self.agent.advance()

    def statistics(self, name: str, statistics: list[str], period: int, **dimensions: str) -> list[dict[str, Any]]:
        """GetMetricStatistics of `name` in the agent's namespace from the start to a minute past now, by
        the group alone unless `dimensions` adds more."""
        group = {"AutoScalingGroupName": self.applied.outputs["autoScalingGroupName"]}
        return self.applied.client("cloudwatch").get_metric_statistics(
            Namespace=self.agent.config.namespace,
            MetricName=name,
            Dimensions=[{"Name": key, "Value": value} for key, value in (group | dimensions).items()],
            StartTime=self.start,
            EndTime=self.clock() + timedelta(minutes=1),
            Period=period,
            Statistics=statistics,
        )["Datapoints"]

    def contract(self) -> list[Finding]:
        client = self.applied.client
        end = self.clock() + timedelta(minutes=1)
        return check_metrics(
            client("cloudwatch"),
            client("autoscaling"),
            self.applied.outputs["autoScalingGroupName"],
            self.start,
            end,
            self.agent.record,
            alarm_names=health_alarm_names(self.applied.settings) + step_alarm_names(self.applied.settings),
        )


def received_agent_config(applied: Applied) -> dict[str, Any]:
    """The agent configuration the group's nodes receive in their user data."""
    return rendered_agent_config(
        applied.client, applied.outputs["autoScalingGroupName"], node_agent_config_path(applied)
    )


def node_agent_config_path(applied: Applied) -> str:
    """Where the node's agent reads its configuration (the path the user data writes it to)."""
    return NodeLayout(applied.settings.release.name).cloudwatch_config


def finding(findings: list[Finding], subject: str) -> Finding:
    matches = [f for f in findings if f.subject == subject]
    assert len(matches) == 1, f"{subject}: {len(matches)} findings in {[f.subject for f in findings]}"
    return matches[0]
