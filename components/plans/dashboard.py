"""The cluster's CloudWatch dashboard body: a pure function of the settings and resolved names.

Rows, top to bottom: what clients see (request rate, latency p50/p90/p99, 5xx; on a
network load balancer flows and resets instead, it has no HTTP metrics; with
`loadBalancer.waf` the requests AWS WAF blocked, beside its alarm threshold), whether nodes
serve (healthy and unhealthy hosts, the group's desired / in-service / min / max), what
loads them (CPU, memory) and what the BEAM says (every metric of BEAM_METRICS), then the
state of the health alarms. Target-tracking targets and alert thresholds are drawn as
horizontal lines on their graphs.

No pulumi import: Monitoring calls `render_dashboard` inside an apply once the group and
load balancer names are known. Body format:
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

    region: str
    group_name: str
    load_balancer: str
    """The load balancer's ARN suffix, its CloudWatch dimension."""
    target_group: str
    """The target group's ARN suffix, its CloudWatch dimension."""
    alarm_arns: tuple[str, ...] = ()
    """Alarms shown in the alarm-status widget."""


def render_dashboard(settings: StackSettings, names: DashboardNames) -> str:
    """The dashboard body as JSON text."""
    return json.dumps({"widgets": dashboard_widgets(settings, names)}, sort_keys=True)


def dashboard_widgets(settings: StackSettings, names: DashboardNames) -> list[dict[str, Any]]:
    graphs = [
        *_traffic(settings, names),
        *_blocked(settings, names),
        _health(settings, names),
        _capacity(names),
        _graph(
            names,
            "CPU (%)",
            [["AWS/EC2", "CPUUtilization", GROUP_DIMENSION, names.group_name]],
            lines=_targets(settings, "cpu"),
        ),
        _graph(
            names,
            "Memory used (%)",
            [[METRICS_NAMESPACE, MEMORY_METRIC, GROUP_DIMENSION, names.group_name]],
            lines=_targets(settings, "memory"),
        ),
        *(_beam(settings, names, role, metric) for role, metric in BEAM_METRICS.items()),
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
                "properties": {"title": f"{settings.qualified_name} alarms", "alarms": list(names.alarm_arns)},
            }
        )
    return widgets


def _traffic(settings: StackSettings, names: DashboardNames) -> list[dict[str, Any]]:
    namespace = ELB_NAMESPACES[settings.load_balancer.type]
    balancer = ["LoadBalancer", names.load_balancer]
    if settings.load_balancer.type == "network":
        return [
            _graph(names, "New flows", [[namespace, "NewFlowCount", *balancer]], stat="Sum"),
            _graph(names, "Active flows", [[namespace, "ActiveFlowCount", *balancer]]),
            _graph(
                names,
                "TCP resets",
                [[namespace, "TCP_Target_Reset_Count", *balancer], [namespace, "TCP_ELB_Reset_Count", *balancer]],
                stat="Sum",
            ),
        ]
    alerts = settings.alerts
    latency = [
        [namespace, "TargetResponseTime", *balancer, {"stat": percentile, "label": percentile}]
        for percentile in LATENCY_PERCENTILES
    ]
    return [
        _graph(names, "Requests", [[namespace, "RequestCount", *balancer]], stat="Sum"),
        _graph(
            names,
            "Target response time (s)",
            latency,
            lines=[_line(f"p99 alarm ({alerts.latency_p99_ms:g} ms)", alerts.latency_p99_ms / MILLISECONDS_PER_SECOND)],
        ),
        _graph(
            names,
            "5xx responses",
            [[namespace, "HTTPCode_Target_5XX_Count", *balancer], [namespace, "HTTPCode_ELB_5XX_Count", *balancer]],
            stat="Sum",
        ),
    ]


def waf_dimensions(settings: StackSettings) -> dict[str, str]:
    """The dimensions of the web ACL's totals (every rule): what the dashboard graphs and the alarm watches."""
    return {"WebACL": stack_names.watched_web_acl_name(settings), "Region": settings.region, "Rule": ALL_RULES}


def _blocked(settings: StackSettings, names: DashboardNames) -> list[dict[str, Any]]:
    if not settings.load_balancer.protected_by_waf:
        return []
    per_minute = settings.load_balancer.waf.blocked_requests_alarm
    dimensions = [part for pair in waf_dimensions(settings).items() for part in pair]
    return [
        _graph(
            names,
            "Requests blocked by AWS WAF",
            [[WAF_NAMESPACE, BLOCKED_REQUESTS, *dimensions]],
            stat="Sum",
            lines=[_line(f"alarm ({per_minute} a minute)", per_minute)],
        )
    ]


def _health(settings: StackSettings, names: DashboardNames) -> dict[str, Any]:
    namespace = ELB_NAMESPACES[settings.load_balancer.type]
    dimensions = ["TargetGroup", names.target_group, "LoadBalancer", names.load_balancer]
    return _graph(
        names,
        "Hosts",
        [[namespace, "HealthyHostCount", *dimensions], [namespace, "UnHealthyHostCount", *dimensions]],
        stat="Minimum",
        lines=[_line("minSize", settings.nodes.min_size)],
    )


def _capacity(names: DashboardNames) -> dict[str, Any]:
    group = [GROUP_DIMENSION, names.group_name]
    return _graph(names, "Group capacity", [["AWS/AutoScaling", metric, *group] for metric in GROUP_CAPACITY_METRICS])


def _beam(settings: StackSettings, names: DashboardNames, role: str, metric: str) -> dict[str, Any]:
    lines = _targets(settings, role) + [
        _line(f"step {step.name} ({step.threshold:g})", step.threshold)
        for step in settings.scaling.step
        if step.metric.namespace == METRICS_NAMESPACE and step.metric.name == metric
    ]
    return _graph(
        names,
        BEAM_METRIC_TITLES.get(role, metric),
        [[METRICS_NAMESPACE, metric, GROUP_DIMENSION, names.group_name]],
        lines=lines,
    )


def _targets(settings: StackSettings, metric: str) -> list[dict[str, Any]]:
    return [
        _line(f"target ({tracking.target:g})", tracking.target)
        for tracking in settings.scaling.target_tracking
        if tracking.metric == metric
    ]


def _graph(
    names: DashboardNames,
    title: str,
    metrics: list[list[Any]],
    *,
    stat: str = "Average",
    lines: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "title": title,
        "region": names.region,
        "view": "timeSeries",
        "stacked": False,
        "stat": stat,
        "period": STANDARD_PERIOD_UNIT,
        "metrics": metrics,
    }
    if lines:
        properties["annotations"] = {"horizontal": lines}
    return {"type": "metric", "width": WIDGET_WIDTH, "height": WIDGET_HEIGHT, "properties": properties}


def _line(label: str, value: float) -> dict[str, Any]:
    return {"label": label, "value": value}


def _laid_out(widgets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Left to right, three to a row."""
    per_row = GRID_WIDTH // WIDGET_WIDTH
    return [
        {**w, "x": (i % per_row) * WIDGET_WIDTH, "y": (i // per_row) * WIDGET_HEIGHT} for i, w in enumerate(widgets)
    ]
