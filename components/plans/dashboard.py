"""The cluster's CloudWatch dashboard body: a pure function of the settings and resolved names.

Rows, top to bottom: what clients see (request rate, latency p50/p90/p99, 5xx; on a
network load balancer flows and resets instead, it has no HTTP metrics; with
`loadBalancer.waf` the requests AWS WAF blocked, beside its alarm threshold), whether nodes
serve (healthy and unhealthy hosts, the group's desired / in-service / min / max), what
loads them (CPU, memory) and what the BEAM says (every metric of BEAM_METRICS), then the
state of the health alarms. Target-tracking targets and alert thresholds are drawn as
horizontal lines on their graphs.

`dashboard_plan` keeps what the settings say (the load balancer type, thresholds, targets,
the web ACL watched); its `body` renders the dashboard once the names AWS gives the group, the
load balancer, the target group and the alarms are known (`DashboardNames`): Monitoring calls it
inside an apply, `tools.verify` with the names it finds. No pulumi import. Body format:
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..settings import (
    BEAM_METRICS,
    GROUP_DIMENSION,
    MEMORY_METRIC,
    METRICS_NAMESPACE,
    STANDARD_PERIOD_UNIT,
    StackSettings,
)
from . import names as stack_names

GRID_WIDTH = 24
"""A dashboard is 24 units wide."""
WIDGET_WIDTH = 8
WIDGET_HEIGHT = 6
MILLISECONDS_PER_SECOND = 1000
LATENCY_PERCENTILES = ("p50", "p90", "p99")

ELB_NAMESPACES = {"application": "AWS/ApplicationELB", "network": "AWS/NetworkELB"}
GROUP_CAPACITY_METRICS = ("GroupDesiredCapacity", "GroupInServiceInstances", "GroupMinSize", "GroupMaxSize")
WAF_NAMESPACE = "AWS/WAFV2"
BLOCKED_REQUESTS = "BlockedRequests"
ALL_RULES = "ALL"
"""The Rule dimension value of a web ACL's totals: https://docs.aws.amazon.com/waf/latest/developerguide/waf-metrics.html"""
BEAM_METRIC_TITLES = {"schedulerUtilization": "BEAM scheduler utilisation (%)", "runQueue": "BEAM run queue length"}


@dataclass(frozen=True)
class DashboardNames:
    """What the dashboard refers to, resolved."""

    group_name: str
    load_balancer: str
    """The load balancer's ARN suffix, its CloudWatch dimension."""
    target_group: str
    """The target group's ARN suffix, its CloudWatch dimension."""
    alarm_arns: tuple[str, ...] = ()
    """Alarms shown in the alarm-status widget."""


@dataclass(frozen=True)
class Line:
    """A horizontal line on a graph: a threshold or a target."""

    label: str
    value: float


@dataclass(frozen=True)
class DashboardPlan:
    """What the stack's settings put on the dashboard."""

    title: str
    """The cluster's qualified name: the alarm widget's title."""
    region: str
    load_balancer_type: str
    latency_alarm: Line
    """The p99 latency alarm's threshold, in seconds (TargetResponseTime's unit)."""
    min_size: Line
    waf: dict[str, str] | None
    """The dimensions of the watched web ACL's totals (loadBalancer.waf), or None."""
    blocked_alarm: Line | None
    targets: tuple[tuple[str, Line], ...]
    """(target tracking metric, its target) for each target tracking policy."""
    steps: tuple[tuple[str, Line], ...]
    """(BEAM metric name, its threshold) for each step policy on a BEAM metric."""

    def body(self, names: DashboardNames) -> str:
        """The dashboard body as JSON text."""
        return json.dumps({"widgets": self.widgets(names)}, sort_keys=True)

    def widgets(self, names: DashboardNames) -> list[dict[str, Any]]:
        graphs = [
            *self._traffic(names),
            *self._blocked(),
            self._health(names),
            self._capacity(names),
            self._graph(
                "CPU (%)",
                [["AWS/EC2", "CPUUtilization", GROUP_DIMENSION, names.group_name]],
                lines=self._targets("cpu"),
            ),
            self._graph(
                "Memory used (%)",
                [[METRICS_NAMESPACE, MEMORY_METRIC, GROUP_DIMENSION, names.group_name]],
                lines=self._targets("memory"),
            ),
            *(self._beam(names, role, metric) for role, metric in BEAM_METRICS.items()),
        ]
        widgets = _laid_out(graphs)
        if names.alarm_arns:
            bottom = max(w["y"] + w["height"] for w in widgets)
            widgets.append(
                {
                    "type": "alarm",
                    "x": 0,
                    "y": bottom,
                    "width": GRID_WIDTH,
                    "height": WIDGET_HEIGHT // 2,
                    "properties": {"title": f"{self.title} alarms", "alarms": list(names.alarm_arns)},
                }
            )
        return widgets

    def _traffic(self, names: DashboardNames) -> list[dict[str, Any]]:
        namespace = ELB_NAMESPACES[self.load_balancer_type]
        balancer = ["LoadBalancer", names.load_balancer]
        if self.load_balancer_type == "network":
            return [
                self._graph("New flows", [[namespace, "NewFlowCount", *balancer]], stat="Sum"),
                self._graph("Active flows", [[namespace, "ActiveFlowCount", *balancer]]),
                self._graph(
                    "TCP resets",
                    [[namespace, "TCP_Target_Reset_Count", *balancer], [namespace, "TCP_ELB_Reset_Count", *balancer]],
                    stat="Sum",
                ),
            ]
        latency = [
            [namespace, "TargetResponseTime", *balancer, {"stat": percentile, "label": percentile}]
            for percentile in LATENCY_PERCENTILES
        ]
        return [
            self._graph("Requests", [[namespace, "RequestCount", *balancer]], stat="Sum"),
            self._graph("Target response time (s)", latency, lines=[self.latency_alarm]),
            self._graph(
                "5xx responses",
                [[namespace, "HTTPCode_Target_5XX_Count", *balancer], [namespace, "HTTPCode_ELB_5XX_Count", *balancer]],
                stat="Sum",
            ),
        ]

    def _blocked(self) -> list[dict[str, Any]]:
        if self.waf is None or self.blocked_alarm is None:
            return []
        dimensions = [part for pair in self.waf.items() for part in pair]
        return [
            self._graph(
                "Requests blocked by AWS WAF",
                [[WAF_NAMESPACE, BLOCKED_REQUESTS, *dimensions]],
                stat="Sum",
                lines=[self.blocked_alarm],
            )
        ]

    def _health(self, names: DashboardNames) -> dict[str, Any]:
        namespace = ELB_NAMESPACES[self.load_balancer_type]
        dimensions = ["TargetGroup", names.target_group, "LoadBalancer", names.load_balancer]
        return self._graph(
            "Hosts",
            [[namespace, "HealthyHostCount", *dimensions], [namespace, "UnHealthyHostCount", *dimensions]],
            stat="Minimum",
            lines=[self.min_size],
        )

    def _capacity(self, names: DashboardNames) -> dict[str, Any]:
        group = [GROUP_DIMENSION, names.group_name]
        return self._graph("Group capacity", [["AWS/AutoScaling", metric, *group] for metric in GROUP_CAPACITY_METRICS])

    def _beam(self, names: DashboardNames, role: str, metric: str) -> dict[str, Any]:
        lines = self._targets(role) + [line for name, line in self.steps if name == metric]
        return self._graph(
            BEAM_METRIC_TITLES.get(role, metric),
            [[METRICS_NAMESPACE, metric, GROUP_DIMENSION, names.group_name]],
            lines=lines,
        )

    def _targets(self, metric: str) -> list[Line]:
        return [line for tracked, line in self.targets if tracked == metric]

    def _graph(
        self, title: str, metrics: list[list[Any]], *, stat: str = "Average", lines: list[Line] | None = None
    ) -> dict[str, Any]:
        properties: dict[str, Any] = {
            "title": title,
            "region": self.region,
            "view": "timeSeries",
            "stacked": False,
            "stat": stat,
            "period": STANDARD_PERIOD_UNIT,
            "metrics": metrics,
        }
        if lines:
            properties["annotations"] = {"horizontal": [{"label": line.label, "value": line.value} for line in lines]}
        return {"type": "metric", "width": WIDGET_WIDTH, "height": WIDGET_HEIGHT, "properties": properties}


def dashboard_plan(settings: StackSettings) -> DashboardPlan:
    """The dashboard of the stack: what its settings draw."""
    alerts, balancer = settings.alerts, settings.load_balancer
    waf = balancer.waf if balancer.protected_by_waf else None
    return DashboardPlan(
        title=settings.qualified_name,
        region=settings.region,
        load_balancer_type=balancer.type,
        latency_alarm=Line(
            f"p99 alarm ({alerts.latency_p99_ms:g} ms)", alerts.latency_p99_ms / MILLISECONDS_PER_SECOND
        ),
        min_size=Line("minSize", settings.nodes.min_size),
        waf=waf_dimensions(settings) if waf else None,
        blocked_alarm=Line(f"alarm ({waf.blocked_requests_alarm} a minute)", waf.blocked_requests_alarm)
        if waf
        else None,
        targets=tuple(
            (tracking.metric, Line(f"target ({tracking.target:g})", tracking.target))
            for tracking in settings.scaling.target_tracking
        ),
        steps=tuple(
            (step.metric.name, Line(f"step {step.name} ({step.threshold:g})", step.threshold))
            for step in settings.scaling.step
            if step.metric.namespace == METRICS_NAMESPACE
        ),
    )


def waf_dimensions(settings: StackSettings) -> dict[str, str]:
    """The dimensions of the web ACL's totals (every rule): what the dashboard graphs and the alarm watches."""
    return {"WebACL": stack_names.watched_web_acl_name(settings), "Region": settings.region, "Rule": ALL_RULES}


def _laid_out(widgets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Left to right, three to a row."""
    per_row = GRID_WIDTH // WIDGET_WIDTH
    return [
        {**w, "x": (i % per_row) * WIDGET_WIDTH, "y": (i // per_row) * WIDGET_HEIGHT} for i, w in enumerate(widgets)
    ]
